"""`sciatica simulate`, `sciatica calibrate` and `sciatica compare`, registered through the
`sciatica.commands` entry point."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from pathway.cli import PATHWAY_ARG, load_or_exit, two_versions
from pathway.errors import PathwayError
from pathway.files import CannotWrite, check_folder, writing

from .analyses.comparison import RESAMPLES, compare_cohorts, comparison_json, comparison_text
from .cli_inputs import (
    CAPACITY_OPT, CATCHMENTS_OPT, capacity_or_exit, PARAMETERS_OPT, PATIENTS_OPT, QUIET_OPT, SEED_OPT, WEEKS_OPT, fail, load_parameters_or_exit, settings_or_exit,
)
from .cli_running import run_with_progress, running_options
from .results.bootstrap import MAX_RESAMPLES
from .results.folder import OutputFolder
from .results.pictures import Plots, write_pictures
from .results.summary import summarise, summary_json, summary_text
from .running.checkpoint import Checkpoint, run_key
from .running.chunk import Parts
from .running.cohort import FORMATS, CohortResult
from .running.execution import WorkerLost


@click.command()
@PATHWAY_ARG
@PATIENTS_OPT
@SEED_OPT
@WEEKS_OPT
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("simulation"),
              show_default=True, help="Folder for the run's files (created; files in it are replaced).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="Format of the per-patient tables.")
@PARAMETERS_OPT
@click.option("--visits/--no-visits", default=True, show_default=True,
              help="Write the visits table (about 3 rows a patient); --no-visits for the largest cohorts.")
@running_options
@click.option("--resume", is_flag=True,
              help="Continue a run that stopped part-way (same command and --out), from the chunks it finished.")
@CAPACITY_OPT
@CATCHMENTS_OPT
@QUIET_OPT
def simulate(pathway, patients, seed, weeks, out, fmt, parameters, visits, running, resume, capacity, catchments,
             quiet) -> None:
    """Run a simulated cohort through a pathway (default: the shipped one) and summarise it.

    Each patient's natural history (recovery, red flags, mimics, scan findings) comes from the
    parameter file; the pathway engine decides every visit. Writes to --out:

    \b
      summary.txt, summary.json   every figure (imaging, waits, red-flag delays, outcomes)
      patients.<format>           one row per patient: what happened and when
      visits.<format>             one row per visit: the states and transitions taken (--visits)
      occupancy.csv               patients resting in each state, week by week
      codebook.json               every column of the tables: type, meaning, unit, values and their labels
      flow.svg                    the pathway diagram, edges as wide as the patients who took them
      occupancy.png, recovery.png plots of state occupancy and time to recovery
      queues.csv, queues.png      with --capacity: slots, use and orders waiting, week by week

    Files appear only when all are complete. Finished chunks are kept in a hidden folder in
    --out until then: if the run stops part-way, run the same command with --resume to go on
    from them, or without it to start afresh.
    """
    settings = settings_or_exit(patients, seed, weeks, running.chunk)
    spec = load_or_exit(pathway)
    params = load_parameters_or_exit(parameters)
    plan = capacity_or_exit(capacity, catchments, settings)
    parts = Parts(settings.recovery_weeks, visits)  # what the tables read: workers send back no more
    checkpoint = Checkpoint(out, run_key(spec, params, settings, running.chunk, parts, plan))
    try:
        with running.executor() as executor:  # first: the workers get ready while the rest starts here
            from .results.columns import codebook  # with pyarrow, which workers need not load
            from .results.outputs import TableWriter, check_format

            folder = OutputFolder(out)
            check_format(fmt)
            folder.check_writable()
            with folder, Plots(executor if running.local else None) as plots:
                if not resume:
                    checkpoint.discard()  # start afresh (under the folder's lock: no other run uses it)
                with TableWriter(folder.staging, fmt, spec, settings.recovery_weeks, visits, shown_in=out) as tables:
                    result = run_with_progress(spec, params, settings, running, quiet, "simulating", tables.write,
                                               checkpoint=checkpoint, parts=parts, executor=executor,
                                               after_last_submitted=plots.park, capacity=plan)
                folder.write("codebook.json", codebook(spec, fmt, settings.recovery_weeks, visits, plan is not None))
                text = write_results(result, folder, plots)
    except (KeyboardInterrupt, WorkerLost) as err:
        stopped(err, checkpoint)
    except CannotWrite as err:  # a full disk: one line; partial files are gone, whole chunks kept
        kept = kept_chunks(checkpoint)
        fail(err.problems[0].message + (f" ({kept}: free some space, then add --resume)" if kept else ""))
    except PathwayError as err:  # a bad --format or --out, a scheduler that cannot be reached
        fail(err)
    click.echo(text, nl=False)
    tables = f"patients.{fmt}, visits.{fmt}" if visits else f"patients.{fmt}"
    queues = ", queues.csv, queues.png" if plan is not None else ""
    click.echo(f"\nwrote {out}/: summary.txt, summary.json, {tables}, occupancy.csv, codebook.json, flow.svg, "
               f"occupancy.png, recovery.png{queues}")


def write_results(result: CohortResult, folder: OutputFolder, plots: Plots) -> str:
    """summary.txt, summary.json, occupancy.csv and the pictures into the folder; the summary's text."""
    plots.draw(result)
    summary = summarise(result)
    text = summary_text(summary)
    folder.write("summary.txt", text)
    folder.write("summary.json", summary_json(summary))
    folder.write("occupancy.csv", occupancy_csv(result))
    write_pictures(result, folder, plots)
    if result.capacity is not None:
        from .capacity.plot import queues_png
        from .capacity.report import queues_csv

        folder.write("queues.csv", queues_csv(result))
        folder.write("queues.png", queues_png(result))
    return text


