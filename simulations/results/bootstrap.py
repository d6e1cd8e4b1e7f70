"""The Poisson bootstrap's weights: how many times each patient is drawn in each resample, the
same in every chunk, worker and arm of a comparison."""

from __future__ import annotations

import math

import numpy as np

from ..model.draws import WEEK_BITS, Purpose, uniform

MAX_RESAMPLES = 2**WEEK_BITS  # the resample number is the draw's `week` key


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
