"""How a command runs a cohort: --engine, --workers, --scheduler and --chunk-size as `Running`,
and the cohort run with a progress bar."""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import sys
from collections.abc import Iterator

import attrs
import click

from pathway.errors import PathwayError
from pathway.files import CannotWrite

from .cli_inputs import fail
from .running.checkpoint import Checkpoint
from .running.chunk import Chunk, Parts
from .running.cohort import COMPILED_CHUNK, DEFAULT_CHUNK, CohortResult, default_chunk, simulate as run_cohort
from .running.execution import ENGINES, WorkerLost, dask_client, process_pool

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


def run_with_progress(spec, params, settings, running: Running, quiet, label, on_chunk=None, resamples=0,
                      checkpoint: Checkpoint | None = None, parts: Parts | None = None,
                      executor: concurrent.futures.Executor | None = None, after_last_submitted=None,
                      capacity=None) -> CohortResult:
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
                                  pool, checkpoint, parts, after_last_submitted, capacity,
                                  getattr(capacity, "catchments", 1))
        except (WorkerLost, CannotWrite):  # the caller says what is kept
            raise
        except PathwayError as err:
            fail(err)
