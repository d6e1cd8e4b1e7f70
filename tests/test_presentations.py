"""Presentations as they really arrive (issue 18): a red-flag screen with a sensitivity below 100%
(an atypical red flag is present but its screen findings do not show until it worsens; the
screen's misses are counted) and standing risk factors in patients without the disease (the
screen's false positives). A sensitivity of 1 and no risk factors give every trace of before."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from pathway import load_pathway, shipped_pathway
from simulations import CohortSettings, load_parameters, simulate, summarise
from simulations.engines.booking import red_flag_questions
from simulations.running.chunk import PATIENT_FIELDS, TEXT, Chunk
from simulations.engines.compiled import CompiledSimulator
from simulations.model.history import RED_FLAG_FINDINGS, RED_FLAGS, RISK_FACTORS, NaturalHistory

SPEC = load_pathway(shipped_pathway())
PARAMS = load_parameters()
SENSITIVITY = "red_flags.screen_sensitivity"
FLAGGED = PARAMS.with_values({**{f"red_flags.{c}": 0.06 for c in RED_FLAGS}, "visits.red_flag_presents_weekly": 0.5})
NEW_FIELDS = ("red_flag_missed_week",)  # outcome fields added with atypical presentations
# The new parameters at the values that leave the model as it was.
AS_BEFORE = {SENSITIVITY: 1.0, **{f"risk_factors.{name}": 0.0 for name in RISK_FACTORS}}

# Digests of the compiled engine's traces (every outcome field there was before, the states and
# improvement week by week, the visits and the transitions fired) made by the simulator before
# atypical presentations existed (commit db5131a; the shipped parameters' at the merge's first
# parent, after the fracture incidence changed), for (parameters, seed, first, last). A change
# that is meant to change the traces at a sensitivity of 1 must say so by replacing them.
BEFORE = {
    ("shipped", 7, 0, 3000): "5468fbdbb1172e363975ea6b77c5556a0a104c226c53ce6576ef07b2091489f3",
    ("flagged", 5, 1000, 2500): "2f4356d529f870b88e25f2e5b0da4892cd7902f69e3ba3756bc20ada36cbbb24",
}


def digest(chunk: Chunk) -> str:
    """SHA-256 of a chunk's traces, but the new fields, whatever integer widths the engine chose."""
    h = hashlib.sha256()
    for name in PATIENT_FIELDS:
        if name in NEW_FIELDS:
            continue
        values = chunk.patients[name]
        if name in TEXT:
            h.update("|".join(chunk.words[name][c] for c in values).encode())
        else:
            h.update(np.asarray(values, dtype=np.int64).tobytes())
    arrays = (chunk.improved, chunk.states.astype(np.int64), *(chunk.visits[k] for k in sorted(chunk.visits)),
              *(chunk.steps[k] for k in sorted(chunk.steps)))
    for array in arrays:
        h.update(np.ascontiguousarray(np.asarray(array, dtype=np.int64) if array.dtype != bool else array).tobytes())
    return h.hexdigest()


def run(params, seed: int, first: int, last: int) -> Chunk:
    return CompiledSimulator(SPEC, NaturalHistory(params), 52).run(seed, first, last)


@pytest.mark.parametrize("which, seed, first, last", list(BEFORE))
def test_a_sensitivity_of_1_and_no_risk_factors_give_the_traces_of_before(which, seed, first, last):
    params = {"shipped": PARAMS, "flagged": FLAGGED}[which].with_values(AS_BEFORE)
    chunk = run(params, seed, first, last)
    assert digest(chunk) == BEFORE[which, seed, first, last]
    assert (chunk.patients["red_flag_missed_week"] == -1).all()


@pytest.mark.parametrize("changed", [SENSITIVITY, "risk_factors.osteoporosis"])
def test_the_digest_sees_a_change(changed):
    """Not vacuous: either new parameter at its shipped value changes some patients' traces."""
    params = FLAGGED.with_values({**AS_BEFORE, changed: PARAMS.value(changed)})
    assert digest(run(params, 5, 1000, 2500)) != BEFORE["flagged", 5, 1000, 2500]


def test_the_shipped_sensitivity_is_henschkes_share_and_says_how_it_is_used():
    parameter = PARAMS[SENSITIVITY]
    assert parameter.value == 0.45
    assert set(parameter.citations) == {"henschke-2009", "project-assumption"}
    assert "5 of the 11" in parameter.note
    assert "atypical" in parameter.note and "worsens" in parameter.note


