"""Costs and quality of life of a cohort, from its exact totals (totals.Counts), as summary figures.

Cost: every use of a resource the patients table counts (visits, studies by kind, urgent and
emergency work-ups, injections, surgical referrals, operations) at its unit cost (parameters.yaml
`costs`). Quality of life: each patient-week improved or not at its EQ-5D utility (`quality_of_life`),
a week being 1/52 of a year; QALYs after the first year are discounted at the yearly rate (the NICE
reference case leaves the first year undiscounted). Costs are not discounted: the totals do not
say in which week a resource was used, so a follow-up beyond a year overstates them slightly.

Net monetary benefit per patient at a threshold: QALYs x threshold - cost. `sciatica compare`
reports the difference of each figure between two pathways with its paired interval, so the
difference in net monetary benefit is the incremental net benefit of the new pathway.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..model.parameters import Parameters
from .counts import Counts, divide

WEEKS_PER_YEAR = 52
# Resource uses, each with the Counts figure that counts it: (cost parameter, field, counted by).
USES = (
    ("visit", "visits", "total"), ("xray", "xray", "total"), ("mri", "mri", "total"),
    ("mri_with_contrast", "mri_with_contrast", "total"), ("ct", "ct", "total"),
    ("ct_with_contrast", "ct_with_contrast", "total"), ("ct_myelography", "ct_myelography", "total"),
    ("urgent_work_up", "urgent_work_ups", "total"), ("epidural", "epidurals", "total"),
    ("specialist_opinion", "surgical_referral", "total"), ("surgery", "surgery_week", "present"),
)
IMAGING = ("xray", "mri", "mri_with_contrast", "ct", "ct_with_contrast", "ct_myelography")


def cost(params: Parameters, only: tuple[str, ...] | None = None) -> Callable[[Counts], np.ndarray]:
    """Cost per patient (pounds), of every use or of the uses named in `only`."""
    def per_patient(c: Counts) -> np.ndarray:
        total = np.zeros(np.shape(c.patients), dtype=float)
        for name, field, counted in USES:
            if only is None or name in only:
                total = total + params.value(f"costs.{name}") * getattr(c, counted)[field].astype(float)
        return divide(total, c.patients)
    return per_patient


def qalys(params: Parameters, weeks: int) -> Callable[[Counts], np.ndarray]:
    """QALYs per patient over weeks 1..weeks, discounted after the first year."""
    well, unwell = (params.value(f"quality_of_life.utility_{s}") for s in ("improved", "not_improved"))
    rate = params.value("quality_of_life.discount_per_year")
    week = np.arange(1, weeks + 1)
    discount = (1.0 + rate) ** -((week - 1) // WEEKS_PER_YEAR)

    def per_patient(c: Counts) -> np.ndarray:
        improved = c.improved[..., 1:weeks + 1].astype(float)
        patients = np.asarray(c.patients, dtype=float)[..., None]
        utility = well * improved + unwell * (patients - improved)
        return divide((utility * discount).sum(axis=-1) / WEEKS_PER_YEAR, c.patients)
    return per_patient


def net_benefit(params: Parameters, weeks: int, threshold: str) -> Callable[[Counts], np.ndarray]:
    """Net monetary benefit per patient (pounds): QALYs x the threshold - cost."""
    per_qaly = params.value(f"quality_of_life.{threshold}")
    health, spent = qalys(params, weeks), cost(params)
    return lambda c: per_qaly * health(c) - spent(c)
