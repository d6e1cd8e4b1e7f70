"""Counter-based draws: a pure function of their keys, uniform, and independent across keys."""

from __future__ import annotations

import numpy as np
from scipy import stats

from simulations.draws import Purpose, normal, uniform


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
