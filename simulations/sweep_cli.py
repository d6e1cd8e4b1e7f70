"""`sciatica sweep`: a sensitivity analysis over natural-history parameters, registered through
the `sciatica.commands` entry point."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pathway.cli import PATHWAY_OPT, exit_with_problems, load_or_exit
from pathway.errors import PathwayError

from .analyses.sweep import load_plan
from .analyses.sweep_results import SetResult, outputs, run_sweep, sweep_text, write_sweep
from .cli_inputs import QUIET_OPT, fail, load_parameters_or_exit
from .cli_running import running_options


@click.command()
@click.argument("plan_file", metavar="PARAMS.yaml", type=click.Path(path_type=Path, dir_okay=False))
@PATHWAY_OPT
@click.option("--parameters", "parameters", type=click.Path(path_type=Path, dir_okay=False),
              help="Base natural-history parameter file (default: the shipped simulations/parameters.yaml).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("sweep"), show_default=True,
              help="Folder for sweep.csv, sweep.txt and sweep.png (created; files in it are replaced).")
@click.option("--patients", type=int, help="Patients per parameter set (replaces the sweep file's `patients`).")
@click.option("--seed", type=int, help="The patients' seed (replaces the sweep file's `seed`).")
@click.option("--weeks", type=int, help="Weeks followed from onset (replaces the sweep file's `weeks`).")
@running_options
@QUIET_OPT
def sweep(plan_file, pathway, parameters, out, patients, seed, weeks, running, quiet) -> None:
    """Sensitivity analysis: run one simulated cohort per parameter set of PARAMS.yaml (a grid of
    values, or a random sample from distributions) and tabulate and plot the summary figures.

    Every set simulates the same patients (the seed keys each patient's draws), so differences
    between sets come from the parameters. The sets run one after another, each on the same
    workers or cluster (--workers, --scheduler). Writes to --out:

    \b
      sweep.csv   one row per parameter set: its values, each reported figure, its parameters hash
      sweep.txt   the same as a table, with the pathway and parameter hashes; for a sample, each
                  figure's mean and 2.5-97.5% centiles across the sets
      sweep.png   each reported figure against the varied parameters (against the most
                  influential few when there are many)

    With `strategies` in PARAMS.yaml (pathway versions, instead of --pathway) every set runs each
    strategy on the same patients, and --out also gets psa.csv and psa.parquet (one row per set and
    strategy) with codebook.json; for a sample, a probabilistic sensitivity analysis: psa.json
    (cost, QALYs, increments, acceptability, EVPI), ce-plane.png and ceac.png.
    """
    from tqdm import tqdm

    base = load_parameters_or_exit(parameters)
    try:
        plan = load_plan(plan_file, base, patients=patients, seed=seed, weeks=weeks)
    except PathwayError as err:
        exit_with_problems(err, "the sweep file")
    if plan.strategies and pathway is not None:
        fail(f"{plan_file} names its pathways in `strategies`; --pathway is for a sweep without them")
    spec = plan.strategies[0].spec if plan.strategies else load_or_exit(pathway)
    from .results.folder import OutputFolder

    try:
        OutputFolder(out).check_writable()
    except PathwayError as err:
        fail(err)
    try:
        # disable=None: a bar on a terminal, nothing in logs and pipes.
        with tqdm(total=len(plan.sets) * max(1, len(plan.strategies)), unit="cohort", desc="sweep", disable=True if quiet else None,
                  file=sys.stderr, leave=False) as bar:
            def done(result: SetResult) -> None:
                bar.update(1)

            with running.executor() as executor:
                result = run_sweep(plan, spec, base, on_set=done, engine=running.engine, executor=executor,
                                   chunk_size=running.chunk)
        write_sweep(result, out)
    except KeyboardInterrupt:
        click.echo("interrupted: no files written", err=True)
        sys.exit(130)
    except PathwayError as err:
        fail(err)
    click.echo(sweep_text(result), nl=False)
    click.echo(f"\nwrote {out}/: {', '.join(outputs(plan))}")
