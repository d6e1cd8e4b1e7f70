"""Exact integer totals of a cohort, built chunk by chunk: what the summary, the plots, the flow
diagram and the comparison read, so that memory does not grow with the number of patients.

`Counts` are the outcome figures' raw material (patients; per numeric outcome field the patients
who have it and their sum; histograms where a quantile is needed; improved per week), optionally
one set per bootstrap resample (a leading axis). `Totals` add where the cohort rests each week,
the patients per diagram edge and per state, and the visits.

Everything is a whole number and adding is exact and order-independent, so totals (and every
figure computed from them) do not depend on the chunk size or on the order chunks are added.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs
import numpy as np

from pathway.spec import PathwaySpec

from .chunk import NONE, PATIENT_FIELDS, STATE, TEXT, Chunk
from .draws import WEEK_BITS, Purpose, uniform

# Outcome fields counted and summed (whole numbers and yes/no; NONE means "did not happen").
NUMERIC = tuple(name for name in PATIENT_FIELDS if name not in TEXT + STATE)
# Fields whose distribution is kept, for quantiles and the recovery plot.
HISTOGRAMS = ("first_mri_week", "escalation_delay_weeks", "weeks_in_pathway", "first_improved_week")
# Joint counts a figure needs: name -> (field that must be true, field that must be present).
JOINT = {"mri_incidental_scanned": ("mri_incidental", "first_mri_week")}

MAX_RESAMPLES = 2**WEEK_BITS  # the resample number is the draw's `week` key


# -- counts ------------------------------------------------------------------------------------------

@attrs.define(eq=False)
class Counts:
    """Per-patient outcomes added up. Every array has a leading `batch` shape: () for the cohort
    itself, (resamples,) for bootstrap resamples, each patient counted with its weight."""

    patients: np.ndarray  # (*batch,)
    present: dict[str, np.ndarray]  # NUMERIC field -> (*batch,) patients for whom it happened
    total: dict[str, np.ndarray]  # NUMERIC field -> (*batch,) its sum over those patients
    histogram: dict[str, np.ndarray]  # HISTOGRAMS field -> (*batch, values) patients per value
    joint: dict[str, np.ndarray]  # JOINT name -> (*batch,)
    improved: np.ndarray  # (*batch, weeks + 1) patients improved at the end of each week

    @classmethod
    def zero(cls, weeks: int, batch: tuple[int, ...] = ()) -> Counts:
        def zeros(*shape: int) -> np.ndarray:
            return np.zeros((*batch, *shape), dtype=np.int64)

        return cls(zeros(), {n: zeros() for n in NUMERIC}, {n: zeros() for n in NUMERIC},
                   {n: zeros(0) for n in HISTOGRAMS}, {n: zeros() for n in JOINT}, zeros(weeks + 1))

    @classmethod
    def of(cls, chunk: Chunk, weights: np.ndarray | None = None) -> Counts:
        """The chunk's counts; with `weights` (resamples, patients) whole numbers, each patient
        counts `weights[r, i]` times in resample r (see `poisson_weights`)."""
        if weights is None:
            return cls._unweighted(chunk)
        columns = {name: chunk.patients[name].astype(np.int64) for name in NUMERIC}
        has = np.stack([columns[name] != NONE for name in NUMERIC], axis=1)
        values = np.stack([np.maximum(columns[name], 0) for name in NUMERIC], axis=1)
        joint = np.stack([(columns[yes] == 1) & (columns[given] != NONE) for yes, given in JOINT.values()], axis=1)
        patients = weights.sum(axis=-1)
        present, total, joint_counts, improved = (
            _weighted_sum(weights, m) for m in (has, values, joint, chunk.improved.T))
        return cls(
            patients,
            {name: present[..., j] for j, name in enumerate(NUMERIC)},
            {name: total[..., j] for j, name in enumerate(NUMERIC)},
            {name: _histogram(columns[name], weights) for name in HISTOGRAMS},
            {name: joint_counts[..., j] for j, name in enumerate(JOINT)},
            improved,
        )

    @classmethod
    def _unweighted(cls, chunk: Chunk) -> Counts:
        """`of` without weights, column by column in the columns' own types (no int64 copies):
        NONE is -1 and every real value 0 or more, so a sum of the values present is the
        column's sum plus one for each NONE."""
        present, total = {}, {}
        for name in NUMERIC:
            column = chunk.patients[name]
            missing = 0 if column.dtype == bool else np.count_nonzero(column == NONE)
            present[name] = np.array(chunk.n - missing, dtype=np.int64)
            total[name] = np.array(column.sum(dtype=np.int64) + missing, dtype=np.int64)
        joint = {name: np.array(np.count_nonzero((chunk.patients[yes] == 1) & (chunk.patients[given] != NONE)),
                                dtype=np.int64) for name, (yes, given) in JOINT.items()}
        return cls(np.array(chunk.n, dtype=np.int64), present, total,
                   {name: _histogram(chunk.patients[name], None) for name in HISTOGRAMS}, joint,
                   chunk.improved.sum(axis=1, dtype=np.int64))

    @property
    def batch(self) -> tuple[int, ...]:
        return self.patients.shape

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.patients + other.patients,
            _add_each(self.present, other.present),
            _add_each(self.total, other.total),
            {name: _add_padded(a, other.histogram[name]) for name, a in self.histogram.items()},
            _add_each(self.joint, other.joint),
            self.improved + other.improved,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Counts) and _flat(self) == _flat(other)


