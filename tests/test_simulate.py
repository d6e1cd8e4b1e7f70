"""Simulated cohorts: reproducible to the byte, every patient accounted for every week, missed
red flags visible, and bad input refused before any work."""

from __future__ import annotations

import json

import attrs
import numpy as np
import pytest
from click.testing import CliRunner

from pathway.cli import main
from pathway.loader import load_pathway
from pathway.shipped import shipped_pathway
from pathway.spec import Urgency
from simulations import load_parameters
from simulations.cohort import CohortSettings, simulate
from simulations.comparison import compare_cohorts
from simulations.course import CourseSimulator, SimulationError
from simulations.history import RED_FLAG_FINDINGS, NaturalHistory
from simulations.summary import summarise

SPEC = load_pathway(shipped_pathway())
PARAMS = load_parameters()


def run_cli(*args):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


def folder_bytes(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def cohort():
    return simulate(SPEC, PARAMS, CohortSettings(patients=400, seed=11, weeks=52), chunk_size=64)


# -- reproducibility ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_same_seed_same_bytes_whatever_the_chunk_size(tmp_path, fmt):
    runs = []
    for chunk in (7, 50):
        out = tmp_path / f"chunk{chunk}"
        result = run_cli("simulate", "--patients", 120, "--seed", 5, "--weeks", 30, "--format", fmt,
                         "--chunk-size", chunk, "--out", out, "--quiet")
        assert result.exit_code == 0, result.output
        runs.append(folder_bytes(out))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {"summary.txt", "summary.json", f"patients.{fmt}", f"visits.{fmt}", "occupancy.csv",
                            "flow.svg", "occupancy.png", "recovery.png"}


def test_a_different_seed_gives_different_patients(tmp_path):
    for seed in (1, 2):
        assert run_cli("simulate", "--patients", 60, "--seed", seed, "--out", tmp_path / str(seed), "--quiet").exit_code == 0
    assert (tmp_path / "1" / "patients.csv").read_bytes() != (tmp_path / "2" / "patients.csv").read_bytes()


def test_a_patient_is_the_same_person_in_any_cohort():
    history = NaturalHistory(PARAMS)
    alone = CourseSimulator(SPEC, history, 52).run(seed=3, index=17)
    in_cohort = simulate(SPEC, PARAMS, CohortSettings(patients=20, seed=3), chunk_size=6)
    assert in_cohort.columns["age"][17] == alone.outcome.age
    assert in_cohort.columns["visits"][17] == alone.outcome.visits


# -- conservation ----------------------------------------------------------------------------------------

def test_every_patient_is_in_exactly_one_state_every_week(cohort):
    assert cohort.occupancy.shape == (53, len(SPEC.states))
    assert (cohort.occupancy.sum(axis=1) == 400).all()
    assert cohort.improved.shape == (400, 53)
    assert not np.isnan(cohort.columns["visits"]).any()


def test_every_patient_has_one_row_and_visits_in_week_order(tmp_path):
    out = tmp_path / "run"
    assert run_cli("simulate", "--patients", 80, "--seed", 2, "--format", "jsonl", "--out", out, "--quiet").exit_code == 0
    patients = [json.loads(line) for line in (out / "patients.jsonl").read_text().splitlines()]
    visits = [json.loads(line) for line in (out / "visits.jsonl").read_text().splitlines()]
    assert [p["id"] for p in patients] == [f"P{i:07d}" for i in range(80)]
    for p in patients:
        own = [v for v in visits if v["patient"] == p["id"]]
        assert len(own) == p["visits"] >= 1
        assert [v["week"] for v in own] == sorted(v["week"] for v in own)
        assert own[0]["reason"] == "first" and own[0]["week"] == 0
    occupancy = (out / "occupancy.csv").read_text().splitlines()
    assert all(sum(map(int, line.split(",")[1:])) == 80 for line in occupancy[1:])


def test_red_flags_reach_urgent_care_on_the_shipped_pathway(cohort):
    summary = summarise(cohort)
    assert summary.value("patients_with_red_flag") > 5
    assert summary.value("red_flags_never_escalated") == 0
    seen = summary.value("patients_with_red_flag") - summary.value("red_flags_not_seen")
    assert cohort.columns["escalation_delay_weeks"][~np.isnan(cohort.columns["escalation_delay_weeks"])].size >= seen
    urgent = [j for j, s in enumerate(cohort.states) if SPEC.state[s].urgency >= Urgency.URGENT]
    assert cohort.occupancy[-1, urgent].sum() >= seen


def test_a_pathway_without_red_flag_escalations_misses_red_flags():
    unsafe = attrs.evolve(SPEC, transitions=tuple(t for t in SPEC.transitions if not t.escalation))
    settings = CohortSettings(patients=400, seed=11)
    summary = summarise(simulate(unsafe, PARAMS, settings, chunk_size=100))
    safe = summarise(simulate(SPEC, PARAMS, settings, chunk_size=100))
    assert safe.value("red_flags_never_escalated") == 0
    # Some red flags still reach urgent care through the ordinary transitions (an abnormal X-ray
    # after a deferred X-ray); many do not.
    assert summary.value("red_flags_never_escalated") >= safe.value("patients_with_red_flag") / 3
    assert summary.value("red_flags_worsened") > safe.value("red_flags_worsened")


def test_every_red_flag_category_is_recorded_in_pathway_words():
    findings = SPEC.finding
    for category, shown in RED_FLAG_FINDINGS.items():
        for name, value in shown.items():
            assert findings[name].allows(value), (category, name)
    names = {f"red_flags.{c}" for c in RED_FLAG_FINDINGS}
    assert names <= set(PARAMS.parameters)


# -- comparing versions ------------------------------------------------------------------------------------

def test_a_pathway_compared_with_itself_differs_by_nothing(cohort):
    again = simulate(SPEC, PARAMS, cohort.settings, chunk_size=400)
    comparison = compare_cohorts(cohort, again, resamples=20)
    for row in comparison.rows:
        if np.isnan(row.old):
            assert np.isnan(row.new)
            continue
        assert row.difference == 0, row.figure.key
        assert (row.low, row.high) == (0, 0) or np.isnan(row.low), row.figure.key


def test_compare_shows_what_an_earlier_mri_changes(tmp_path):
    early = tmp_path / "early"
    import shutil

    shutil.copytree(shipped_pathway(), early)
    conditions = early / "conditions.yaml"
    text = conditions.read_text()
    assert '(conservative_care_weeks >= 6 and trend != "improving")' in text
    conditions.write_text(text.replace("conservative_care_weeks >= 6 and", "conservative_care_weeks >= 3 and"))
    result = run_cli("compare", shipped_pathway(), early, "--patients", 300, "--seed", 4, "--json", "--quiet",
                     "--resamples", 50)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["figures"]
    assert figures["imaging_without_indication_per_1000"]["difference"] > 0
    low, high = figures["imaging_without_indication_per_1000"]["interval"]
    assert 0 < low <= high
    assert figures["patients_with_red_flag"]["difference"] == 0  # the same people


# -- bad input -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (("--patients", 0), "--patients must be 1 or more, not 0"),
    (("--patients", -5), "--patients must be 1 or more, not -5"),
    (("--weeks", 0), "--weeks must be from 1 to 520"),
    (("--weeks", 600), "--weeks must be from 1 to 520"),
    (("--chunk-size", 0), "chunk size must be 1 or more, not 0"),
    (("--patients", 10**11), "needs about"),
    (("--patients", 2**40), "--patients must be under 1,099,511,627,776"),
])
def test_bad_settings_are_refused_before_any_work(tmp_path, args, message):
    out = tmp_path / "run"
    result = run_cli("simulate", *args, "--out", out, "--quiet")
    assert result.exit_code == 1
    assert message in result.output
    assert not out.exists() or not any(out.iterdir())


