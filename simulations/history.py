"""One simulated patient's natural history: who they are, how their sciatica runs week by week,
what treatment changes, and what a clinician would record at a visit, in the pathway's words.

Every random number is a pure function of (seed, patient index, purpose, week, slot) (see
draws.py), so a patient is the same person whatever the chunking or engine, and the same person
in both arms of a comparison (common random numbers): a draw that depends on what the pathway
does (a wait, a result, a response) is keyed by the week the pathway asks for it.
"""

from __future__ import annotations

import enum
import math

import attrs
import numpy as np

from .draws import Purpose, normal, uniform
from .parameters import Parameters

IMPROVEMENT_WEEK_RELAPSE_STARTS = 12  # relapse is fitted after the 12-week target (parameters.yaml)
PERSISTING_WEEKS = 6  # ACR variant 3: persisting after 6 weeks of conservative care


# What the onset of each red-flag category (a `red_flags` parameter) looks like at a visit. These
# are the findings a clinician would record, chosen to be the textbook presentation of each.
RED_FLAG_FINDINGS: dict[str, dict[str, object]] = {
    "cauda_equina": {"bladder_dysfunction": True, "saddle_anaesthesia": True},
    "spinal_cord_compression": {"cancer_history": True, "bilateral_leg_symptoms": True},
    "major_trauma": {"major_trauma": True},
    "progressive_motor_deficit": {"weakness": "progressive"},
    "infection": {"fever": True, "recent_infection": True},
    "malignancy": {"unexplained_weight_loss": True, "night_pain": True},
    "fracture": {"minor_trauma": True, "osteoporosis": True},
}
RED_FLAGS = tuple(RED_FLAG_FINDINGS)


class Mimic(enum.Enum):
    NONE = "none"
    HIP_OR_SI_ONLY = "hip_or_si_only"  # no spinal cause: MRI shows nothing that explains the pain
    HIP_OR_SI_AND_SPINE = "hip_or_si_and_spine"


@attrs.frozen
class RedFlag:
    category: str
    onset: int  # week


class NaturalHistory:
    """The cohort's parameters turned into the probabilities the weekly model uses."""

    def __init__(self, params: Parameters):
        v = params.value
        self.params = params
        self.age_bands = [(_band(name), p) for name, p in v("presentation.age_distribution").items()]
        self.pain = dict(v("presentation.pain_distribution"))
        self.weakness = dict(v("presentation.weakness"))
        self.review_after = {int(k): p for k, p in v("visits.review_after_weeks").items()}
        self.red_flag_chance = {c: v(f"red_flags.{c}") for c in RED_FLAGS}
        self.onset_window = int(v("red_flags.onset_window_weeks"))
        self.improve_fast = _weekly(v("recovery.fast_weekly_rate"))
        self.improve_slow = _weekly(v("recovery.slow_weekly_rate"))
        self.relapse = _weekly(v("recovery.relapse_weekly_rate"))
        self.surgery_ratio = v("treatment.surgery_recovery_ratio")
        # Chances read at visits or every week, looked up once here.
        self.worse = v("course.worse_when_persisting")
        self.presents = v("visits.red_flag_presents_weekly")
        self.emergency_scan_on_time = v("waits.emergency_mri_within_target")
        self.surgery_after_referral = v("treatment.surgery_after_referral")
        self.worsening = v("harm.unescalated_weekly_worsening")
        # Routine MRI/CT wait: log-normal through the median and the share over 6 weeks (DM01).
        median = v("waits.routine_mri_median_weeks")
        over_6 = v("waits.routine_mri_over_6_weeks")
        self.scan_wait = (math.log(median), _lognormal_sigma(median, 6.0, over_6))
        # Specialist wait: log-normal through the median, with the longest reported wait as the 99th centile.
        median = v("waits.specialist_median_weeks")
        self.specialist_wait = (math.log(median), _lognormal_sigma(median, v("waits.specialist_longest_weeks"), 0.01))

    def patient(self, seed: int, index: int, weeks: int) -> Patient:
        return Patient(self, seed, index, weeks)

    def table(self, name: str, age: int, step: bool = False) -> float:
        """A by-age table: a step from each anchor (`step`) or linear between anchors."""
        anchors = sorted(self.params.value(name).items())
        ages, values = [a for a, _ in anchors], [p for _, p in anchors]
        if step:
            return next((p for a, p in reversed(anchors) if age >= a), values[0])
        return float(np.interp(age, ages, values))


