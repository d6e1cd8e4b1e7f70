"""`sciatica impact OLD NEW --simulate N`: what a change does to a simulated cohort. The same
patients go through both versions (common random numbers, as in `sciatica compare`), and only
the figures the change moved are shown."""

from __future__ import annotations

from pathway.spec import PathwaySpec

from ..cli_inputs import load_parameters_or_exit, settings_or_exit
from ..cli_running import Running, run_with_progress
from .comparison import RESAMPLES, compare_cohorts, comparison_text


def simulated_consequence(old: PathwaySpec, new: PathwaySpec, patients: int, seed: int) -> str:
    """The comparison of OLD and NEW on `patients` simulated patients, as text."""
    running = Running()
    settings = settings_or_exit(patients, seed, 52, running.chunk, RESAMPLES)
    params = load_parameters_or_exit(None)
    arms = [run_with_progress(spec, params, settings, running, False, label, resamples=RESAMPLES)
            for spec, label in ((old, "OLD"), (new, "NEW"))]
    return comparison_text(compare_cohorts(*arms), changed_only=True)
