"""A cohort's per-patient outcomes added up exactly, chunk by chunk: `Counts`, the outcome
figures' raw material (patients; per numeric outcome field the patients who have it and their
sum; histograms where a quantile is needed; improved per week), optionally one set per bootstrap
resample (a leading axis); and `quantile`, read off a histogram.

Everything is a whole number and adding is exact and order-independent, so counts (and every
figure computed from them) do not depend on the chunk size or on the order chunks are added.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np

from ..running.chunk import NONE, PATIENT_FIELDS, STATE, TEXT, Chunk

# Outcome fields counted and summed (whole numbers and yes/no; NONE means "did not happen").
NUMERIC = tuple(name for name in PATIENT_FIELDS if name not in TEXT + STATE)
# Fields whose distribution is kept, for quantiles and the recovery plot.
HISTOGRAMS = ("first_mri_week", "escalation_delay_weeks", "weeks_in_pathway", "first_improved_week")
# Joint counts a figure needs: name -> (field that must be true, field that must be present).
JOINT = {"mri_incidental_scanned": ("mri_incidental", "first_mri_week")}


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
        counts `weights[r, i]` times in resample r (see `bootstrap.poisson_weights`)."""
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


def divide(numerator, denominator, when_zero: float = np.nan) -> np.ndarray:
    """numerator / denominator in float64, `when_zero` where the denominator is 0 (a bootstrap
    resample may draw nobody with the figure's field; a cohort has at least one patient)."""
    numerator, denominator = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator == 0, when_zero, numerator / denominator)
