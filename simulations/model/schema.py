"""Which natural-history parameters exist and how each is checked.

The names are fixed here, not in the data file, so a misspelt parameter is an error (with a
did-you-mean) rather than a figure the simulator silently never reads. Each kind declares the
values it allows (RANGES): a value outside them is refused when the file is loaded, with its
line, rather than found later as a `math domain error` or a patient aged 10**20.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable

import attrs


class Kind(enum.Enum):
    PROBABILITY = "probability"    # a number from 0 to 1
    WEEKS = "weeks"                # more than 0, at most MAX_WEEKS
    HOURS = "hours"                # more than 0, at most a week
    RATE = "rate"                  # per week, 0 to MAX_RATE
    RATIO = "ratio"                # more than 0, at most MAX_RATIO
    DISTRIBUTION = "distribution"  # outcome -> probability, summing to 1
    TABLE = "table"                # age -> probability
    COST = "cost"                  # pounds sterling, 0 to MAX_COST
    UTILITY = "utility"            # an EQ-5D index value, UTILITY_LOW to 1


@attrs.frozen
class Range:
    """The numbers a kind allows: `low` (or just above it, when `above_low`) to `high`."""

    low: float
    high: float
    said: str  # how the allowed values are said in messages
    above_low: bool = False

    def allows(self, value: float) -> bool:
        return (self.low < value if self.above_low else self.low <= value) and value <= self.high


MAX_WEEKS = 520  # the longest follow-up (the pathway's `week` input stops here)
MAX_RATE = 10.0  # a weekly hazard of 10: all but 1 in 22,000 within the week
MAX_RATIO = 100.0
MAX_COST = 1_000_000.0
UTILITY_LOW = -0.594  # the worst state on the UK EQ-5D-3L tariff
AGES = Range(16, 120, "an age in years from 16 to 120")  # the pathway's adults, as its `age` input
RANGES: dict[Kind, Range] = {
    Kind.PROBABILITY: Range(0.0, 1.0, "a probability from 0 to 1"),
    Kind.WEEKS: Range(0.0, MAX_WEEKS, f"weeks, more than 0 and at most {MAX_WEEKS} (the longest follow-up)",
                      above_low=True),
    Kind.HOURS: Range(0.0, 168.0, "hours, more than 0 and at most 168 (a week; give longer waits in weeks)",
                      above_low=True),
    # 0 is allowed: a rate of 0 is "never" (no relapse), which the calibration bounds use.
    Kind.RATE: Range(0.0, MAX_RATE, f"a weekly rate from 0 to {MAX_RATE:g}"),
    Kind.RATIO: Range(0.0, MAX_RATIO, f"a ratio, more than 0 and at most {MAX_RATIO:g}", above_low=True),
    Kind.COST: Range(0.0, MAX_COST, f"a cost in pounds sterling from 0 to {MAX_COST:,.0f}"),
    Kind.UTILITY: Range(UTILITY_LOW, 1.0, f"an EQ-5D utility from {UTILITY_LOW} (the worst UK EQ-5D-3L state) to 1"),
}
_BAND = re.compile(r"(\d{1,3})-(\d{1,3})")


@attrs.frozen
class AgeBands:
    """A distribution's outcomes that are age bands, `low-high` in whole years (e.g. `16-29`)."""

    ages: Range = AGES

    def problem(self, outcome: object) -> str | None:
        """Why `outcome` is not an age band, or None."""
        found = _BAND.fullmatch(outcome) if isinstance(outcome, str) else None
        if found is None:
            return "is not an age band such as `16-29`"
        low, high = int(found.group(1)), int(found.group(2))
        if not (self.ages.allows(low) and self.ages.allows(high) and low <= high):
            return f"is not an age band within {self.ages.low:g}-{self.ages.high:g}, youngest first"
        return None


AGE_BANDS = AgeBands()
NUMBER_KINDS = (Kind.PROBABILITY, Kind.WEEKS, Kind.HOURS, Kind.RATE, Kind.RATIO, Kind.COST, Kind.UTILITY)
STATUSES = ("CONFIRMED", "SECONDARY", "NOT CONFIRMED")
CALIBRATION_WEEKS = (2, 4, 12, 52)  # the improvement targets the issue asks for


Outcomes = tuple[str, ...] | AgeBands | None  # a distribution's allowed outcomes (None: any)


def _p(kind: Kind, outcomes: Outcomes = None) -> tuple[Kind, Outcomes]:
    return kind, outcomes


P, W, R = Kind.PROBABILITY, Kind.WEEKS, Kind.RATE

