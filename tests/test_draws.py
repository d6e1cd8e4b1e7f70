"""Counter-based draws: a pure function of their keys, uniform, and independent across keys."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulations.model.draws import Purpose, as_uniform, below, bound, hashes, normal, offset, patient_keys, uniform


def test_a_draw_depends_only_on_its_keys():
    weeks = np.arange(53)
    one_patient = uniform(5, 17, Purpose.COURSE, weeks, 10)
    many_patients = uniform(5, np.arange(40), Purpose.COURSE, weeks[:, None], 10)
    assert np.array_equal(many_patients[:, 17], one_patient)
    assert uniform(5, 17, Purpose.COURSE, 3, 10)[0] == one_patient[3]


def test_every_key_changes_the_number():
    base = uniform(1, 2, Purpose.VISITS, 3, 4)[0]
    for changed in (uniform(2, 2, Purpose.VISITS, 3, 4), uniform(1, 3, Purpose.VISITS, 3, 4),
                    uniform(1, 2, Purpose.HARM, 3, 4), uniform(1, 2, Purpose.VISITS, 4, 4),
                    uniform(1, 2, Purpose.VISITS, 3, 5)):
        assert changed[0] != base


def test_draws_are_uniform_and_uncorrelated_across_patients_weeks_and_slots():
    patients = np.arange(200_000)
    u = uniform(9, patients, Purpose.COURSE, 7, 10)
    assert 0 < u.min() and u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > 0.001
    for other in (uniform(9, patients, Purpose.COURSE, 8, 10), uniform(9, patients, Purpose.COURSE, 7, 11),
                  uniform(9, patients + 1, Purpose.COURSE, 7, 10)):
        assert abs(np.corrcoef(u, other)[0, 1]) < 0.01


def test_normal_draws_are_standard_normal():
    z = normal(3, np.arange(100_000), Purpose.IMAGING, 2, 10)
    assert np.isfinite(z).all()
    assert stats.kstest(z, "norm").pvalue > 0.001


def test_the_engines_fast_draws_are_the_same_numbers():
    """patient_keys + offset + hashes (the compiled engine's way) give `uniform`'s draws exactly."""
    patients = np.array([0, 1, 17, 2**30, 2**40 - 1], dtype=np.uint64)
    keys = patient_keys(patients)
    for seed, purpose, week, slot in ((1, Purpose.COURSE, 5, 10), (7, Purpose.PERSON, 0, 3), (2**20, Purpose.HARM, 65535, 255)):
        assert np.array_equal(as_uniform(hashes(keys, offset(seed, purpose, week, slot))),
                              uniform(seed, patients, purpose, week, slot))
    slots = offset(3, Purpose.IMAGING, 0, np.arange(5))
    assert np.array_equal(as_uniform(hashes(keys[:, None], slots)), uniform(3, patients[:, None], Purpose.IMAGING, 0, np.arange(5)))


def test_a_draw_is_below_a_probability_exactly_when_its_hash_is_below_the_bound():
    h = np.concatenate([
        np.random.default_rng(0).integers(0, 2**64 - 1, 20_000, dtype=np.uint64, endpoint=True),
        np.array([0, 2**11 - 1, 2**11, 2**63, 2**64 - 1, 2**63 + 2**11 - 1, (2**53 - 1) << 11], dtype=np.uint64),
    ])
    u = as_uniform(h)
    chosen = [0.0, 1.0, 0.5, 0.675, 2.0**-54, 1 - 2.0**-53, *u[:20], *np.nextafter(u[:20], 0), *np.nextafter(u[:20], 1)]
    for p in chosen:
        assert np.array_equal(below(h, float(p)), u < p), p
    assert bound(0.0) == 0 and bound(1.0) < 2**64
    with pytest.raises(ValueError):
        bound(1.5)


def test_the_extreme_hashes_give_finite_normal_draws():
    """The top hash's centre rounds to 1.0 in floating point (below no probability, as `bound`
    has it); its normal draw is kept finite, as the largest draw below 1 gives."""
    from simulations.model.draws import as_normal
    from simulations.model.normal import ndtri

    extremes = np.array([0, 1, 2**64 - 2**11, 2**64 - 1], dtype=np.uint64)
    assert as_uniform(extremes)[-1] == 1.0
    z = as_normal(extremes)
    assert np.all(np.isfinite(z)) and z[-1] == ndtri(np.nextafter(1.0, 0.0)) and z[0] == ndtri(0.5 * 2.0**-53)
