"""What the simulator's commands take alike: the options for the cohort (patients, seed, weeks)
and the parameter file, and their checks; a problem exits 1 with its message."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pathway.cli import exit_with_problems
from pathway.errors import PathwayError

from .cohort import COMPILED_CHUNK, CohortSettings, check_fits_in_memory
from .parameters import Parameters, load_parameters

PARAMETERS_OPT = click.option(
    "--parameters", "parameters", type=click.Path(path_type=Path, dir_okay=False),
    help="Natural-history parameter file (default: the shipped simulations/parameters.yaml).")
PATIENTS_OPT = click.option("--patients", type=int, default=1000, show_default=True, help="Cohort size.")
SEED_OPT = click.option("--seed", type=int, default=1, show_default=True,
                        help="Random seed: the same seed gives the same patients, byte for byte.")
WEEKS_OPT = click.option("--weeks", type=int, default=52, show_default=True, help="Weeks followed from onset.")
QUIET_OPT = click.option("--quiet", is_flag=True, help="No progress bar.")


def fail(err: PathwayError | str) -> None:
    """Print each problem as `error: ...` and exit 1."""
    problems = err.problems if isinstance(err, PathwayError) else (err,)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    sys.exit(1)


def load_parameters_or_exit(path: Path | None) -> Parameters:
    """The parameter file (None: the shipped one), or exit 1 listing its problems."""
    try:
        return load_parameters(path)
    except PathwayError as err:
        exit_with_problems(err, "the parameter file")


def settings_or_exit(patients: int, seed: int, weeks: int, chunk_size: int = COMPILED_CHUNK,
                     resamples: int = 0) -> CohortSettings:
    """The cohort's settings, or exit 1 when they are out of range or the run would not fit in memory."""
    try:
        settings = CohortSettings(patients, seed, weeks)
        check_fits_in_memory(settings, chunk_size, resamples)
        return settings
    except PathwayError as err:
        fail(err)