class Patient:
    """One patient: drawn at presentation (week 0), then advanced a week at a time."""

    def __init__(self, model: NaturalHistory, seed: int, index: int, weeks: int):
        self.model, self.index, self.id = model, index, f"P{index:07d}"
        v = model.params.value
        person = uniform(seed, index, Purpose.PERSON, 0, np.arange(12))
        low, high = _pick(dict(model.age_bands), person[0])
        self.age = low + int(person[1] * (high - low + 1))
        self.fast = bool(person[2] < v("recovery.fast_fraction"))
        without = v("mimics.hip_or_si_without_spine")
        with_spine = v("mimics.hip_or_si_with_spine")
        self.mimic = Mimic.HIP_OR_SI_ONLY if person[3] < without else (
            Mimic.HIP_OR_SI_AND_SPINE if person[3] < without + with_spine else Mimic.NONE)
        nerve_root = self.mimic is not Mimic.HIP_OR_SI_ONLY
        pain, weakness = _pick(model.pain, person[4]), _pick(model.weakness, person[5])
        flags = person[6:]
        self.baseline: dict[str, object] = {
            "pain_distribution": pain if nerve_root else "back_dominant",
            "pain_below_knee": bool(flags[0] < v("presentation.pain_below_knee")) and nerve_root,
            "sensory_symptoms": bool(flags[1] < v("presentation.sensory_symptoms")) and nerve_root,
            "reflex_change": bool(flags[2] < v("presentation.reflex_change")) and nerve_root,
            "weakness": weakness if nerve_root else "none",
            "neurogenic_claudication": bool(
                flags[3] < model.table("presentation.neurogenic_claudication_by_age", self.age, step=True)),
            "hip_or_si_signs": self.mimic is not Mimic.NONE,
            "bilateral_leg_symptoms": False,
            "foot_drop": False,
            "prior_lumbar_surgery": False,
        }
        self.disabling = bool(flags[4] < v("course.disabling_when_persisting"))
        self.wants_intervention = self.disabling and bool(flags[5] < v("course.intervention_wanted"))
        # A scan explains the pain when there is a spinal cause and it shows a concordant lesion.
        concordant, protrusion, slip, bulge, degeneration = uniform(seed, index, Purpose.IMAGING, 0, np.arange(5))
        self.concordant = nerve_root and bool(concordant < v("imaging.concordant_herniation"))
        # An incidental protrusion or slip can be read as the cause, at the wrong level or side
        # ("discordant"); bulges and degeneration are the scan's background and read as normal.
        self.incidental = bool(protrusion < model.table("imaging.disc_protrusion_by_age", self.age)) or bool(
            slip < model.table("imaging.spondylolisthesis_by_age", self.age))
        # Reported on the scan all the same (Brinjikji: common in people without pain).
        self.incidental_reported = self.incidental or bool(
            bulge < model.table("imaging.disc_bulge_by_age", self.age)) or bool(
            degeneration < model.table("imaging.disc_degeneration_by_age", self.age))

        categories = np.arange(len(RED_FLAGS))
        chances = uniform(seed, index, Purpose.RED_FLAGS, 0, categories)
        onsets = (uniform(seed, index, Purpose.RED_FLAGS, 1, categories) * (model.onset_window + 1)).astype(int)
        self.red_flags = tuple(sorted(
            (RedFlag(c, int(w)) for c, u, w in zip(RED_FLAGS, chances, onsets)
             if u < model.red_flag_chance[c] and w <= weeks),
            key=lambda f: (f.onset, RED_FLAGS.index(f.category)),
        ))
        # Draws the course may need in any week, by week (slots 10+ keep clear of the ones above).
        span = np.arange(weeks + 1)

        def weekly(purpose: Purpose, slot: int, draw=uniform) -> np.ndarray:
            return draw(seed, index, purpose, span, slot)

        self._improve_draws, self._relapse_draws, self._worse_draws = (weekly(Purpose.COURSE, k) for k in (10, 11, 12))
        self._review_draws, self._present_draws = weekly(Purpose.VISITS, 10), weekly(Purpose.VISITS, 11)
        self._scan_wait_normals, self._scan_late_draws = weekly(Purpose.IMAGING, 10, normal), weekly(Purpose.IMAGING, 11)
        self._relief_draws = uniform(seed, index, Purpose.TREATMENT, 0, np.arange(2))
        self._specialist_normals = weekly(Purpose.TREATMENT, 10, normal)
        self._surgery_draws = weekly(Purpose.TREATMENT, 11)
        self._harm_draws = weekly(Purpose.HARM, 10)

        self.week = 0
        self.improved = False
        self.relapsed = False
        self.first_improved: int | None = None
        self.surgery_week: int | None = None
        self.relief: tuple[int, int] | None = None  # epidural relief, weeks [from, to)

    # -- the course, week by week ---------------------------------------------------------------
    def advance(self, week: int) -> None:
        """Move the untreated course (plus any treatment effect) on to `week`."""
        while self.week < week:
            self.week += 1
            t = self.week
            if not self.improved:
                p = self.model.improve_fast if self.fast and not self.relapsed else self.model.improve_slow
                if self.surgery_week is not None and t > self.surgery_week:
                    p = 1 - (1 - p) ** self.model.surgery_ratio  # hazard ratio on the weekly hazard
                if self._improve_draws[t] < p:
                    self.improved = True
                    self.first_improved = self.first_improved if self.first_improved is not None else t
            elif t > IMPROVEMENT_WEEK_RELAPSE_STARTS and self._relapse_draws[t] < self.model.relapse:
                self.improved, self.relapsed = False, True

    def feels_improved(self) -> bool:
        """Improved now: naturally, or while an epidural's short-term relief lasts."""
        return self.improved or (self.relief is not None and self.relief[0] <= self.week < self.relief[1])

    def active_red_flags(self) -> tuple[RedFlag, ...]:
        return tuple(f for f in self.red_flags if f.onset <= self.week)

    # -- what a clinician records -----------------------------------------------------------------
    def findings(self, red_flag_questions: tuple[str, ...], care_weeks: int, results: dict) -> dict:
        """The findings of a visit this week: every red-flag question answered (no by default,
        yes where an active red flag shows it), plus the results recorded so far."""
        found = dict(self.baseline)
        found.update({q: False for q in red_flag_questions})
        for flag in self.active_red_flags():
            found.update(RED_FLAG_FINDINGS[flag.category])
        better = self.feels_improved()
        persisting = not better
        worse = persisting and bool(self._worse_draws[self.week] < self.model.worse)
        found.update(
            trend="improving" if better else ("worse" if worse else "stuck"),
            symptoms_resolved=self.improved,
            conservative_care_weeks=care_weeks,
            disabling=persisting and self.disabling,
            intervention_considered=persisting and self.wants_intervention,
        )
        found.update(results)
        return found

    def needs_imaging(self, imaging: str) -> bool:
        """Whether imaging ordered now has an indication the model knows to be true: an active red
        flag, a hip or SI source (X-ray), or persisting disabling symptoms after 6 weeks in a
        candidate for injection or surgery (ACR variant 3, ACP 2007 rec 4)."""
        if self.active_red_flags():
            return True
        if imaging == "xray" and self.mimic is not Mimic.NONE:
            return True
        return not self.feels_improved() and self.week >= PERSISTING_WEEKS and self.wants_intervention

    # -- draws that depend on what the pathway does (each keyed by this week) ----------------------
    def review_after(self) -> int:
        """Weeks to the next planned review, booked this week."""
        return int(_pick(self.model.review_after, self._review_draws[self.week]))

    def presents_with_red_flag(self) -> bool:
        return bool(self._present_draws[self.week] < self.model.presents)

    def scan_wait(self) -> int:
        """Weeks from a routine MRI or CT request this week to its report."""
        return int(lognormal_weeks(self.model.scan_wait, self._scan_wait_normals[self.week:self.week + 1])[0])

    def emergency_scan_late(self) -> bool:
        """An emergency MRI requested this week misses its 4-hour target."""
        return bool(self._scan_late_draws[self.week] >= self.model.emergency_scan_on_time)

    def scan_result(self) -> str:
        if self.concordant:
            return "concordant"
        return "discordant" if self.incidental else "normal"

    def xray_result(self) -> str:
        shows_on_xray = {"fracture", "malignancy", "spinal_cord_compression", "infection"}
        return "abnormal" if any(f.category in shows_on_xray for f in self.active_red_flags()) else "normal"

    def specialist_wait(self) -> int:
        """Weeks from a routine referral this week to the specialist's appointment."""
        return int(lognormal_weeks(self.model.specialist_wait, self._specialist_normals[self.week:self.week + 1])[0])

    def has_surgery(self) -> bool:
        """Seen by the specialist this week: operated on if still not improved and they choose to."""
        return not self.improved and bool(
            self._surgery_draws[self.week] < self.model.surgery_after_referral)

    def give_epidural(self) -> None:
        """An injection this week: short-term relief for some (Pinto 2012), lasting 4-12 weeks."""
        v = self.model.params.value
        relieved, length = self._relief_draws
        weeks = 0
        if relieved < v("treatment.epidural_relief"):
            low, high = v("treatment.epidural_relief_min_weeks"), v("treatment.epidural_relief_max_weeks")
            weeks = round(low + (high - low) * length)
        self.relief = (self.week, self.week + weeks)

    def epidural_response(self) -> str:
        if self.improved:
            return "lasting_relief"
        if self.relief is None or self.relief[0] == self.relief[1]:
            return "no_relief"
        return "lasting_relief" if self.week < self.relief[1] else "temporary_relief"

    def operate(self) -> None:
        self.surgery_week = self.week

    def worsens(self) -> bool:
        """An unescalated red flag gets worse this week."""
        return bool(self._harm_draws[self.week] < self.model.worsening)