def _weighted_sum(weights: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """sum over patients i of weights[..., i] * matrix[i, ...], as int64.

    A float64 matrix product (BLAS: ten times faster than NumPy's integer one on (resamples x
    patients) @ (patients x weeks)), and still exact integer arithmetic: every product and
    partial sum is a whole number below 2**53, which float64 represents exactly."""
    bound = int(weights.sum(axis=-1).max(initial=0)) * max(int(matrix.max(initial=0)), 1)
    assert bound < 2**53, "weighted counts too large to add exactly in float64"
    return (weights.astype(np.float64) @ matrix.astype(np.float64)).astype(np.int64)


def _histogram(values: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """Patients per value (0, 1, ...) of a field, leaving out NONE; with weights, one histogram
    per resample. Its length is the largest value present + 1: merged, the cohort's, whatever the chunks."""
    present = values != NONE
    values = values[present]
    if weights is None:
        return np.bincount(values).astype(np.int64)
    weights = weights[:, present]
    resamples, length = weights.shape[0], int(values.max(initial=-1)) + 1
    # Each resample's values shifted into their own block of `length` bins: one bincount for all.
    # The float64 sums are of whole numbers below 2**53, so exact.
    bins = (np.arange(resamples)[:, None] * length + values).ravel()
    counts = np.bincount(bins, weights=weights.ravel(), minlength=resamples * length)
    return counts.reshape(resamples, length).astype(np.int64)


def _add_each(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: a[name] + b[name] for name in a}


def _add_padded(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two histograms added, the shorter padded with zeros (their last axis is the value)."""
    length = max(a.shape[-1], b.shape[-1])
    return _padded(a, length) + _padded(b, length)


def _padded(a: np.ndarray, length: int) -> np.ndarray:
    return np.pad(a, [(0, 0)] * (a.ndim - 1) + [(0, length - a.shape[-1])])


def _flat(counts: Counts) -> list:
    """The counts as nested lists, histograms without trailing zeros: equal exactly when equal."""
    def trimmed(h: np.ndarray) -> list:
        used = np.flatnonzero(np.any(h != 0, axis=tuple(range(h.ndim - 1))))
        return h[..., : used[-1] + 1 if used.size else 0].tolist()

    return [counts.patients.tolist(), *({n: a.tolist() for n, a in d.items()} for d in (counts.present, counts.total, counts.joint)),
            {n: trimmed(h) for n, h in counts.histogram.items()}, counts.improved.tolist()]


def quantile(histogram: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile of the values counted in `histogram` (last axis: patients per value 0, 1,
    ...), exactly as ``np.quantile(values, q, method="inverted_cdf")`` on the values themselves
    (a weighted histogram: on each value repeated as often as its weight); NaN when empty.

    NumPy takes the sorted values' element at index ceil(n * q - 1), at least 0, with n * q
    computed in float64; that element is the first value whose cumulative count passes the index.
    """
    n = histogram.sum(axis=-1)
    position = n * q - 1.0  # float64, as NumPy computes it
    index = np.maximum(np.ceil(position), 0)
    cumulative = np.cumsum(histogram, axis=-1)
    value = (cumulative <= index[..., None]).sum(axis=-1).astype(np.float64)
    return np.where(n > 0, value, np.nan)


# -- the Poisson bootstrap ---------------------------------------------------------------------------

def _poisson_cdf(largest: int = 24) -> np.ndarray:
    """P(K <= k) for K ~ Poisson(1), k = 0..largest; the last is set to 1 (the tail beyond is
    below 1e-24, far under the resolution of a uniform draw)."""
    cdf = np.array([math.fsum(math.exp(-1.0) / math.factorial(j) for j in range(k + 1)) for k in range(largest + 1)])
    cdf[-1] = 1.0
    return cdf


POISSON_CDF = _poisson_cdf()


def poisson_weights(seed: int, first: int, n: int, resamples: int) -> np.ndarray:
    """(resamples, n) Poisson(1) weights for patients first .. first + n - 1: the number of times
    each patient is drawn in each bootstrap resample.

    Each weight is the inverse Poisson(1) CDF of a counter-based uniform keyed by (seed, patient,
    resample) (Purpose.BOOTSTRAP; the resample is the draw's `week`), so a patient's weights are
    the same in every chunk, worker and arm of a comparison.
    """
    if not 0 <= resamples <= MAX_RESAMPLES:
        raise ValueError(f"resamples must be from 0 to {MAX_RESAMPLES:,}, not {resamples:,}")
    patients = np.arange(first, first + n, dtype=np.uint64)[None, :]
    u = uniform(seed, patients, Purpose.BOOTSTRAP, week=np.arange(resamples, dtype=np.uint64)[:, None])
    u = u.reshape(resamples, n)
    # Smallest k with P(K <= k) >= u; min() guards a uniform that rounded to exactly 1.
    return np.minimum(np.searchsorted(POISSON_CDF, u, side="left"), len(POISSON_CDF) - 1).astype(np.int64)


# -- totals ------------------------------------------------------------------------------------------

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
        )

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.counts + other.counts, self.occupancy + other.occupancy,
                      self.by_edge + other.by_edge, self.by_state + other.by_state, self.visits + other.visits)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Totals) and self.counts == other.counts and self.visits == other.visits
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
        return named

    @classmethod
    def from_arrays(cls, named: Mapping[str, np.ndarray]) -> Totals:
        parts = {part: {name: named[f"{part}.{name}"] for name in names} for part, names in
                 (("present", NUMERIC), ("total", NUMERIC), ("histogram", HISTOGRAMS), ("joint", JOINT))}
        counts = Counts(named["patients"], parts["present"], parts["total"], parts["histogram"], parts["joint"],
                        named["improved"])
        return cls(counts, named["occupancy"], named["by_edge"], named["by_state"], int(named["visits"]))

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
