"""The demo's last section: a small simulated cohort through the shipped pathway, in a few lines
(`sciatica demo` finds it through the `sciatica.demo` entry point)."""

from __future__ import annotations

import click

from .model.parameters import load_parameters
from .results.summary import summarise
from .running.cohort import CohortSettings, simulate as run_cohort

DEMO_PATIENTS = 1000


def demo_cohort(spec) -> None:
    """The demo's last section: a small simulated cohort through the shipped pathway."""
    settings = CohortSettings(DEMO_PATIENTS, seed=1)
    summary = summarise(run_cohort(spec, load_parameters(), settings))
    v = summary.value
    mri = v("mri_per_1000") + v("mri_with_contrast_per_1000")
    ct = v("ct_per_1000") + v("ct_with_contrast_per_1000") + v("ct_myelography_per_1000")
    click.echo(
        f"A simulated cohort of {DEMO_PATIENTS:,} patients over 52 weeks (seed 1):\n"
        f"  MRI {mri:.0f}, X-ray {v('xray_per_1000'):.0f} and CT {ct:.0f} per 1,000; "
        f"median {v('weeks_to_mri_median'):.0f} weeks from onset to MRI\n"
        f"  {v('imaging_without_indication_share'):.1f}% of imaging orders without an indication in the simulated "
        "patient's true\n  condition (which the pathway cannot see; `check` proves none on the answers given)\n"
        f"  {v('patients_with_red_flag'):.0f} developed a red flag: median {v('escalation_delay_median'):.0f} weeks "
        f"to urgent care, longest {v('escalation_delay_max'):.0f}; seen but never escalated: {v('red_flags_never_escalated'):.0f}\n"
        f"  {v('urgent_work_ups_per_1000'):.0f} urgent work-ups per 1,000, {v('work_ups_confirmed_share'):.0f}% confirmed; "
        f"{v('returns_per_1000'):.0f} returns after discharge per 1,000\n"
        f"  improved at 12 weeks {v('improved_week_12'):.0f}%, at 52 weeks {v('improved_week_52'):.0f}%; "
        f"{v('epidurals_per_1000'):.0f} epidurals and {v('surgical_referrals_per_1000'):.0f} surgical referrals per 1,000\n"
        f"  cost {v('cost_per_patient'):,.0f} pounds and {v('qalys_per_patient'):.3f} QALYs per patient over the year\n"
        "Run your own: sciatica simulate --patients 10000 --out simulation\n  (tables, summary, flow diagram, plots)"
    )
