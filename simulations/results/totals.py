"""Exact integer totals of a cohort, built chunk by chunk: what the summary, the plots, the flow
diagram and the comparison read, so that memory does not grow with the number of patients.

`Totals` are a cohort's `Counts` (simulations.results.counts) with where the cohort rests each week, the
patients per diagram edge and per state, and the visits; adding them is exact and
order-independent, like adding counts.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np

from pathway.spec import PathwaySpec

from ..running.chunk import NONE, Chunk
from .counts import HISTOGRAMS, JOINT, NUMERIC, Counts


def diagram_edges(spec: PathwaySpec) -> tuple[tuple[str, ...], np.ndarray]:
    """The flow diagram's edge ids, and each transition's edge (an index into them): the diagram
    draws each red-flag escalation once, by its declaration id, and every other transition as itself."""
    names = tuple(t.base_id if t.escalation else t.id for t in spec.transitions)
    edges = tuple(dict.fromkeys(names))
    index = {e: j for j, e in enumerate(edges)}
    return edges, np.array([index[name] for name in names], dtype=np.int64)


def destinations(spec: PathwaySpec) -> np.ndarray:
    """Each transition's destination state (an index into spec.states), NONE for a stay: the
    states a visit enters are the destinations of its steps that are not stays."""
    state = {s.id: j for j, s in enumerate(spec.states)}
    return np.array([NONE if t.is_stay else state[t.dest] for t in spec.transitions], dtype=np.int64)


@attrs.define(eq=False)
class Totals:
    """A cohort's (or a chunk's) exact totals: its `Counts`, where it rests each week, and the
    patients per diagram edge and per state, as the summary, plots and flow diagram need them."""

    counts: Counts
    occupancy: np.ndarray  # (weeks + 1, states) patients resting in each state at the end of each week
    by_edge: np.ndarray  # (edges,) patients who took each diagram edge at least once (`diagram_edges`)
    by_state: np.ndarray  # (states,) patients ever in each state: a visit's start, or entered
    visits: int
    capacity: object = None  # capacity.totals.QueueTotals, with capacity (None: fixed waits)

    @classmethod
    def zero(cls, spec: PathwaySpec, weeks: int) -> Totals:
        edges, _ = diagram_edges(spec)
        states = len(spec.states)
        return cls(Counts.zero(weeks), np.zeros((weeks + 1, states), dtype=np.int64),
                   np.zeros(len(edges), dtype=np.int64), np.zeros(states, dtype=np.int64), 0)

    @classmethod
    def from_chunk(cls, chunk: Chunk, spec: PathwaySpec, weeks: int) -> Totals:
        """The chunk's totals, `weeks` being the weeks followed."""
        states = len(spec.states)
        if chunk.states.shape != (weeks + 1, chunk.n):
            raise ValueError(f"chunk has states of shape {chunk.states.shape}, expected ({weeks + 1}, {chunk.n})")
        occupancy = chunk.occupancy
        if occupancy is None:  # week w's states land in bins w * states .. (w + 1) * states - 1
            cells = np.add(chunk.states, np.arange(weeks + 1, dtype=np.intp)[:, None] * states, dtype=np.intp)
            occupancy = np.bincount(cells.ravel(), minlength=(weeks + 1) * states).reshape(weeks + 1, states)
        edges, edge_of = diagram_edges(spec)
        visit_patient = chunk.visits["patient"]
        step_patient = visit_patient[chunk.steps["visit"]]
        fired = chunk.steps["transition"]
        dest = destinations(spec)[fired]
        entered = dest != NONE
        ever_patient = np.concatenate([visit_patient, step_patient[entered]])
        ever_state = np.concatenate([chunk.visits["start"], dest[entered]])
        return cls(
            Counts.of(chunk),
            occupancy.astype(np.int64),
            _patients_per(step_patient, edge_of[fired], len(edges), chunk.first, chunk.n),
            _patients_per(ever_patient, ever_state, states, chunk.first, chunk.n),
            len(visit_patient),
            chunk.capacity,
        )

    def __add__(self, other: Totals) -> Totals:
        capacity = other.capacity if self.capacity is None else (
            self.capacity if other.capacity is None else self.capacity + other.capacity)
        return Totals(self.counts + other.counts, self.occupancy + other.occupancy,
                      self.by_edge + other.by_edge, self.by_state + other.by_state, self.visits + other.visits,
                      capacity)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Totals) and self.counts == other.counts and self.visits == other.visits
                and self.capacity == other.capacity
                and all(np.array_equal(a, b) for a, b in ((self.occupancy, other.occupancy),
                                                          (self.by_edge, other.by_edge),
                                                          (self.by_state, other.by_state))))

    def arrays(self) -> dict[str, np.ndarray]:
        """Every number as named arrays (for a checkpoint's .npy files); `from_arrays` reads them back."""
        c = self.counts
        named = {"patients": c.patients, "improved": c.improved, "occupancy": self.occupancy,
                 "by_edge": self.by_edge, "by_state": self.by_state, "visits": np.array(self.visits, dtype=np.int64)}
        for part in ("present", "total", "histogram", "joint"):
            named.update({f"{part}.{name}": values for name, values in getattr(c, part).items()})
        if self.capacity is not None:
            named.update(self.capacity.arrays())
        return named

    @classmethod
    def from_arrays(cls, named: Mapping[str, np.ndarray]) -> Totals:
        parts = {part: {name: named[f"{part}.{name}"] for name in names} for part, names in
                 (("present", NUMERIC), ("total", NUMERIC), ("histogram", HISTOGRAMS), ("joint", JOINT))}
        counts = Counts(named["patients"], parts["present"], parts["total"], parts["histogram"], parts["joint"],
                        named["improved"])
        from ..capacity.totals import QueueTotals

        return cls(counts, named["occupancy"], named["by_edge"], named["by_state"], int(named["visits"]),
                   QueueTotals.from_arrays(named))

    def patients_by_edge(self, spec: PathwaySpec) -> dict[str, int]:
        """Diagram edge id -> patients who took it, for the edges anyone took."""
        edges, _ = diagram_edges(spec)
        return {edges[j]: int(self.by_edge[j]) for j in np.flatnonzero(self.by_edge)}

    def patients_by_state(self, spec: PathwaySpec) -> dict[str, int]:
        """State id -> patients ever in it, for the states anyone was in."""
        return {spec.states[j].id: int(self.by_state[j]) for j in np.flatnonzero(self.by_state)}


def _patients_per(patient: np.ndarray, category: np.ndarray, categories: int, first: int, n: int) -> np.ndarray:
    """Patients per category, each patient counted once however often they had it (a yes/no
    grid of the chunk's patients by category: no sorting)."""
    seen = np.zeros((n, categories), dtype=bool)
    seen[patient - first, category] = True
    return np.count_nonzero(seen, axis=0).astype(np.int64)
