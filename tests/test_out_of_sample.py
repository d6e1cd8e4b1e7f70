"""Out-of-sample checks (simulations/analyses/out_of_sample.py): published figures the model was not
fitted to, reported by `sciatica calibrate` beside the targets, within or outside their range."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pathway.cli import main
from simulations import ParameterError, load_parameters
from simulations.analyses.out_of_sample import FIGURES, Check, compare, load_checks, shipped_checks

RELAPSE = "recovery.relapse_weekly_rate"


@pytest.fixture(scope="module")
def params():
    return load_parameters()


def test_the_shipped_checks_load_and_each_names_a_known_figure_and_source(params):
    checks = load_checks(params)
    assert {c.figure for c in checks} == set(FIGURES)
    assert all(c.low <= c.value <= c.high and c.citation in params.references and c.note for c in checks)


def test_a_bad_checks_file_names_every_problem_with_its_line(params, tmp_path):
    bad = tmp_path / "checks.yaml"
    bad.write_text(
        "checks:\n"
        "  a:\n    figure: imaging_share\n    value: 0.1\n    range: [0, 1]\n    citation: suri-2012\n    note: n\n"
        "  b:\n    figure: one_visit_share\n    value: 1.5\n    range: [0, 1]\n    citation: suri-2012\n    note: n\n"
        "  c:\n    figure: one_visit_share\n    value: 0.5\n    range: [0.6, 0.9]\n    citation: nobody-2020\n    note: n\n",
        encoding="utf-8")
    with pytest.raises(ParameterError) as err:
        load_checks(params, bad)
    text = "\n".join(f"{p.where}: {p.message}" for p in err.value.problems)
    assert f"{bad}:3: unknown figure `imaging_share`" in text
    assert f"{bad}:10:" in text and "share from 0 to 1, not `1.5`" in text
    assert f"{bad}:11:" not in text  # a good range is not blamed for a bad value
    assert f"{bad}:17:" in text and "low <= value <= high, not [0.6, 0.9]" in text
    assert f"{bad}:18: unknown citation `nobody-2020`" in text


def test_recurrence_follows_the_relapse_rate_and_is_none_without_relapse(params):
    check = Check("r", "recurrence_within_year", 0.25, 0.15, 0.35, "suri-2012", "n")
    shipped, = compare((check,), params, 3000, 1)
    never, = compare((check,), params.with_values({RELAPSE: 0.0}), 3000, 1)
    half, = compare((check,), params.with_values({RELAPSE: params.value(RELAPSE) / 2}), 3000, 1)
    assert never.simulated == 0 and not never.within
    assert 0 < half.simulated < shipped.simulated


def test_calibrate_reports_the_checks_and_an_outside_figure_does_not_fail_it():
    result = CliRunner().invoke(main, ["calibrate", "--patients", "2000"])
    assert result.exit_code == 0, result.output
    checks = load_checks(load_parameters())
    table = result.output.split("out-of-sample check (not fitted)")[1]
    assert all(c.name in table for c in checks)
    assert ("OUTSIDE" in table) == ("outside its range:" in table)


def test_a_broken_checks_file_stops_calibrate_with_its_line(monkeypatch, tmp_path):
    bad = tmp_path / "checks.yaml"
    bad.write_text("checks: [1, 2]\n", encoding="utf-8")
    monkeypatch.setattr("simulations.analyses.out_of_sample.shipped_checks", lambda: bad)
    result = CliRunner().invoke(main, ["calibrate", "--patients", "500"])
    assert result.exit_code != 0 and f"{bad}:1" in result.output and "Traceback" not in result.output
    assert shipped_checks().is_file()
