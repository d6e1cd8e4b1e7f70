"""What the simulator's commands take alike: the options for the cohort (patients, seed, weeks)
and the parameter file, and their checks; a problem exits 1 with its message."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pathway.cli import exit_with_problems
from pathway.errors import PathwayError

from .model.parameters import Parameters, load_parameters
from .running.cohort import COMPILED_CHUNK, CohortSettings, check_fits_in_memory

PARAMETERS_OPT = click.option(
    "--parameters", "parameters", type=click.Path(path_type=Path, dir_okay=False),
    help="Natural-history parameter file (default: the shipped simulations/parameters.yaml).")
PATIENTS_OPT = click.option("--patients", type=int, default=1000, show_default=True, help="Cohort size.")
SEED_OPT = click.option("--seed", type=int, default=1, show_default=True,
                        help="Random seed: the same seed gives the same patients, byte for byte.")
WEEKS_OPT = click.option("--weeks", type=int, default=52, show_default=True, help="Weeks followed from onset.")
QUIET_OPT = click.option("--quiet", is_flag=True, help="No progress bar.")
CAPACITY_OPT = click.option(
    "--capacity", type=click.Path(path_type=Path, dir_okay=False), is_flag=False, flag_value="", default=None,
    help="Waits emerge from queues for each resource's slots (simulations/capacity.yaml, or this FILE) "
         "instead of the fixed waits.")
CATCHMENTS_OPT = click.option(
    "--catchments", type=click.IntRange(min=1), default=1, show_default=True,
    help="With --capacity: independent catchments (each its own population and slots); a chunk holds whole catchments.")


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


def capacity_or_exit(path: Path | None, catchments: int, settings: CohortSettings):
    """The capacity file (`--capacity` alone: the shipped one; not given: None), or exit 1 listing
    its problems; --catchments is checked against the cohort."""
    if path is None:
        if catchments != 1:
            fail("--catchments needs --capacity (without capacity, patients share nothing)")
        return None
    if catchments > settings.patients:
        fail(f"--catchments must be at most the number of patients ({settings.patients:,}), not {catchments:,}")
    size = -(-settings.patients // catchments)
    try:  # a catchment is one block: it must fit
        check_fits_in_memory(settings, size)
    except PathwayError:
        fail(f"a catchment of {size:,} patients over {settings.weeks} weeks needs more than half the free memory; "
             "use more --catchments")
    import attrs

    from .capacity.file import load_capacity

    try:  # `--capacity` with no FILE: the shipped file
        return attrs.evolve(load_capacity(None if str(path) in ("", ".") else path), catchments=catchments)
    except PathwayError as err:
        exit_with_problems(err, "the capacity file")


def settings_or_exit(patients: int, seed: int, weeks: int, chunk_size: int = COMPILED_CHUNK,
                     resamples: int = 0) -> CohortSettings:
    """The cohort's settings, or exit 1 when they are out of range or the run would not fit in memory."""
    try:
        settings = CohortSettings(patients, seed, weeks)
        check_fits_in_memory(settings, chunk_size, resamples)
        return settings
    except PathwayError as err:
        fail(err)
