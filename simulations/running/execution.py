"""Where a cohort's chunks run: in this process, in worker processes, or on a Dask cluster.

A chunk is a pure function of (pathway, parameters, weeks, seed, engine, first, last): any
worker can run any chunk, and results are taken in patient order, so the output is the same
byte for byte whatever the number of workers, the chunk size or the engine.

Any `concurrent.futures.Executor` will do (a process pool, `dask.distributed`'s
`client.get_executor()`, ...). At most a few chunks are in flight at once, so memory stays
flat however large the cohort. A worker or cluster lost mid-run becomes a `WorkerLost` error
naming how far the run got; nothing is written (see cohort.simulate for resuming).
"""

from __future__ import annotations

import collections
import concurrent.futures
import importlib
import multiprocessing
import os
import queue
import re
import sys
import threading
from collections.abc import Iterable, Iterator

import attrs

from pathway.spec import PathwaySpec

from ..engines.course import CourseSimulator, SimulationError
from ..model.history import NaturalHistory
from ..model.parameters import Parameters
from ..results.totals import Totals
from .chunk import Chunk, Parts, from_runs
from .lifeline import die_with_parent

ENGINES = ("compiled", "reference")


class WorkerLost(SimulationError):
    """A worker process or the cluster went away before the run finished."""


@attrs.frozen
class ChunkJob:
    """Everything a worker needs for any chunk of one cohort (small, and pickled once per chunk)."""

    spec: PathwaySpec
    params: Parameters
    weeks: int
    seed: int
    engine: str = "compiled"
    parts: Parts | None = None  # send back slim chunks with these parts (None: whole chunks)
    capacity: object = None  # capacity.file.Capacity: catchments sharing their slots (None: fixed waits)
    catchments: tuple = ()  # with capacity: (first, last) of every catchment; a chunk holds whole ones

    def __attrs_post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise SimulationError([f"--engine is `{self.engine}`; allowed: {', '.join(ENGINES)}"])


_SIMULATORS: dict[tuple, object] = {}  # per process: build each engine once, not once per chunk


def run_chunk(job: ChunkJob, first: int, last: int) -> Chunk:
    """Patients first .. last - 1 of the cohort, run by the job's engine."""
    key = (job.spec.content_hash, job.params.content_hash, job.weeks, job.engine)
    simulator = _SIMULATORS.get(key)
    if simulator is None:
        history = NaturalHistory(job.params)
        if job.engine == "compiled":
            from ..engines.compiled import CompiledSimulator

            simulator = CompiledSimulator(job.spec, history, job.weeks)
        else:
            simulator = CourseSimulator(job.spec, history, job.weeks)
        _SIMULATORS.clear()  # one cohort at a time per process; a sweep moves on to the next
        _SIMULATORS[key] = simulator
    if job.capacity is not None:
        from ..capacity.run import run_catchments

        return run_catchments(simulator, job, first, last)
    if job.engine == "compiled":  # a chunk sent back without its visits need not list them in order
        return simulator.run(job.seed, first, last, visits_in_order=job.parts is None or job.parts.visits)
    return from_runs(job.spec, first, [simulator.run(job.seed, i) for i in range(first, last)])


def run_and_total(job: ChunkJob, first: int, last: int) -> tuple[Chunk, Totals]:
    """A chunk and its totals: both made where the chunk runs, so a cluster shares that work too;
    the chunk slim when the job says so (less to send back)."""
    chunk = run_chunk(job, first, last)
    totals = Totals.from_chunk(chunk, job.spec, job.weeks)
    return (chunk if job.parts is None else chunk.slim(job.parts)), totals


def run_chunks(job: ChunkJob, ranges: Iterable[tuple[int, int]],
               executor: concurrent.futures.Executor | None = None, in_flight: int = 3
               ) -> Iterator[tuple[Chunk, Totals]]:
    """Each range's chunk and its totals, in the order given: computed here, or on `executor`
    with at most `in_flight` chunks submitted and not yet taken."""
    if executor is None:
        for first, last in ranges:
            yield run_and_total(job, first, last)
        return
    ranges = iter(ranges)
    pending: collections.deque = collections.deque()

    def submit_next() -> None:
        nxt = next(ranges, None)
        if nxt is not None:
            pending.append((nxt, executor.submit(run_and_total, job, *nxt)))

    try:
        for _ in range(max(1, in_flight)):
            submit_next()
        while pending:
            (first, last), future = pending.popleft()
            chunk = _result(future, first)
            submit_next()
            yield chunk
    finally:
        for _, future in pending:
            future.cancel()


