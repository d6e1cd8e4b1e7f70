"""Run a cohort: patients in chunks through one engine, each chunk folded into the totals and
streamed to the output tables as it finishes, so only per-patient figures stay in memory.

Patient `i` is the same person whatever the chunk size (its random streams are keyed by seed
and `i`), and chunks are folded in patient order, so results do not depend on chunking.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence

import attrs
import numpy as np

from pathway.spec import PathwaySpec

from .course import CourseSimulator, Outcome, PatientRun, SimulationError
from .draws import MAX_PATIENT
from .history import NaturalHistory
from .parameters import Parameters

MAX_WEEKS = 520  # the pathway's `week` input stops here
RECOVERY_WEEKS = (2, 4, 12, 52)  # proportions recovered reported (the calibration weeks)
# Outcome fields kept in memory for the summary (numbers; None becomes NaN).
NUMERIC = tuple(
    f.name for f in attrs.fields(Outcome) if f.name not in ("id", "recovery", "mimic", "red_flags", "final_state", "improved")
)


@attrs.frozen
class CohortSettings:
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
        if self.seed < 0:
            problems.append(f"--seed must be 0 or more, not {self.seed}")
        if problems:
            raise SimulationError(problems)

    @property
    def recovery_weeks(self) -> tuple[int, ...]:
        return tuple(w for w in RECOVERY_WEEKS if w <= self.weeks)

    def memory_needed(self) -> int:
        """Bytes the in-memory totals take: one float per figure and a byte per week, per patient."""
        return self.patients * (8 * len(NUMERIC) + self.weeks + 1)


def check_fits_in_memory(settings: CohortSettings) -> None:
    """Refuse, before any work, a cohort whose totals would not fit in half the free memory."""
    try:
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not every platform says
        return
    needed = settings.memory_needed()
    if needed > free // 2:
        raise SimulationError([
            f"a cohort of {settings.patients:,} patients over {settings.weeks} weeks needs about "
            f"{needed / 2**30:.1f} GiB for its totals, more than half the {free / 2**30:.1f} GiB free; "
            "run fewer patients (or several seeds and combine them)"
        ])


@attrs.define
class CohortResult:
    """What the summary, the plots and the comparison read."""

    spec: PathwaySpec
    params: Parameters
    settings: CohortSettings
    columns: dict[str, np.ndarray]  # per patient, in patient order
    improved: np.ndarray  # (patients, weeks + 1) bool: improved at the end of each week
    occupancy: np.ndarray  # (weeks + 1, states) patients resting in each state
    states: tuple[str, ...]
    patients_by_edge: Counter  # diagram edge id (transition id, or escalation declaration id) -> patients
    patients_by_state: Counter  # state id -> patients ever in it
    visits: int = 0

    @classmethod
    def empty(cls, spec: PathwaySpec, params: Parameters, settings: CohortSettings) -> CohortResult:
        n, weeks = settings.patients, settings.weeks
        states = tuple(s.id for s in spec.states)
        return cls(
            spec, params, settings, {name: np.full(n, np.nan) for name in NUMERIC},
            np.zeros((n, weeks + 1), dtype=bool), np.zeros((weeks + 1, len(states)), dtype=np.int64),
            states, Counter(), Counter(),
        )

    def add(self, first: int, runs: Sequence[PatientRun]) -> None:
        column = {s: j for j, s in enumerate(self.states)}
        # The diagram draws each escalation once (by its declaration id), every other transition as itself.
        edge_of = {t.id: t.base_id if t.escalation else t.id for t in self.spec.transitions}
        for i, run in enumerate(runs, first):
            for name in NUMERIC:
                value = getattr(run.outcome, name)
                self.columns[name][i] = np.nan if value is None else float(value)
            self.improved[i] = run.outcome.improved
            for week, state in enumerate(run.states):
                self.occupancy[week, column[state]] += 1
            self.patients_by_edge.update({edge_of[t] for t in run.transitions})
            entered = {v.start for v in run.visits} | {s for v in run.visits for s in v.path.split(">") if s}
            self.patients_by_state.update(entered)
            self.visits += len(run.visits)


def simulate(
    spec: PathwaySpec,
    params: Parameters,
    settings: CohortSettings,
    chunk_size: int = 1000,
    on_chunk: Callable[[Sequence[PatientRun]], None] | None = None,
) -> CohortResult:
    """Run the cohort; `on_chunk` receives each chunk's runs in patient order (to stream tables
    and show progress)."""
    if chunk_size < 1:
        raise SimulationError([f"chunk size must be 1 or more, not {chunk_size}"])
    simulator = CourseSimulator(spec, NaturalHistory(params), settings.weeks)
    result = CohortResult.empty(spec, params, settings)
    for first in range(0, settings.patients, chunk_size):
        last = min(first + chunk_size, settings.patients)
        runs = [simulator.run(settings.seed, i) for i in range(first, last)]
        result.add(first, runs)
        if on_chunk is not None:
            on_chunk(runs)
    return result
