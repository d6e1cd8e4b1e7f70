"""Calibration: the exact chain matches the per-patient model, the fit meets the targets from a bad
start and stays inside its bounds, the check can fail, and fitted values write back losslessly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulations import load_parameters, shipped_parameters
from simulations.analyses.calibrate import (
    FAST_FRACTION,
    FAST_RATE,
    RECOVERY,
    RELAPSE_RATE,
    SLOW_RATE,
    calibration_table,
    expected_improved,
    fit,
    recovery_values,
    simulated_improved,
    table_text,
    write_fitted,
)

PATIENTS = 4000
WEEKS = (2, 4, 12, 52)


def with_recovery(tmp_path: Path, **values: float) -> Path:
    """A copy of the shipped parameters with some `recovery.*` values replaced (by short name)."""
    path = tmp_path / "parameters.yaml"
    write_fitted(shipped_parameters(), {f"recovery.{k}": v for k, v in values.items()}, path)
    return path


@pytest.fixture(scope="module")
def shipped():
    return load_parameters()


@pytest.mark.parametrize("values", [
    {},                                          # as shipped
    {"relapse_weekly_rate": 0.0},                # no relapse
    {"fast_fraction": 0.4, "fast_weekly_rate": 0.5, "slow_weekly_rate": 0.2, "relapse_weekly_rate": 0.05},
], ids=["shipped", "no-relapse", "high-relapse"])
def test_exact_chain_matches_simulation(tmp_path, values):
    params = load_parameters(with_recovery(tmp_path, **values))
    exact = expected_improved(params, 52)
    simulated = simulated_improved(params, PATIENTS, seed=11, weeks=52)
    assert exact[0] == simulated[0] == 0.0
    for week in WEEKS:
        error = np.sqrt(exact[week] * (1 - exact[week]) / PATIENTS)
        assert abs(simulated[week] - exact[week]) <= 3 * error, (week, exact[week], simulated[week])


def test_simulated_shares_are_those_of_the_reference_patients(shipped):
    """The block of patients `simulated_improved` advances is the reference engine's patients, week by week."""
    from simulations.model.history import NaturalHistory

    model, counts = NaturalHistory(shipped), np.zeros(53)
    for i in range(400):
        patient = model.patient(5, i, 52)
        for week in range(53):
            patient.advance(week)
            counts[week] += patient.improved
    assert np.array_equal(simulated_improved(shipped, 400, seed=5, weeks=52), counts / 400)


def test_chain_takes_values_by_name(shipped):
    values = recovery_values(shipped)
    assert np.array_equal(expected_improved(values, 52), expected_improved(shipped, 52))
    # without relapse the share improved never falls
    assert np.all(np.diff(expected_improved({**values, RELAPSE_RATE: 0.0}, 52)) >= 0)


def test_fit_meets_targets_from_a_bad_start(tmp_path):
    params = load_parameters(with_recovery(
        tmp_path, fast_fraction=0.45, fast_weekly_rate=0.3, slow_weekly_rate=0.25, relapse_weekly_rate=0.0))
    result = fit(params)
    assert result.cost < result.start_cost
    assert result.within_tolerance
    shares = expected_improved({**recovery_values(params), **result.values}, 52)
    for target in params.calibration:
        assert abs(shares[target.week] - target.value) <= target.tolerance, target.name


def test_fitted_values_lie_within_bounds(shipped):
    result = fit(shipped)
    assert set(result.values) == set(RECOVERY)
    for bound in shipped.free:
        assert bound.low <= result.values[bound.name] <= bound.high
    assert fit(shipped).values == result.values  # deterministic


def test_check_can_fail(tmp_path):
    path = with_recovery(tmp_path, fast_fraction=0.2)
    # 0.2 is below the fit's lower bound, which the loader enforces: widen it in the copy
    text = path.read_text(encoding="utf-8")
    assert text.count("recovery.fast_fraction: {low: 0.4,") == 1
    path.write_text(text.replace("recovery.fast_fraction: {low: 0.4,", "recovery.fast_fraction: {low: 0.1,"), encoding="utf-8")
    params = load_parameters(path)
    rows = {row.week: row for row in calibration_table(params, patients=2000, seed=3)}
    assert not rows[2].passed
    assert "FAIL" in table_text(list(rows.values()))


def test_table_text_reports_fit(shipped):
    rows = calibration_table(shipped, patients=500, seed=1)
    text = table_text(rows, fit(shipped))
    for name in (*(t.name for t in shipped.calibration), FAST_FRACTION, FAST_RATE, SLOW_RATE, RELAPSE_RATE):
        assert name in text
    assert "parameters.yaml" in text.splitlines()[-1]


def test_write_fitted_round_trip(tmp_path, shipped):
    result = fit(shipped)
    out = tmp_path / "fitted.yaml"
    write_fitted(shipped_parameters(), result.values, out)
    assert recovery_values(load_parameters(out)) == result.values
    # only the fitted `value:` lines change; comments and notes stay
    before = shipped_parameters().read_text(encoding="utf-8").splitlines()
    after = out.read_text(encoding="utf-8").splitlines()
    assert len(before) == len(after)
    changed = [a for b, a in zip(before, after) if a != b]
    assert len(changed) <= len(RECOVERY) and all(line.strip().startswith("value:") for line in changed)
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind


def test_the_shipped_parameters_pass_their_own_calibration(tmp_path):
    from click.testing import CliRunner

    from pathway.cli import main

    fitted = tmp_path / "fitted.yaml"
    result = CliRunner().invoke(main, ["calibrate", "--patients", "4000", "--fit", str(fitted)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("improved_by_week_")]
    assert len(lines) == 4 and all(" pass " in line for line in lines)
    assert load_parameters(fitted).calibration == load_parameters().calibration


def test_a_weekly_rate_above_one_is_explained_as_a_chance_each_week():
    """A fitted weekly rate of 1.165 is a hazard, not a share: the table says what it means."""
    from simulations.analyses.calibrate import _in_words

    assert _in_words("recovery.fast_weekly_rate", 1.165) == "a hazard: a 69% chance each week"
    assert _in_words("recovery.fast_fraction", 0.666) == "66.6%"