def _result(future: concurrent.futures.Future, first: int) -> tuple[Chunk, Totals]:
    try:
        return future.result()
    except SimulationError:
        raise  # the pathway or parameters: the same error as a single-process run gives
    except concurrent.futures.process.BrokenProcessPool:
        raise WorkerLost([f"a worker process stopped unexpectedly (killed, or out of memory?) while running "
                          f"patients from {first:,}"]) from None
    except Exception as err:  # a cluster gone away: the error types differ between executors
        if _lost(err):
            raise WorkerLost([f"the cluster went away while running patients from {first:,} "
                              f"({type(err).__name__}: {err})"]) from None
        raise


def _lost(err: BaseException) -> bool:
    names = {c.__name__ for c in type(err).__mro__}
    return bool(names & {"CancelledError", "CommClosedError", "KilledWorker", "FutureCancelledError",
                         "OSError", "TimeoutError", "ConnectionError"})


def process_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """A pool of `workers` processes, started at once, each importing the engine before its first
    chunk. On Linux, when this process has no other thread yet (the pool is made before anything
    else starts one), they are forked from it: quick to start, with what it has imported already;
    otherwise they come from a fork server (safe where a plain fork of a threaded parent is not)."""
    if workers < 1:
        raise SimulationError([f"--workers must be 1 or more, not {workers}"])
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["simulations.running.execution", "simulations.engines.compiled"])
    mailbox = context.Queue()  # made before the workers, who inherit it
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_prepare,
                                                  initargs=(mailbox,))
    pool.mailbox = mailbox  # what is put here goes to a task waiting in `call_with_mail`
    pool.submit(int)  # start the workers now (they prepare while this process goes on), not at the first chunk
    return pool


_MAILBOX = None  # in a pool's worker: the pool's mailbox


def _prepare(mailbox) -> None:
    """In a new worker: end with the parent however it ends (simulations.running.lifeline), keep the
    mailbox, import what every chunk needs (the engine)."""
    global _MAILBOX
    die_with_parent()
    _MAILBOX = mailbox
    from ..engines import compiled  # noqa: F401


def call_with_mail(module: str, function: str):
    """In a pool's worker: import `module`, then wait for `(args, kwargs)` put in the pool's mailbox
    and return `module.function(*args, **kwargs)`: work made ready (imports done) before its data
    exists. None when None is put, or when the process that made the pool has gone."""
    target = getattr(importlib.import_module(module), function)
    parent = os.getppid()
    while True:
        try:
            mail = _MAILBOX.get(timeout=1.0)
            break
        except queue.Empty:
            if os.getppid() != parent:
                return None
    if mail is None:
        return None
    args, kwargs = mail
    return target(*args, **kwargs)


# A host name or an [IPv6] address, then an optional port number.
SCHEDULER = re.compile(r"^(tcp|tls|inproc|ucx|ws|wss)://(\[[0-9a-fA-F:.]+\]|[^\s/:\[\]]+)(:\d{1,5})?$")


def dask_client(address: str, timeout: float = 10.0):
    """A `dask.distributed` Client for the scheduler at `address` (tcp://HOST:PORT); fails within
    `timeout` seconds with a clear message when the scheduler cannot be reached."""
    if not SCHEDULER.match(address):
        raise SimulationError([f"--scheduler is `{address}`; expected a Dask scheduler address such as tcp://HOST:PORT"])
    try:
        from distributed import Client
    except ImportError:
        raise SimulationError(["--scheduler needs Dask: pip install 'sciatica-pathway[dask]'"]) from None
    try:
        return Client(address, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise SimulationError([f"cannot reach the Dask scheduler at {address} within {timeout:g} s ({err}); "
                               "check the address and that the scheduler is running"]) from None
