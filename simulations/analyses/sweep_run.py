"""A sweep run: one cohort per parameter set and strategy, each cohort a task for a worker that
runs it whole (its patients in consecutive chunks) and sends back only its figures, so the sets
spread over the workers instead of each set's few chunks. A task is a pure function of (pathway,
parameters, cohort, engine): the results, taken in set order, are the same whatever runs them.
"""

from __future__ import annotations

import collections
import concurrent.futures
from collections.abc import Callable

import attrs

from pathway.spec import PathwaySpec

from ..engines.outcome import SimulationError
from ..model.parameters import Parameters
from ..results.totals import Totals
from ..running.chunk import Parts
from ..running.cohort import CohortResult, CohortSettings, default_chunk
from ..running.execution import ChunkJob, WorkerLost, run_and_total
from .sweep import Plan

ECONOMIC = ("cost_per_patient", "qalys_per_patient")  # kept for every cohort of a sweep with strategies
SLIM = Parts(improved_weeks=(), visits=False)  # totals are made before slimming: send back nothing else


@attrs.frozen
class SetResult:
    number: int  # from 1
    values: tuple[float, ...]  # the varied parameters', in the plan's order
    parameters_hash: str  # of the set's parameters (`Parameters.with_values`)
    figures: tuple[float, ...]  # the reported figures', in the plan's order
    strategy: str = ""  # the strategy's name ("" for a sweep without strategies)
    economic: tuple[float, ...] = ()  # cost and QALYs per patient (ECONOMIC), with strategies


@attrs.frozen
class SweepResult:
    plan: Plan
    spec: PathwaySpec  # the reference strategy's, or the only pathway's
    base: Parameters
    sets: tuple[SetResult, ...]  # by set, then strategy in file order


@attrs.frozen
class CohortTask:
    """One set's cohort on one pathway: what a worker needs to give its figures."""

    spec: PathwaySpec
    params: Parameters
    settings: CohortSettings
    engine: str
    chunk_size: int
    keys: tuple[str, ...]


def cohort_figures(task: CohortTask) -> tuple[float, ...]:
    """The task's cohort, run in consecutive chunks here, and its figures named by `keys`."""
    from ..results.summary import summarise

    s = task.settings
    totals = Totals.zero(task.spec, s.weeks)
    if task.engine == "compiled":
        simulator = compiled_simulator(task.spec, task.params, s.weeks)
    else:
        job = ChunkJob(task.spec, task.params, s.weeks, s.seed, task.engine, SLIM)
    for first in range(0, s.patients, task.chunk_size):
        last = min(first + task.chunk_size, s.patients)
        if task.engine == "compiled":
            totals = totals + Totals.from_chunk(simulator.run(s.seed, first, last, False), task.spec, s.weeks)
        else:
            totals = totals + run_and_total(job, first, last)[1]
    summary = summarise(CohortResult(task.spec, task.params, s, totals))
    return tuple(float(summary.value(key)) for key in task.keys)


_BUILT: dict[tuple[str, int], object] = {}  # per process: each strategy's compiled engine, built once


def compiled_simulator(spec: PathwaySpec, params: Parameters, weeks: int):
    """The compiled engine for this pathway with these parameters. Building one compiles the
    pathway's guards and routes, which is most of a small cohort's time, and depends on the
    pathway alone: the engine is built once per pathway and only its natural history and waits
    (what the parameters decide) are swapped in per set. tests/test_psa.py holds a swapped
    engine to the chunks of a freshly built one."""
    import copy

    from ..engines.booking import FixedWaits
    from ..engines.compiled import CompiledSimulator
    from ..engines.compiled.checks import check_findings
    from ..model.history import NaturalHistory

    history = NaturalHistory(params)
    built = _BUILT.get((spec.content_hash, weeks))
    if built is None:
        built = _BUILT[(spec.content_hash, weeks)] = CompiledSimulator(spec, history, weeks)
        return built
    simulator = copy.copy(built)
    simulator.history, simulator.waits = history, FixedWaits.of(params)
    # What the check reads of the history: the values recorded, and which risk factors occur.
    checked = (spec.content_hash, weeks, repr(history.pain), repr(history.weakness),
               tuple(p > 0 for p in history.risk_factor))
    if checked not in _CHECKED:
        check_findings(spec, history, weeks, simulator.questions)
        _CHECKED.add(checked)
    return simulator


_CHECKED: set[tuple] = set()


def run_sweep(plan: Plan, spec: PathwaySpec, base: Parameters, on_set: Callable[[SetResult], None] | None = None,
              engine: str = "compiled", executor: concurrent.futures.Executor | None = None,
              chunk_size: int | None = None, in_flight: int = 16) -> SweepResult:
    """Every parameter set on every strategy (or on `spec` alone), in set order; the cohorts run
    here or on `executor`, at most `in_flight` waiting at once."""
    arms = [(s.name, s.spec) for s in plan.strategies] or [("", spec)]
    keys = plan.report + (ECONOMIC if plan.strategies else ())
    chunk = default_chunk(engine) if chunk_size is None else chunk_size
    if chunk < 1:
        raise SimulationError([f"chunk size must be 1 or more, not {chunk}"])
    tasks = []
    for number in range(1, len(plan.sets) + 1):
        params = base.with_values(plan.values(number))
        tasks += [(number, params.content_hash, name, CohortTask(arm, params, plan.settings, engine, chunk, keys))
                  for name, arm in arms]
    results = []
    for (number, hash_, name, _), figures in zip(tasks, _run(tasks, executor, in_flight)):
        n = len(plan.report)
        result = SetResult(number, plan.sets[number - 1], hash_, figures[:n], name, figures[n:])
        results.append(result)
        if on_set is not None:
            on_set(result)
    return SweepResult(plan, arms[0][1], base, tuple(results))


def _run(tasks, executor, in_flight: int):
    """Each task's figures, in the order given."""
    if executor is None:
        for *_, task in tasks:
            yield cohort_figures(task)
        return
    waiting, pending = iter(tasks), collections.deque()

    def submit_next() -> None:
        nxt = next(waiting, None)
        if nxt is not None:
            pending.append((nxt[0], executor.submit(cohort_figures, nxt[-1])))

    try:
        for _ in range(in_flight):
            submit_next()
        while pending:
            number, future = pending.popleft()
            submit_next()
            yield _result(future, number)
    finally:
        for _, future in pending:
            future.cancel()


def _result(future: concurrent.futures.Future, number: int) -> tuple[float, ...]:
    try:
        return future.result()
    except concurrent.futures.process.BrokenProcessPool:
        raise WorkerLost([f"a worker process stopped unexpectedly (killed, or out of memory?) while running "
                          f"parameter set {number:,}"]) from None