def _band(name: str) -> tuple[int, int]:
    low, _, high = name.partition("-")
    return int(low), int(high)


def _pick(distribution: dict, u: float):
    """The outcome of an outcome -> probability mapping that a uniform draw `u` falls in, taking
    outcomes in the file's order (so a draw always means the same outcome)."""
    total = 0.0
    for outcome, p in distribution.items():
        total += p
        if u < total:
            return outcome
    return outcome  # u within rounding of 1


def _weekly(rate: float) -> float:
    """A weekly hazard as the chance of the event within one week."""
    return 1.0 - math.exp(-rate)


def _lognormal_sigma(median: float, point: float, share_beyond: float) -> float:
    """The sigma that puts `share_beyond` of a log-normal with this median above `point`."""
    from statistics import NormalDist

    return math.log(point / median) / NormalDist().inv_cdf(1.0 - share_beyond)


def lognormal_weeks(mu_sigma: tuple[float, float], normals: np.ndarray) -> np.ndarray:
    """Whole weeks (at least 1) of log-normal waits from standard normal draws. NumPy's exp for
    one draw or a million, so the reference and the compiled engine round every wait alike."""
    mu, sigma = mu_sigma
    return np.maximum(1, np.ceil(np.exp(mu + sigma * np.asarray(normals, dtype=float)))).astype(np.int64)