# section -> parameter -> (kind, allowed outcomes of a distribution; None when free-form).
# Outcomes use the pathway's vocabulary (states/findings.yaml) so findings can be drawn directly.
SCHEMA: dict[str, dict[str, tuple[Kind, Outcomes]]] = {
    "presentation": {
        "age_distribution": _p(Kind.DISTRIBUTION, AGE_BANDS),
        "pain_distribution": _p(Kind.DISTRIBUTION, ("leg_dominant", "back_dominant")),
        "pain_below_knee": _p(P),
        "sensory_symptoms": _p(P),
        "reflex_change": _p(P),
        "weakness": _p(Kind.DISTRIBUTION, ("none", "mild")),
        "neurogenic_claudication_by_age": _p(Kind.TABLE),
        "mri_contraindicated": _p(P),
    },
    "recovery": {
        "fast_fraction": _p(P),
        "fast_weekly_rate": _p(R),
        "slow_weekly_rate": _p(R),
        "relapse_weekly_rate": _p(R),
    },
    "red_flags": {
        "cauda_equina": _p(P),
        "fracture": _p(P),
        "malignancy": _p(P),
        "infection": _p(P),
        "spinal_cord_compression": _p(P),
        "major_trauma": _p(P),
        "progressive_motor_deficit": _p(P),
        "onset_window_weeks": _p(W),
        "screen_sensitivity": _p(P),
    },
    # Standing risk factors in patients without the disease: the screen's answers, yes at every visit.
    "risk_factors": {
        "osteoporosis": _p(P),
        "chronic_steroid_use": _p(P),
        "cancer_history": _p(P),
    },
    # The share of urgent work-ups for each red-flag category that confirm it (the rest exclude it).
    "confirmed": {
        "cauda_equina": _p(P),
        "fracture": _p(P),
        "malignancy": _p(P),
        "infection": _p(P),
        "spinal_cord_compression": _p(P),
        "major_trauma": _p(P),
        "progressive_motor_deficit": _p(P),
    },
    "course": {
        "worse_when_persisting": _p(P),
        "disabling_when_persisting": _p(P),
        "intervention_wanted": _p(P),
    },
    "visits": {
        "review_after_weeks": _p(Kind.DISTRIBUTION, ("2", "3", "4")),
        "red_flag_presents_weekly": _p(P),
        "relapse_returns_weekly": _p(P),
    },
    "mimics": {
        "hip_or_si_without_spine": _p(P),
        "hip_or_si_with_spine": _p(P),
    },
    "imaging": {
        "concordant_herniation": _p(P),
        "disc_bulge_by_age": _p(Kind.TABLE),
        "disc_protrusion_by_age": _p(Kind.TABLE),
        "disc_degeneration_by_age": _p(Kind.TABLE),
        "spondylolisthesis_by_age": _p(Kind.TABLE),
    },
    "treatment": {
        "epidural_relief": _p(P),
        "epidural_relief_min_weeks": _p(W),
        "epidural_relief_max_weeks": _p(W),
        "surgery_recovery_ratio": _p(Kind.RATIO),
        "surgery_delay_weeks": _p(W),
        "surgery_after_referral": _p(P),
    },
    "waits": {
        "routine_mri_median_weeks": _p(W),
        "routine_mri_over_6_weeks": _p(P),
        "emergency_mri_hours": _p(Kind.HOURS),
        "emergency_mri_within_target": _p(P),
        "urgent_mri_weeks": _p(W),
        "xray_weeks": _p(W),
        "epidural_weeks": _p(W),
        "epidural_review_weeks": _p(W),
        "specialist_median_weeks": _p(W),
        "specialist_longest_weeks": _p(W),
    },
    "harm": {
        "unescalated_weekly_worsening": _p(P),
    },
    # What each use of a resource costs (economics.py): pounds sterling, at the price year each note gives.
    "costs": {name: _p(Kind.COST) for name in (
        "visit", "xray", "mri", "mri_with_contrast", "ct", "ct_with_contrast", "ct_myelography",
        "urgent_work_up", "epidural", "specialist_opinion", "surgery")},
    "quality_of_life": {
        "utility_improved": _p(Kind.UTILITY),
        "utility_not_improved": _p(Kind.UTILITY),
        "discount_per_year": _p(P),
        "threshold_low": _p(Kind.COST),
        "threshold_high": _p(Kind.COST),
    },
}


# Pairs of parameters the natural history reads together, and when a pair can be simulated.
# Each: (names, holds, what is allowed).
CONSTRAINTS: tuple[tuple[tuple[str, ...], Callable[..., bool], str], ...] = (
    (("waits.routine_mri_median_weeks", "waits.routine_mri_over_6_weeks"),
     lambda median, over_6: median > 0 and 0 < over_6 < 1 and (median < 6) == (over_6 < 0.5) and median != 6,
     "the routine MRI wait is log-normal through its median and the share over 6 weeks, so a median under "
     "6 weeks needs a share under 0.5, and a median over 6 weeks a share over 0.5 (the share strictly between "
     "0 and 1, the median above 0)"),
    (("waits.specialist_median_weeks", "waits.specialist_longest_weeks"),
     lambda median, longest: 0 < median < longest,
     "the specialist wait is log-normal through its median and the longest wait (its 99th centile), so the "
     "median must be above 0 and below the longest wait"),
    (("treatment.epidural_relief_min_weeks", "treatment.epidural_relief_max_weeks"),
     lambda low, high: low <= high,
     "relief lasts from the minimum to the maximum, so the minimum must be at most the maximum"),
    (("quality_of_life.utility_not_improved", "quality_of_life.utility_improved"),
     lambda unwell, well: unwell <= well,
     "being improved is the better state, so its utility must be at least that of not being improved"),
    (("quality_of_life.threshold_low", "quality_of_life.threshold_high"),
     lambda low, high: low <= high,
     "the lower threshold must be at most the higher"),
    (("mimics.hip_or_si_without_spine", "mimics.hip_or_si_with_spine"),
     lambda without, with_spine: without + with_spine <= 1,
     "they are shares of one cohort, so together at most 1"),
)
