"""Which natural-history parameters exist and how each is checked.

The names are fixed here, not in the data file, so a misspelt parameter is an error (with a
did-you-mean) rather than a figure the simulator silently never reads.
"""

from __future__ import annotations

import enum


class Kind(enum.Enum):
    PROBABILITY = "probability"    # a number from 0 to 1
    WEEKS = "weeks"                # 0 or more
    HOURS = "hours"                # 0 or more
    RATE = "rate"                  # per week, 0 or more
    RATIO = "ratio"                # 0 or more
    DISTRIBUTION = "distribution"  # outcome -> probability, summing to 1
    TABLE = "table"                # number (e.g. age) -> probability


NUMBER_KINDS = (Kind.PROBABILITY, Kind.WEEKS, Kind.HOURS, Kind.RATE, Kind.RATIO)
STATUSES = ("CONFIRMED", "SECONDARY", "NOT CONFIRMED")
CALIBRATION_WEEKS = (2, 4, 12, 52)  # the improvement targets the issue asks for


def _p(kind: Kind, outcomes: tuple[str, ...] | None = None) -> tuple[Kind, tuple[str, ...] | None]:
    return kind, outcomes


P, W, R = Kind.PROBABILITY, Kind.WEEKS, Kind.RATE

# section -> parameter -> (kind, allowed outcomes of a distribution; None when free-form).
# Outcomes use the pathway's vocabulary (states/findings.yaml) so findings can be drawn directly.
SCHEMA: dict[str, dict[str, tuple[Kind, tuple[str, ...] | None]]] = {
    "presentation": {
        "age_distribution": _p(Kind.DISTRIBUTION),
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
}
