"""Run a cohort: patients in chunks through one engine, each chunk (a `Chunk` of columns) folded
into exact integer totals and handed to `on_chunk` (to stream the output tables) as it
finishes, so memory depends on the chunk size, not on the number of patients.

Patient `i` is the same person whatever the chunk size (its random streams are keyed by seed
and `i`), and totals are sums of whole numbers, so results do not depend on chunking.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import os
from collections.abc import Callable, Iterable, Iterator

import attrs
import numpy as np

from pathway.spec import PathwaySpec

from ..engines.outcome import SimulationError
from ..model.draws import MAX_PATIENT, MAX_SEED
from ..model.parameters import Parameters
from ..results.bootstrap import MAX_RESAMPLES, poisson_weights
from ..results.counts import Counts
from ..results.totals import Totals
from .checkpoint import Checkpoint
from .chunk import PATIENT_FIELDS, Chunk, Parts
from .execution import ChunkJob, run_chunks

MAX_WEEKS = 520  # the pathway's `week` input stops here
RECOVERY_WEEKS = (2, 4, 12, 52)  # proportions recovered reported (the calibration weeks)
DEFAULT_CHUNK = 1000  # the reference engine's: a chunk a second, for the progress bar
COMPILED_CHUNK = 125_000  # the compiled engine's: few per-week overheads (a million patients: 8 chunks, ~600 MB)
PARQUET_ROW_GROUP = 65_536  # rows per Parquet row group: fixed, so files do not depend on chunking
FORMATS = ("csv", "jsonl", "parquet")  # of the per-patient tables (outputs.py)
PATIENT_BYTES = 1024  # a patient's outcome columns (text included), weekly states and table row
VISIT_BYTES = 512  # a visit's columns, its steps, and its table row


@attrs.frozen
class CohortSettings:
    """The cohort to simulate: how many patients, the seed of their natural histories, the weeks followed."""

    patients: int
    seed: int
    weeks: int = 52

    def __attrs_post_init__(self) -> None:
        problems = []
        if self.patients < 1:
            problems.append(f"--patients must be 1 or more, not {self.patients}")
        if self.patients >= MAX_PATIENT:  # patient numbers must fit the random draws' counter
            problems.append(f"--patients must be under {MAX_PATIENT:,}, not {self.patients:,}")
        if not 1 <= self.weeks <= MAX_WEEKS:
            problems.append(f"--weeks must be from 1 to {MAX_WEEKS} (the pathway's week input), not {self.weeks}")
        if not 0 <= self.seed <= MAX_SEED:
            problems.append(f"--seed must be from 0 to {MAX_SEED:,}, not {self.seed}")
        if problems:
            raise SimulationError(problems)

    @property
    def recovery_weeks(self) -> tuple[int, ...]:
        return tuple(w for w in RECOVERY_WEEKS if w <= self.weeks)

    def memory_needed(self, chunk_size: int = DEFAULT_CHUNK, resamples: int = 0) -> int:
        """Bytes a run holds at once, a generous estimate: one chunk's columns and output tables
        (4 visits and one every 8 weeks; the shipped pathway averages 3 a year), a Parquet row
        group waiting to be written, and for a comparison the bootstrap weights and resampled
        counts of both arms. Nothing grows with the number of patients."""
        n = min(chunk_size, self.patients)
        visits = 4 + self.weeks // 8
        chunk = n * (PATIENT_BYTES + 3 * (self.weeks + 1) + visits * VISIT_BYTES)
        row_group = PARQUET_ROW_GROUP * (PATIENT_BYTES + VISIT_BYTES)
        bootstrap = resamples * (16 * n + 2 * 8 * (2 * len(PATIENT_FIELDS) + 4 * (self.weeks + 1)))
        return chunk + row_group + bootstrap



def check_fits_in_memory(settings: CohortSettings, chunk_size: int = DEFAULT_CHUNK, resamples: int = 0) -> None:
    """Refuse, before any work, a run whose chunks would not fit in half the free memory."""
    try:
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not every platform says
        return
    needed = settings.memory_needed(chunk_size, resamples)
    if needed > free // 2:
        raise SimulationError([
            f"a chunk of {min(chunk_size, settings.patients):,} patients over {settings.weeks} weeks needs about "
            f"{needed / 2**30:.1f} GiB, more than half the {free / 2**30:.1f} GiB free; use a smaller --chunk-size"
        ])


@attrs.define
class CohortResult:
    """What the summary, the plots and the comparison read: exact totals, never per-patient data."""

    spec: PathwaySpec
    params: Parameters
    settings: CohortSettings
    totals: Totals
    resampled: Counts | None = None  # (resamples,) Poisson-bootstrap counts, for a comparison
    capacity: object = None  # capacity.file.Capacity the cohort ran with (None: fixed waits)
    catchments: int = 1  # the cohort's catchments, with capacity

    @classmethod
    def empty(cls, spec: PathwaySpec, params: Parameters, settings: CohortSettings, resamples: int = 0,
              capacity=None, catchments: int = 1) -> CohortResult:
        resampled = Counts.zero(settings.weeks, (resamples,)) if resamples else None
        return cls(spec, params, settings, Totals.zero(spec, settings.weeks), resampled, capacity, catchments)

    def add(self, chunk: Chunk, totals: Totals | None = None) -> None:
        """Fold in a chunk (chunks may come in any order; each exactly once), with its totals
        when they were made already (by the worker that ran it)."""
        if totals is None:
            totals = Totals.from_chunk(chunk, self.spec, self.settings.weeks)
        self.totals = self.totals + totals
        if self.resampled is not None:
            weights = poisson_weights(self.settings.seed, chunk.first, chunk.n, self.resamples)
            self.resampled = self.resampled + Counts.of(chunk, weights)

    @property
    def resamples(self) -> int:
        return 0 if self.resampled is None else self.resampled.batch[0]

    @property
    def counts(self) -> Counts:
        return self.totals.counts

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.spec.states)

    @property
    def occupancy(self) -> np.ndarray:
        """(weeks + 1, states) patients resting in each state at the end of each week."""
        return self.totals.occupancy

    @property
    def patients_by_edge(self) -> dict[str, int]:
        """Diagram edge id (transition id, or escalation declaration id) -> patients."""
        return self.totals.patients_by_edge(self.spec)

    @property
    def patients_by_state(self) -> dict[str, int]:
        """State id -> patients ever in it."""
        return self.totals.patients_by_state(self.spec)

    @property
    def visits(self) -> int:
        return self.totals.visits


def chunk_ranges(patients: int, chunk_size: int) -> list[tuple[int, int]]:
    """(first, last) of each chunk, in patient order: chunks of `chunk_size`, but the last (at
    most 2 x chunk_size) patients in four chunks of half the size or less, so that workers run
    out of work at about the same time rather than one finishing a whole chunk alone."""
    whole = max(0, -(-patients // chunk_size) - 2)  # the chunks before the last two
    tail = patients - whole * chunk_size
    edges = [k * chunk_size for k in range(whole)] + [whole * chunk_size + (tail * k) // 4 for k in range(4)]
    edges = sorted(set(edges)) + [patients]
    return [(a, b) for a, b in itertools.pairwise(edges) if b > a]


def default_chunk(engine: str) -> int:
    return COMPILED_CHUNK if engine == "compiled" else DEFAULT_CHUNK


def simulate(
    spec: PathwaySpec,
    params: Parameters,
    settings: CohortSettings,
    chunk_size: int | None = None,
    on_chunk: Callable[[Chunk], None] | None = None,
    resamples: int = 0,
    engine: str = "compiled",
    executor: concurrent.futures.Executor | None = None,
    checkpoint: Checkpoint | None = None,
    parts: Parts | None = None,
    after_last_submitted: Callable[[], None] | None = None,
    capacity=None,
    catchments: int = 1,
) -> CohortResult:
    """Run the cohort in chunks, in patient order; `on_chunk` receives each `Chunk` (to stream
    tables and show progress). With `resamples`, also fold in that many Poisson-bootstrap
    resamples of the counts (for `compare_cohorts`), computed chunk by chunk.

    `engine`: "compiled" (whole chunks on arrays) or "reference" (the `transitions` machine, one
    patient at a time); they give identical results. `executor`: any concurrent.futures
    Executor to run chunks on (a process pool, `client.get_executor()` of a Dask client);
    results are the same byte for byte. `checkpoint`: keep each finished chunk there, and take
    the chunks already there instead of running them again (resuming a failed run). `parts`:
    `on_chunk` and the checkpoint get slim chunks, only these parts (`Chunk.slim`: what the tables
    need; less to send back from workers and to keep); not with `resamples`, which read whole chunks.
    `after_last_submitted`: called once the last chunk has been handed to the executor (to queue
    more work behind the chunks, which workers take up as they come free).
    `capacity` (capacity.file.Capacity): waits emerge from queues; the cohort is split into
    `catchments` independent catchments (each patient's queues are its catchment's); a chunk holds
    whole catchments, `chunk_size` patients or more.
    """
    chunk_size = default_chunk(engine) if chunk_size is None else chunk_size
    if chunk_size < 1:
        raise SimulationError([f"chunk size must be 1 or more, not {chunk_size}"])
    if not 0 <= resamples <= MAX_RESAMPLES:
        raise SimulationError([f"resamples must be from 0 to {MAX_RESAMPLES:,}, not {resamples:,}"])
    if parts is not None and resamples:
        raise ValueError("resamples read whole chunks: give no parts")
    job = ChunkJob(spec, params, settings.weeks, settings.seed, engine, parts)
    if capacity is None:
        ranges = chunk_ranges(settings.patients, chunk_size)
    else:
        from ..capacity.run import catchment_ranges, chunks_of_catchments

        if not 1 <= catchments <= settings.patients:
            raise SimulationError([f"--catchments must be from 1 to the number of patients "
                                   f"({settings.patients:,}), not {catchments:,}"])
        areas = tuple(catchment_ranges(settings.patients, catchments))
        job = attrs.evolve(job, capacity=capacity, catchments=areas)
        ranges = chunks_of_catchments(list(areas), chunk_size)
    saved = checkpoint.saved() if checkpoint is not None else set()
    computed = run_chunks(job, _then((r for r in ranges if r not in saved), after_last_submitted), executor)
    result = CohortResult.empty(spec, params, settings, resamples, capacity, catchments)
    for first, last in ranges:
        if (first, last) in saved:
            chunk, totals = checkpoint.load(first, last)
        else:
            chunk, totals = next(computed)
            if checkpoint is not None:
                checkpoint.save(chunk, totals)
        result.add(chunk, totals)
        if on_chunk is not None:
            on_chunk(chunk)
    return result


def _then(items: Iterable, done: Callable[[], None] | None) -> Iterator:
    """`items`, then a call of `done` once they are all taken."""
    yield from items
    if done is not None:
        done()
