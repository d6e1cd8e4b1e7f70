"""`sciatica simulate`, `sciatica calibrate` and `sciatica compare`, registered through the
`sciatica.commands` entry point."""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import click

from pathway.cli import PATHWAY_ARG, exit_with_problems, load_or_exit, two_versions
from pathway.errors import PathwayError
from pathway.files import CannotWrite, check_folder, writing
from pathway.spec import Urgency

from .chunk import Chunk, Parts
from .checkpoint import Checkpoint, run_key
from .cohort import (
    COMPILED_CHUNK, DEFAULT_CHUNK, FORMATS, CohortResult, CohortSettings, check_fits_in_memory, default_chunk,
    simulate as run_cohort,
)
from .execution import ENGINES, WorkerLost, call_with_mail, dask_client, process_pool
from .folder import OutputFolder
from .comparison import RESAMPLES, compare_cohorts, comparison_json, comparison_text
from .parameters import Parameters, load_parameters
from .summary import summarise, summary_json, summary_text
from .bootstrap import MAX_RESAMPLES

PARAMETERS_OPT = click.option(
    "--parameters", "parameters", type=click.Path(path_type=Path, dir_okay=False),
    help="Natural-history parameter file (default: the shipped simulations/parameters.yaml).")
PATIENTS_OPT = click.option("--patients", type=int, default=1000, show_default=True, help="Cohort size.")
SEED_OPT = click.option("--seed", type=int, default=1, show_default=True,
                        help="Random seed: the same seed gives the same patients, byte for byte.")
WEEKS_OPT = click.option("--weeks", type=int, default=52, show_default=True, help="Weeks followed from onset.")
QUIET_OPT = click.option("--quiet", is_flag=True, help="No progress bar.")
MAX_WORKERS = 256  # a pool starts every worker at once: --workers 1000000000 must not try


@attrs.frozen
class Running:
    """How a cohort runs (never what it gives: results are the same whichever is chosen)."""

    engine: str = "compiled"
    workers: int = 1
    scheduler: str | None = None
    chunk_size: int | None = None  # None: the engine's default

    @property
    def chunk(self) -> int:
        return default_chunk(self.engine) if self.chunk_size is None else self.chunk_size

    @property
    def local(self) -> bool:
        """Worker processes on this machine (not a cluster)."""
        return self.scheduler is None and self.workers > 1

    @contextlib.contextmanager
    def executor(self) -> Iterator[concurrent.futures.Executor | None]:
        """None (this process), a process pool, or a Dask cluster's executor; closed afterwards."""
        if self.scheduler is not None:
            with dask_client(self.scheduler) as client:
                yield client.get_executor()
        elif self.workers > 1:
            with process_pool(self.workers) as pool:
                yield pool
        else:
            yield None