def summary(sensitivity: float, params=FLAGGED, patients: int = 3000, **values):
    settings = CohortSettings(patients=patients, seed=13)
    return summarise(simulate(SPEC, params.with_values({SENSITIVITY: sensitivity, **values}), settings, chunk_size=1000))


def test_missed_red_flags_when_the_screen_misses_and_none_when_it_does_not():
    """Issue 18's "done means": missed red flags are counted below a sensitivity of 1, none at 1."""
    assert summary(1.0).value("red_flags_missed") == 0
    missed = [summary(s).value("red_flags_missed") for s in (0.45, 0.0)]
    assert 0 < missed[0] < missed[1]


def test_escalation_takes_longer_when_the_screen_misses_more():
    figures = {s: summary(s) for s in (1.0, 0.45, 0.0)}
    for key in ("escalation_delay_median", "escalation_delay_p95", "red_flags_worsened"):
        low, shipped, none = (figures[s].value(key) for s in (1.0, 0.45, 0.0))
        assert low < shipped < none, key
    # Only red flags whose findings showed count as seen: the shipped pathway escalates each one.
    assert all(f.value("red_flags_never_escalated") == 0 for f in figures.values())


def _patient_with_a_red_flag(params, category: str):
    """A patient (drawn with the seed 1) with red flag `category` only and no standing risk factor,
    from its onset week."""
    model = NaturalHistory(params)
    for index in range(10_000):
        patient = model.patient(1, index, 52)
        if [f.category for f in patient.red_flags] == [category] and not patient.standing:
            patient.advance(patient.red_flags[0].onset)
            return patient
    raise AssertionError("no such patient")


def test_an_atypical_red_flag_is_not_recorded_until_it_worsens():
    params = FLAGGED.with_values({SENSITIVITY: 0.0})
    patient = _patient_with_a_red_flag(params, "fracture")
    questions = red_flag_questions(SPEC)
    found = patient.findings(questions, patient.week, {})
    assert patient.hidden_red_flags() and not patient.showing_red_flags()
    assert not any(found[q] for q in questions)  # the screen's answers are calm
    assert patient.xray_result() == "abnormal"  # what an X-ray shows is really there
    assert patient.unattended_red_flags()  # so it may worsen
    patient.worsen()
    found = patient.findings(questions, patient.week, {})
    assert not patient.hidden_red_flags() and patient.showing_red_flags()
    assert all(found[name] == value for name, value in RED_FLAG_FINDINGS["fracture"].items())


def test_a_typical_red_flag_shows_from_its_onset():
    patient = _patient_with_a_red_flag(FLAGGED.with_values({SENSITIVITY: 1.0}), "cauda_equina")
    found = patient.findings(red_flag_questions(SPEC), patient.week, {})
    assert patient.showing_red_flags() and not patient.hidden_red_flags()
    assert all(found[name] == value for name, value in RED_FLAG_FINDINGS["cauda_equina"].items())


# -- standing risk factors without the disease -------------------------------------------------------

def test_risk_factors_without_the_disease_drive_x_rays_and_excluded_work_ups():
    none = {f"risk_factors.{name}": 0.0 for name in RISK_FACTORS}
    fracture_risk = {**none, "risk_factors.osteoporosis": 0.2, "risk_factors.chronic_steroid_use": 0.05}
    before, after = (summary(0.45, PARAMS, **values) for values in (none, fracture_risk))
    assert after.value("xray_per_1000") > before.value("xray_per_1000") + 100
    assert after.value("urgent_work_ups_per_1000") > before.value("urgent_work_ups_per_1000")
    assert after.value("work_ups_confirmed_share") < before.value("work_ups_confirmed_share")
    for key in ("patients_with_red_flag", "red_flags_missed", "red_flags_never_escalated"):
        assert after.value(key) == before.value(key), key  # no red flag is made or hidden by them


def test_a_standing_risk_factor_is_answered_yes_at_every_visit_without_a_red_flag():
    params = PARAMS.with_values({"risk_factors.chronic_steroid_use": 0.5, "risk_factors.osteoporosis": 0.0})
    model, questions = NaturalHistory(params), red_flag_questions(SPEC)
    patients = [model.patient(1, index, 52) for index in range(40)]
    steroids = [p for p in patients if p.standing.get("chronic_steroid_use") and not p.red_flags]
    assert len(steroids) > 10 and any(not p.standing for p in patients)
    for patient in steroids[:5]:
        for week in (0, 10, 52):
            patient.advance(week)
            found = patient.findings(questions, week, {})
            assert found["chronic_steroid_use"] and not patient.showing_red_flags()
            assert [q for q in questions if found[q]] == ["chronic_steroid_use"]
