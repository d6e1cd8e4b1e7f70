"""One simulated patient: who they are, how their sciatica runs week by week, what treatment
changes, and what a clinician would record at a visit, in the pathway's words.

Every random number is a pure function of (seed, patient index, purpose, week, slot) (see
draws.py): a draw that depends on what the pathway does (a wait, a result, a response) is keyed
by the week the pathway asks for it.

Red flags: each category the patient will have starts at its onset week and is *active* from then
on, until an urgent work-up excludes it (worked up: the suspicion is resolved). Whether a work-up
confirms it, and whether it presents typically, are drawn once, at presentation. A typical red
flag *shows* at every visit while active (its findings, `RED_FLAG_FINDINGS`); an atypical one is
*hidden*: the screen's answers stay no until it worsens, and it shows from then on. Until a red
flag that shows has been *seen* at a visit it may bring the patient in unannounced (then the
clinician's decision stands: the patient comes back at the visits booked); until it is
*attended*, the patient having been in urgent care while it showed, it may worsen. What is
really there (an X-ray's result, whether imaging is indicated) reads the active red flags. A
standing risk factor without the disease (history.RISK_FACTORS) is answered yes at every visit.
"""

from __future__ import annotations

import numpy as np

from .draws import Purpose, normal, uniform
from .history import (
    IMPROVEMENT_WEEK_RELAPSE_STARTS, PERSISTING_WEEKS, RED_FLAG_FINDINGS, RISK_FACTORS, XRAY_INDICATED_OVER_AGE, Mimic,
    NaturalHistory, _pick,
)
from .patient_red_flags import RedFlags
from .patient_results import PathwayResults

PERSON_SLOTS = 13  # draws at presentation, Purpose.PERSON: see Patient.__init__


class Patient(RedFlags, PathwayResults):
    """One patient: drawn at presentation (week 0), then advanced a week at a time."""

    def __init__(self, model: NaturalHistory, seed: int, index: int, weeks: int):
        self.model, self.index, self.id = model, index, f"P{index:07d}"
        person = uniform(seed, index, Purpose.PERSON, 0, np.arange(PERSON_SLOTS))
        low, high = _pick(dict(model.age_bands), person[0])
        self.age = low + int(person[1] * (high - low + 1))
        self._present(person)
        has, xray, imaging = model.risk_factors(seed, [index])
        self.standing = {name: True for name, yes in zip(RISK_FACTORS, has[0]) if yes}  # shows at every visit
        self.xray_risk, self.imaging_risk = bool(xray[0]), bool(imaging[0])  # the indications they are
        self._imaging_draws(seed, index)
        self._red_flags(seed, index, weeks)
        # Draws the course may need in any week, by week (slots 10+ keep clear of the ones above).
        span = np.arange(weeks + 1)

        def weekly(purpose: Purpose, slot: int, draw=uniform) -> np.ndarray:
            return draw(seed, index, purpose, span, slot)

        self._improve_draws, self._relapse_draws, self._worse_draws = (weekly(Purpose.COURSE, k) for k in (10, 11, 12))
        self._review_draws, self._present_draws = weekly(Purpose.VISITS, 10), weekly(Purpose.VISITS, 11)
        self._return_draws = weekly(Purpose.VISITS, 12)
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

    def _present(self, person: np.ndarray) -> None:
        """Who presents (slots 2-12 of the presentation draws): course, mimic, baseline findings."""
        model, v = self.model, self.model.params.value
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
            "mri_contraindicated": bool(flags[6] < model.mri_contraindicated),
        }
        self.disabling = bool(flags[4] < v("course.disabling_when_persisting"))
        self.wants_intervention = self.disabling and bool(flags[5] < v("course.intervention_wanted"))

    def _imaging_draws(self, seed: int, index: int) -> None:
        """What a scan would show: a concordant lesion, an incidental finding read as the cause, or
        only background findings the report lists."""
        model, v = self.model, self.model.params.value
        concordant, protrusion, slip, bulge, degeneration = uniform(seed, index, Purpose.IMAGING, 0, np.arange(5))
        self.concordant = self.mimic is not Mimic.HIP_OR_SI_ONLY and bool(concordant < v("imaging.concordant_herniation"))
        # An incidental protrusion or slip can be read as the cause, at the wrong level or side
        # ("discordant"); bulges and degeneration are the scan's background and read as normal.
        self.incidental = bool(protrusion < model.table("imaging.disc_protrusion_by_age", self.age)) or bool(
            slip < model.table("imaging.spondylolisthesis_by_age", self.age))
        # Reported on the scan all the same (Brinjikji: common in people without pain).
        self.incidental_reported = self.incidental or bool(
            bulge < model.table("imaging.disc_bulge_by_age", self.age)) or bool(
            degeneration < model.table("imaging.disc_degeneration_by_age", self.age))

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

    # -- what a clinician records -----------------------------------------------------------------
    def findings(self, red_flag_questions: tuple[str, ...], care_weeks: int, results: dict) -> dict:
        """The findings of a visit this week: every red-flag question answered (no by default,
        yes where a red flag that shows has it), plus the results recorded so far."""
        found = dict(self.baseline)
        found.update({q: False for q in red_flag_questions})
        found.update(self.standing)
        for flag in self.showing_red_flags():
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
            prior_lumbar_surgery=self.surgery_week is not None and self.surgery_week <= self.week,
        )
        found.update(results)
        return found

    def indicated(self, xray_only: bool) -> bool:
        """Whether an order made now has an indication the model knows to be true: a red flag the
        patient has (shown or not) or a standing risk factor for it (history.RISK_FACTORS), an
        X-ray for a hip or SI source or a patient over 70 (ACR variant 6), or persisting disabling
        symptoms after 6 weeks in a candidate for injection or surgery (ACR variant 3, ACP 2007
        rec 4)."""
        if self.active_red_flags() or self.imaging_risk:
            return True
        if xray_only and (self.mimic is not Mimic.NONE or self.age > XRAY_INDICATED_OVER_AGE or self.xray_risk):
            return True
        return not self.feels_improved() and self.week >= PERSISTING_WEEKS and self.wants_intervention