def running_options(command):
    """--engine, --workers, --scheduler and --chunk-size, gathered into `running: Running`."""
    options = [
        click.option("--engine", type=click.Choice(ENGINES), default="compiled", show_default=True,
                     help="compiled: whole chunks of patients on arrays (fast); reference: the transitions "
                          "machine, one patient at a time (slow, for audit). Both give identical results."),
        click.option("--workers", type=click.IntRange(1, MAX_WORKERS), default=1, show_default=True,
                     help="Processes to run chunks in, on this machine."),
        click.option("--scheduler", metavar="tcp://HOST:PORT",
                     help="Run chunks on a Dask cluster (needs the dask extra: pip install 'sciatica-pathway[dask]')."),
        click.option("--chunk-size", type=int, default=None,
                     help=f"Patients per chunk (default {COMPILED_CHUNK:,} compiled, {DEFAULT_CHUNK:,} reference; the "
                          "last few smaller); memory and progress only, results do not depend on it."),
    ]

    @functools.wraps(command)
    def wrapper(*args, engine, workers, scheduler, chunk_size, **kwargs):
        if scheduler is not None and workers > 1:
            fail("use --workers or --scheduler, not both (the cluster decides its own workers)")
        return command(*args, running=Running(engine, workers, scheduler, chunk_size), **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def fail(err: PathwayError | str) -> None:
    problems = err.problems if isinstance(err, PathwayError) else (err,)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    sys.exit(1)


def load_parameters_or_exit(path: Path | None) -> Parameters:
    try:
        return load_parameters(path)
    except PathwayError as err:
        exit_with_problems(err, "the parameter file")


def settings_or_exit(patients: int, seed: int, weeks: int, chunk_size: int = COMPILED_CHUNK,
                     resamples: int = 0) -> CohortSettings:
    try:
        settings = CohortSettings(patients, seed, weeks)
        check_fits_in_memory(settings, chunk_size, resamples)
        return settings
    except PathwayError as err:
        fail(err)


def run_with_progress(spec, params, settings, running: Running, quiet, label, on_chunk=None, resamples=0,
                      checkpoint: Checkpoint | None = None, parts: Parts | None = None,
                      executor: concurrent.futures.Executor | None = None, after_last_submitted=None) -> CohortResult:
    """The cohort with a progress bar on a terminal; a problem with the inputs exits 1 with its
    message (a lost worker or cluster is raised, for the caller to say what is kept). `executor`:
    one `running.executor()` opened already (else one is opened, and closed after)."""
    from tqdm import tqdm

    # disable=None: a bar on a terminal, nothing in logs and pipes.
    with tqdm(total=settings.patients, unit="patient", desc=label, disable=True if quiet else None,
              file=sys.stderr, leave=False) as bar:
        def chunk_done(chunk: Chunk) -> None:
            if on_chunk is not None:
                on_chunk(chunk)
            bar.update(chunk.n)

        opened = running.executor() if executor is None else contextlib.nullcontext(executor)
        try:
            with opened as pool:
                return run_cohort(spec, params, settings, running.chunk, chunk_done, resamples, running.engine,
                                  pool, checkpoint, parts, after_last_submitted)
        except (WorkerLost, CannotWrite):  # the caller says what is kept
            raise
        except PathwayError as err:
            fail(err)


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
@QUIET_OPT
def simulate(pathway, patients, seed, weeks, out, fmt, parameters, visits, running, resume, quiet) -> None:
    """Run a simulated cohort through a pathway (default: the shipped one) and summarise it.

    Each patient's natural history (recovery, red flags, mimics, scan findings) comes from the
    parameter file; the pathway engine decides every visit. Writes to --out:

    \b
      summary.txt, summary.json   every figure (imaging, waits, red-flag delays, outcomes)
      patients.<format>           one row per patient: what happened and when
      visits.<format>             one row per visit: the states and transitions taken (--visits)
      occupancy.csv               patients resting in each state, week by week
      flow.svg                    the pathway diagram, edges as wide as the patients who took them
      occupancy.png, recovery.png plots of state occupancy and time to recovery

    Files appear only when all are complete. Finished chunks are kept in a hidden folder in
    --out until then: if the run stops part-way, run the same command with --resume to go on
    from them, or without it to start afresh.
    """
    settings = settings_or_exit(patients, seed, weeks, running.chunk)
    spec = load_or_exit(pathway)
    params = load_parameters_or_exit(parameters)
    parts = Parts(settings.recovery_weeks, visits)  # what the tables read: workers send back no more
    checkpoint = Checkpoint(out, run_key(spec, params, settings, running.chunk, parts))
    try:
        with running.executor() as executor:  # first: the workers get ready while the rest starts here
            from .outputs import TableWriter, check_format  # pyarrow, which workers need not load

            folder = OutputFolder(out)
            check_format(fmt)
            folder.check_writable()
            with folder, Plots(executor if running.local else None) as plots:
                if not resume:
                    checkpoint.discard()  # start afresh (under the folder's lock: no other run uses it)
                with TableWriter(folder.staging, fmt, spec, settings.recovery_weeks, visits, shown_in=out) as tables:
                    result = run_with_progress(spec, params, settings, running, quiet, "simulating", tables.write,
                                               checkpoint=checkpoint, parts=parts, executor=executor,
                                               after_last_submitted=plots.park)
                plots.draw(result)
                summary = summarise(result)
                text = summary_text(summary)
                folder.write("summary.txt", text)
                folder.write("summary.json", summary_json(summary))
                folder.write("occupancy.csv", occupancy_csv(result))
                write_pictures(result, folder, plots)
    except (KeyboardInterrupt, WorkerLost) as err:
        stopped = "interrupted" if isinstance(err, KeyboardInterrupt) else "error: " + "; ".join(err.problems)
        click.echo(f"{stopped}: no files written", err=True)
        if kept := kept_chunks(checkpoint):
            click.echo(f"{kept}; run the same command with --resume to go on from them, or without it to start "
                       "afresh", err=True)
        sys.exit(130 if isinstance(err, KeyboardInterrupt) else 1)
    except CannotWrite as err:  # a full disk: one line; partial files are gone, whole chunks kept
        kept = kept_chunks(checkpoint)
        fail(err.problems[0].message + (f" ({kept}: free some space, then add --resume)" if kept else ""))
    except PathwayError as err:  # a bad --format or --out, a scheduler that cannot be reached
        fail(err)
    click.echo(text, nl=False)
    tables = f"patients.{fmt}, visits.{fmt}" if visits else f"patients.{fmt}"
    click.echo(f"\nwrote {out}/: summary.txt, summary.json, {tables}, occupancy.csv, flow.svg, occupancy.png, "
               "recovery.png")


def kept_chunks(checkpoint: Checkpoint) -> str | None:
    """"N finished chunk(s) kept in FOLDER" after a run that stopped, or None."""
    kept = len(checkpoint.saved())
    return f"{kept} finished chunk(s) kept in {checkpoint.folder}" if kept else None


def occupancy_csv(result: CohortResult) -> str:
    lines = [",".join(("week", *result.states))]
    lines += [",".join(map(str, (week, *row))) for week, row in enumerate(result.occupancy.tolist())]
    return "\n".join(lines) + "\n"


def plot_arguments(result: CohortResult) -> dict[str, tuple[tuple, dict]]:
    """The arguments of `occupancy_figure` and `recovery_figure` for a cohort, by plot."""
    spec = result.spec
    urgent = [s.id for s in spec.states if s.urgency >= Urgency.URGENT]
    targets = [(t.week, t.value, t.tolerance, cited(result.params, t.citations)) for t in result.params.calibration
               if t.week <= result.settings.weeks]
    counts = result.counts
    never = counts.patients - counts.present["first_improved_week"]
    return {
        "occupancy": ((result.occupancy, result.states, {s.id: s.label for s in spec.states}), {"urgent": urgent}),
        "recovery": ((counts.improved / counts.patients, counts.histogram["first_improved_week"], never, targets), {}),
    }


class Plots:
    """occupancy.png and recovery.png drawn by a local pool's workers (the same fonts as here, so the
    same bytes) as they come free after their last chunks: `park` queues a task per plot behind
    the chunks, which imports matplotlib and waits; `draw` sends the plots' data, the slower
    plot first (to the first worker ready). Without a pool (None) they are drawn here, by
    `write_pictures`. Leaving the context sends nothing-to-do to any task still waiting, so the
    pool can close."""

    def __init__(self, executor: concurrent.futures.Executor | None):
        self.executor = executor
        self.waiting: list[concurrent.futures.Future] = []
        self.sent = 0

    def park(self) -> None:
        if self.executor is not None and getattr(self.executor, "mailbox", None) is not None:
            self.waiting = [self.executor.submit(call_with_mail, "simulations.plots", "pngs") for _ in range(2)]

    def draw(self, result: CohortResult) -> None:
        if self.waiting:
            for kind, arguments in plot_arguments(result).items():  # occupancy first: the slower
                self._send((({kind: arguments},), {}))

    def drawn(self) -> dict[str, bytes]:
        """The PNG bytes drawn elsewhere, by plot (those a worker failed to draw are missing)."""
        found = {}
        for future in self.waiting:
            with contextlib.suppress(Exception):
                found.update(future.result() or {})
        return found

    def _send(self, mail) -> None:
        self.executor.mailbox.put(mail)
        self.sent += 1

    def __enter__(self) -> Plots:
        return self

    def __exit__(self, *error) -> None:
        while self.sent < len(self.waiting):
            self._send(None)


def cited(params: Parameters, ids) -> str:
    """Citations as a reader knows them ("Vroomen et al. NEJM 1999"), not by their ids."""
    refs = params.references
    return ", ".join(re.split(r";|, section", refs[i].source)[0].strip() if i in refs else i for i in ids)


def write_pictures(result: CohortResult, folder, plots: Plots | None = None) -> None:
    """flow.svg, occupancy.png and recovery.png into the OutputFolder; the plots as `plots` drew
    them, else drawn here."""
    from diagrams.diagram import Diagram
    from diagrams.model import build_model
    from diagrams.overlay import flow_overlay

    model = flow_overlay(build_model(result.spec), result.patients_by_edge, result.patients_by_state,
                         result.settings.patients)
    folder.write("flow.svg", Diagram(model).render("svg"))
    drawn = plots.drawn() if plots is not None else {}
    for kind, (args, kwargs) in plot_arguments(result).items():
        if kind not in drawn:
            from .plots import png

            drawn[kind] = png(kind, *args, **kwargs)
        folder.write(f"{kind}.png", drawn[kind])


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
    from .calibrate import calibration_table, fit, table_text, write_fitted

    settings_or_exit(patients, seed, 52)
    if fitted_out is not None:
        check_folder(fitted_out)  # before the work
    params = load_parameters_or_exit(parameters)
    rows = calibration_table(params, patients=patients, seed=seed)
    result = fit(params)
    click.echo(table_text(rows, result), nl=False)
    if fitted_out is not None:
        try:
            with writing(fitted_out):
                write_fitted(params.source, result.values, fitted_out)
        except CannotWrite as err:
            fail(err)
        click.echo(f"wrote {fitted_out} with the fitted values")
    if not all(row.passed for row in rows):
        sys.exit(1)