def test_an_output_path_that_is_a_file_is_refused(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("keep me")
    result = run_cli("simulate", "--patients", 5, "--out", blocker, "--quiet")
    assert result.exit_code != 0
    assert "taken" in result.output
    assert blocker.read_text() == "keep me"


def test_an_output_folder_that_cannot_be_created_is_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_cli("simulate", "--patients", 5, "--out", blocker / "sub", "--quiet")
    assert result.exit_code == 1
    assert "cannot write" in result.output


def test_an_interrupted_run_leaves_no_files(tmp_path, monkeypatch):
    import simulations.cohort as cohort_module

    real = cohort_module.CohortResult.add
    calls = []

    def interrupt(self, first, runs):
        calls.append(first)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(self, first, runs)

    monkeypatch.setattr(cohort_module.CohortResult, "add", interrupt)
    out = tmp_path / "run"
    out.mkdir()
    (out / "summary.txt").write_text("an earlier run")
    result = run_cli("simulate", "--patients", 30, "--chunk-size", 10, "--out", out, "--quiet")
    assert result.exit_code == 130
    assert "interrupted" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["summary.txt"]  # no staging folder, no partial tables
    assert (out / "summary.txt").read_text() == "an earlier run"


def test_a_bad_parameter_file_names_file_and_line(tmp_path):
    bad = tmp_path / "parameters.yaml"
    text = load_parameters().source
    from pathlib import Path

    bad.write_text(Path(text).read_text().replace("value: 0.675", "value: 1.675"))
    result = run_cli("simulate", "--parameters", bad, "--patients", 5, "--out", tmp_path / "run", "--quiet")
    assert result.exit_code == 1
    line = next(i for i, l in enumerate(bad.read_text().splitlines(), 1) if "1.675" in l)
    assert f"{bad}:{line}:" in result.output
    assert "1.675" in result.output and "from 0 to 1" in result.output


def test_a_state_waiting_for_a_result_nobody_produces_is_refused():
    odd = attrs.evolve(SPEC.state["epidural_injection"], care_step=SPEC.state["surgical_referral"].care_step)
    spec = attrs.evolve(SPEC, states=tuple(odd if s.id == odd.id else s for s in SPEC.states))
    with pytest.raises(SimulationError, match="state `epidural_injection` waits for a result"):
        CourseSimulator(spec, NaturalHistory(PARAMS), 52)
