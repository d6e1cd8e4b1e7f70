"""simulations.model.normal.ndtri is scipy.special.ndtri to the last bit, on every kind of draw the
simulator makes: the waits it draws must not move by a week, and a wait rounds up to whole weeks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtri as scipy_ndtri

from simulations.model.draws import Purpose, as_uniform, hashes, offset, patient_keys
from simulations.model.normal import EXP_M2, ndtri

SPACING = np.uint64(2**11)  # as_uniform reads the top 53 bits of a hash: neighbouring draws are this far apart


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype == np.float64 and np.array_equal(a.view(np.uint64), b.view(np.uint64))


def test_the_draws_the_simulator_makes():
    """Two million waits' draws, as the engines key them (imaging and treatment, slot 10)."""
    keys = patient_keys(np.arange(1_000_000))
    for purpose in (Purpose.IMAGING, Purpose.TREATMENT):
        u = as_uniform(hashes(keys, offset(7, purpose, 3, 10)))
        assert same_bits(ndtri(u), scipy_ndtri(u))


@pytest.mark.parametrize("end", ["lowest", "highest"])
def test_the_most_extreme_draws_there_are(end):
    """The 100,000 smallest and largest draws as_uniform can give (the largest is 1.0 exactly)."""
    k = np.arange(100_000, dtype=np.uint64)
    h = k * SPACING if end == "lowest" else np.uint64(2**64 - 1) - k * SPACING
    u = as_uniform(h)
    assert same_bits(ndtri(u), scipy_ndtri(u))


def test_every_branch_and_its_edges():
    """Deep tails (beyond exp(-32): the second tail polynomial), both sides of exp(-2) and of
    1 - exp(-2), the ends, and values outside [0, 1]."""
    edges = np.array([EXP_M2, 1.0 - EXP_M2, np.exp(-32.0), 0.5])
    near = np.concatenate([edges, *(np.nextafter(edges, side) for side in (0.0, 1.0))])
    u = np.concatenate([np.logspace(-300, -0.01, 300_000), 1.0 - np.logspace(-16, -0.01, 300_000), near,
                        np.linspace(0.0, 1.0, 100_001)])
    assert same_bits(ndtri(u), scipy_ndtri(u))
    assert ndtri(0.0) == -np.inf and ndtri(1.0) == np.inf
    assert np.isnan(ndtri(np.array([-0.5, 1.5, np.nan]))).all()


def test_shape_is_kept():
    u = np.array([[0.1, 0.5], [0.9, 0.999]])
    assert ndtri(u).shape == (2, 2)
    assert same_bits(ndtri(u), scipy_ndtri(u))