def stopped(err: KeyboardInterrupt | WorkerLost, checkpoint: Checkpoint) -> NoReturn:
    """Say why a run stopped and which chunks it kept, then exit (130 when interrupted, else 1)."""
    why = "interrupted" if isinstance(err, KeyboardInterrupt) else "error: " + "; ".join(err.problems)
    click.echo(f"{why}: no files written", err=True)
    if kept := kept_chunks(checkpoint):
        click.echo(f"{kept}; run the same command with --resume to go on from them, or without it to start "
                   "afresh", err=True)
    sys.exit(130 if isinstance(err, KeyboardInterrupt) else 1)


def kept_chunks(checkpoint: Checkpoint) -> str | None:
    """"N finished chunk(s) kept in FOLDER" after a run that stopped, or None."""
    kept = len(checkpoint.saved())
    return f"{kept} finished chunk(s) kept in {checkpoint.folder}" if kept else None


def occupancy_csv(result: CohortResult) -> str:
    """Patients resting in each state at the end of each week, a row a week."""
    lines = [",".join(("week", *result.states))]
    lines += [",".join(map(str, (week, *row))) for week, row in enumerate(result.occupancy.tolist())]
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", required=False, type=click.Path(path_type=Path))
@PATIENTS_OPT
@SEED_OPT
@WEEKS_OPT
@PARAMETERS_OPT
@running_options
@click.option("--resamples", type=click.IntRange(min=10, max=MAX_RESAMPLES), default=RESAMPLES, show_default=True,
              help="Poisson-bootstrap resamples for the 95% intervals.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@QUIET_OPT
def compare(old, new, patients, seed, weeks, parameters, running, resamples, as_json, quiet) -> None:
    """Run the same simulated patients through pathway OLD and NEW (with one pathway: the shipped
    one is OLD) and report every summary figure side by side, with the difference and its 95% interval.

    Common random numbers: each patient's natural history is keyed by the seed and the patient's
    number, so both arms see the same people; only the pathway differs.
    """
    settings = settings_or_exit(patients, seed, weeks, running.chunk, resamples)
    old_spec, new_spec = two_versions(old, new)
    params = load_parameters_or_exit(parameters)
    try:
        arms = [run_with_progress(spec, params, settings, running, quiet, label, resamples=resamples)
                for spec, label in ((old_spec, "OLD"), (new_spec, "NEW"))]
    except WorkerLost as err:
        fail(err)
    comparison = compare_cohorts(*arms)
    click.echo(comparison_json(comparison) if as_json else comparison_text(comparison), nl=False)


@click.command()
@PARAMETERS_OPT
@click.option("--patients", type=int, default=10_000, show_default=True,
              help="Simulated patients for the Monte Carlo column.")
@SEED_OPT
@click.option("--fit", "fitted_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Fit the free parameters to the targets and write a copy of the parameter file with the fitted values.")
def calibrate(parameters, patients, seed, fitted_out) -> None:
    """Compare the untreated natural history with the published shares improved at 2, 4, 12 and
    52 weeks (each with its tolerance and source); exit 1 if any target is missed.

    The targets come from watchful-waiting and placebo groups, so the course is simulated without
    treatment. Two columns: the exact share from the recovery model (a three-state Markov chain),
    and the share in a simulated cohort of the real per-patient model. The free parameters
    (parameters.yaml `free`, within their bounds) are fitted by bounded least squares on the exact
    chain, each residual measured in units of its target's tolerance (scipy least_squares).
    """
    from .analyses.calibrate import calibration_table, fit, table_text, write_fitted
    from .analyses.out_of_sample import checks_text, compare, load_checks

    settings_or_exit(patients, seed, 52)
    if fitted_out is not None:
        check_folder(fitted_out)  # before the work
    params = load_parameters_or_exit(parameters)
    rows = calibration_table(params, patients=patients, seed=seed)
    result = fit(params)
    click.echo(table_text(rows, result), nl=False)
    try:
        checks = load_checks(params)
    except PathwayError as err:  # a ParameterError: the checks file
        fail(err)
    click.echo("\n" + checks_text(compare(checks, params, patients, seed)), nl=False)
    if fitted_out is not None:
        try:
            with writing(fitted_out):
                write_fitted(params.source, result.values, fitted_out)
        except CannotWrite as err:
            fail(err)
        click.echo(f"wrote {fitted_out} with the fitted values")
    if not all(row.passed for row in rows):
        sys.exit(1)
