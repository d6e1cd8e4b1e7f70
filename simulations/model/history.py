"""The natural history of sciatica as the simulator models it: the parameters turned into the
chances the weekly model uses, and what each red flag looks like at a visit. One patient's
course is patient.py's `Patient` (and compiled/history.py's for a block of patients).

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

from .draws import Purpose, uniform
from .parameters import Parameters

IMPROVEMENT_WEEK_RELAPSE_STARTS = 12  # relapse is fitted after the 12-week target (parameters.yaml)
PERSISTING_WEEKS = 6  # ACR variant 3: persisting after 6 weeks of conservative care
# ACR 2021 variant 6 rates radiography usually appropriate for an elderly patient; Henschke 2009
# found age over 70 one of three informative fracture red flags: an X-ray then has an indication.
XRAY_INDICATED_OVER_AGE = 70


# What the onset of each red-flag category (a `red_flags` parameter) looks like at a visit. These
# are the findings a clinician would record, chosen to be the textbook presentation of each. A
# red flag presents so with the chance `red_flags.screen_sensitivity`; otherwise atypically: the
# screen's answers stay no until it worsens (see patient.Patient).
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
# Which red flag an urgent work-up is for, when more than one shows and none is new (see
# Patient.work_up_category): the most serious first, in the order the shipped pathway's
# escalations are tried, as near as the categories allow (infection may come with a deficit,
# suspected malignancy with neurology).
SERIOUSNESS = ("major_trauma", "cauda_equina", "infection", "spinal_cord_compression", "progressive_motor_deficit",
               "malignancy", "fracture")
assert sorted(SERIOUSNESS) == sorted(RED_FLAGS)
# What shows on a plain X-ray (an abnormal X-ray): a fracture, bone destruction, infection.
SHOWS_ON_XRAY = ("fracture", "malignancy", "spinal_cord_compression", "infection")

# Standing risk factors a patient may have without the disease (a `risk_factors` parameter each):
# red-flag questions answered yes at every visit, the screen's false positives. Each is an
# indication, in what the model knows to be true, for an X-ray (ACR 2021 variant 6; ACP 2011,
# fracture risk factors) or for any imaging (ACP 2011: a history of cancer with new-onset LBP).
RISK_FACTORS = {"osteoporosis": "xray", "chronic_steroid_use": "xray", "cancer_history": "any"}
RISK_FACTOR_WEEK = 1  # their draws: Purpose.PERSON in week 1 (the presentation's are week 0), a slot each


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
        self.confirmed = {c: v(f"confirmed.{c}") for c in RED_FLAGS}  # a work-up confirms the suspicion
        self.onset_window = int(v("red_flags.onset_window_weeks"))
        self.typical = v("red_flags.screen_sensitivity")  # a red flag presents with its textbook findings
        self.risk_factor = np.array([v(f"risk_factors.{name}") for name in RISK_FACTORS])
        self.improve_fast = _weekly(v("recovery.fast_weekly_rate"))
        self.improve_slow = _weekly(v("recovery.slow_weekly_rate"))
        self.relapse = _weekly(v("recovery.relapse_weekly_rate"))
        self.surgery_ratio = v("treatment.surgery_recovery_ratio")
        # Chances read at visits or every week, looked up once here.
        self.worse = v("course.worse_when_persisting")
        self.presents = v("visits.red_flag_presents_weekly")
        self.returns = v("visits.relapse_returns_weekly")
        self.mri_contraindicated = v("presentation.mri_contraindicated")
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

    def patient(self, seed: int, index: int, weeks: int):
        from .patient import Patient

        return Patient(self, seed, index, weeks)

    def risk_factors(self, seed: int, patients) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """These patients' standing risk factors: (patients, RISK_FACTORS) yes or no, and whether
        they indicate an X-ray, and any imaging (one per patient)."""
        draws = uniform(seed, np.asarray(patients, dtype=np.uint64)[:, None], Purpose.PERSON, RISK_FACTOR_WEEK,
                        np.arange(len(RISK_FACTORS)))
        has = draws < self.risk_factor
        indicates = np.array(list(RISK_FACTORS.values()))
        return has, has[:, indicates == "xray"].any(axis=1), has[:, indicates == "any"].any(axis=1)

    def table(self, name: str, age: int, step: bool = False) -> float:
        """A by-age table: a step from each anchor (`step`) or linear between anchors."""
        anchors = sorted(self.params.value(name).items())
        ages, values = [a for a, _ in anchors], [p for _, p in anchors]
        if step:
            return next((p for a, p in reversed(anchors) if age >= a), values[0])
        return float(np.interp(age, ages, values))


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
