"""Costs and quality of life: unit costs and utilities checked when the parameter file loads, every
use priced, QALYs from the weeks improved, and `compare` giving incremental cost, QALYs and net
monetary benefit with paired intervals."""

from __future__ import annotations

import math

import pytest
from edits import broken_copy, line_of, replace
from test_parameters import FILE, broken, problems_of

from pathway import load_pathway, shipped_pathway
from simulations import load_parameters
from simulations.running.cohort import CohortSettings, simulate
from simulations.analyses.comparison import compare_cohorts
from simulations.results.summary import summarise

SPEC = load_pathway(shipped_pathway())
PARAMS = load_parameters()
SETTINGS = CohortSettings(patients=1500, seed=5, weeks=52)


@pytest.fixture(scope="module")
def cohort():
    return simulate(SPEC, PARAMS, SETTINGS, chunk_size=500, resamples=40)


def test_a_negative_cost_or_a_utility_above_one_is_refused_with_its_line(tmp_path):
    path = broken(tmp_path, ("    value: 219\n", "    value: -219\n"), ("    value: 0.86\n", "    value: 1.2\n"))
    problems = problems_of(path)
    assert f"{FILE}:{line_of(path, 'value: -219')}: `value` of parameter `costs.epidural` must be a cost in pounds " \
           "sterling from 0 to 1,000,000, not `-219`" in problems
    assert any(p.startswith(f"{FILE}:{line_of(path, 'value: 1.2')}:") and "EQ-5D utility" in p for p in problems)


def test_being_improved_must_be_worth_at_least_not_being_improved(tmp_path):
    path = broken(tmp_path, ("    value: 0.41\n", "    value: 0.9\n"))
    assert any("utility_not_improved" in p and "at least that of not being improved" in p for p in problems_of(path))


def test_every_use_is_priced_and_a_dearer_mri_costs_exactly_its_scans_more(cohort):
    summary = summarise(cohort)
    cost = summary.value("cost_per_patient")
    assert 0 < summary.value("cost_imaging_per_patient") < cost
    assert 0 < summary.value("cost_treatment_per_patient") < cost
    dearer = PARAMS.with_values({"costs.mri": PARAMS.value("costs.mri") + 100})
    again = summarise(simulate(SPEC, dearer, SETTINGS, chunk_size=500))
    mris = summary.value("mri_per_1000") / 1000
    assert math.isclose(again.value("cost_per_patient") - cost, 100 * mris, rel_tol=1e-9)
    assert again.value("qalys_per_patient") == summary.value("qalys_per_patient")


def test_qalys_lie_between_the_two_utilities_and_follow_them(cohort):
    qalys = summarise(cohort).value("qalys_per_patient")
    assert 0.41 < qalys < 0.86  # a year at the utilities of not improved and improved
    better = PARAMS.with_values({"quality_of_life.utility_not_improved": 0.86})
    assert math.isclose(summarise(simulate(SPEC, better, SETTINGS, chunk_size=500)).value("qalys_per_patient"), 0.86)


def test_net_benefit_is_qalys_at_the_threshold_less_the_cost(cohort):
    summary = summarise(cohort)
    for key, per_qaly in (("net_benefit_low", 20_000), ("net_benefit_high", 30_000)):
        expected = per_qaly * summary.value("qalys_per_patient") - summary.value("cost_per_patient")
        assert math.isclose(summary.value(key), expected, rel_tol=1e-12)


def test_later_years_are_discounted():
    two_years = CohortSettings(patients=300, seed=5, weeks=104)
    plain = summarise(simulate(SPEC, PARAMS.with_values({"quality_of_life.discount_per_year": 0.0}), two_years))
    discounted = summarise(simulate(SPEC, PARAMS, two_years))
    assert discounted.value("qalys_per_patient") < plain.value("qalys_per_patient")


def test_compare_gives_incremental_cost_qalys_and_net_benefit_with_intervals(cohort, tmp_path):
    four_weeks = broken_copy(
        tmp_path,
        replace("conditions.yaml", "(conservative_care_weeks >= 6 and", "(conservative_care_weeks >= 4 and"),
        replace("conditions.yaml", "persisting after 6 weeks", "persisting after 4 weeks"),
        replace("transitions.yaml", "persisting after 6 weeks", "persisting after 4 weeks"))
    sooner = simulate(load_pathway(four_weeks), PARAMS, SETTINGS, chunk_size=500, resamples=40)
    rows = {row.figure.key: row for row in compare_cohorts(cohort, sooner).rows}
    cost, qalys, benefit = rows["cost_per_patient"], rows["qalys_per_patient"], rows["net_benefit_low"]
    assert cost.difference > 0 and cost.low <= cost.difference <= cost.high  # earlier imaging costs more
    assert math.isclose(benefit.difference, 20_000 * qalys.difference - cost.difference, abs_tol=1e-6)
    same = {row.figure.key: row for row in compare_cohorts(cohort, cohort).rows}
    assert (same["net_benefit_high"].difference, same["net_benefit_high"].low, same["net_benefit_high"].high) == (0, 0, 0)
