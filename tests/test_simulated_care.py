"""What the simulated patients go through on the redesigned pathway: urgent work-ups that confirm
or exclude their red flag, returns after discharge, previous surgery recorded, CT for those who
cannot have MRI, and amended imaging orders counted once."""

from __future__ import annotations

import collections

import attrs
import numpy as np
import pytest

import pathway.engine
from pathway import load_pathway, shipped_pathway
from simulations import load_parameters
from simulations.running.chunk import REASONS
from simulations.engines.course import CourseSimulator, _Run
from simulations.running.execution import ChunkJob, run_chunk
from simulations.model.history import RED_FLAGS, RISK_FACTORS, NaturalHistory
from simulations.engines.orders import order_table
from simulations.engines.outcome import KINDS
from simulations.model.patient import Patient

SPEC = load_pathway(shipped_pathway())
PARAMS = load_parameters()
ORDERS = order_table(SPEC)
# Red flags in about a third of patients: plenty of work-ups.
FLAGGED = PARAMS.with_values({f"red_flags.{c}": 0.06 for c in RED_FLAGS})
# No standing risk factors: every work-up is for a red flag (none for a false positive of the screen).
NO_RISK_FACTORS = {f"risk_factors.{name}": 0.0 for name in RISK_FACTORS}


def chunk(params, patients: int, seed: int = 3, weeks: int = 52, spec=SPEC):
    return run_chunk(ChunkJob(spec, params, weeks, seed), 0, patients)


# -- urgent work-ups ------------------------------------------------------------------------------------

def test_work_ups_confirm_about_the_share_each_category_is_given():
    """Patients with one red-flag category: the share of their work-up results that confirm it is
    the category's `confirmed` parameter, within four standard errors."""
    c = chunk(FLAGGED, 20_000)
    p = c.patients
    results = p["work_ups_confirmed"] + p["work_ups_excluded"]
    checked = 0
    for code, words in enumerate(c.words["red_flags"]):
        if words not in RED_FLAGS:
            continue  # none, or more than one category
        these = (p["red_flags"] == code) & (results > 0)
        n = int(these.sum())
        expected = PARAMS.value(f"confirmed.{words}")
        share = (p["work_ups_confirmed"][these] > 0).mean()
        assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / n) + 1 / n, (words, n, share)
        checked += n > 100
    assert checked >= 5


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_every_work_up_confirms_or_every_one_excludes(share):
    params = FLAGGED.with_values({**{f"confirmed.{c}": share for c in RED_FLAGS}, **NO_RISK_FACTORS})
    p = chunk(params, 3000).patients
    assert p["urgent_work_ups"].sum() > 100
    assert p["work_ups_excluded" if share else "work_ups_confirmed"].sum() == 0


def _runs(params, patients, seed=3, spec=SPEC):
    """The reference engine's runs, each with its patient's natural history at the end."""
    sim = CourseSimulator(spec, NaturalHistory(params), 52)
    for i in range(patients):
        run = _Run(sim, sim.history.patient(seed, i, sim.weeks))
        yield run, run.go()


def test_an_excluded_work_up_returns_to_the_routine_pathway_and_the_red_flag_stops_showing():
    params = FLAGGED.with_values({**{f"confirmed.{c}": 0.0 for c in RED_FLAGS}, **NO_RISK_FACTORS})
    excluded = 0
    for run, result in _runs(params, 1500):
        visits = [v for v in result.visits if "work_up_excluded@" in v.transitions]
        if not visits or ";" in result.outcome.red_flags:
            continue
        excluded += 1
        first = visits[0]
        assert first.path.startswith("reassessment")  # back to the routine pathway
        assert first.reason == "result"
        # Worked up: the red flag shows no more, and no later visit escalates it again.
        assert not run.p.active_red_flags()
        assert result.outcome.urgent_work_ups == result.outcome.work_ups_excluded == len(visits) == 1
        later = [v for v in result.visits if v.week > first.week]
        assert not any(SPEC.state[s].urgency.rank >= 2 for v in later for s in v.path.split(">") if s)
        # The work-up's scan is in hand for the routine pathway.
        order = ORDERS.orders[ORDERS.codes[next(v.imaging for v in result.visits if v.imaging != "none"
                                                and v.week < first.week and SPEC.state[v.state].awaits == "urgent_result")]]
        if any(k.is_scan for k in order.kinds):
            assert run.results["mri_result"] != "none"
    assert excluded > 50


# -- returns after discharge ---------------------------------------------------------------------------

@pytest.mark.parametrize("chance", [0.0, 1.0])
def test_discharged_patients_come_back_when_their_symptoms_do(chance):
    params = PARAMS.with_values({"visits.relapse_returns_weekly": chance, **{f"red_flags.{c}": 0.0 for c in RED_FLAGS}})
    c = chunk(params, 3000)
    v, returns = c.visits, c.visits["reason"] == REASONS.index("return")
    discharged = [j for j, s in enumerate(SPEC.states) if s.id == "discharged"]
    assert np.isin(v["start"][returns], discharged).all()
    assert (c.patients["returns"].sum() == returns.sum()) and (c.patients["discharged_week"] >= 0).sum() > 1000
    if chance == 0.0:
        assert not returns.any()
        return
    # Every relapse brings the patient back the week it happens (no red flags: nothing else does),
    # assessed again (symptoms_returned), so nobody rests discharged at the end of a week unwell.
    assert returns.sum() > 300
    first = SPEC.transitions.index(next(t for t in SPEC.transitions if t.id == "symptoms_returned"))
    returned = np.isin(c.steps["visit"], np.flatnonzero(returns)) & (c.steps["transition"] == first)
    assert returned.sum() == returns.sum()
    assert not ((c.states == discharged[0]) & ~c.improved).any()


# -- previous lumbar surgery ---------------------------------------------------------------------------

def test_an_operation_is_recorded_at_every_later_visit(monkeypatch):
    recorded, operated = [], {}  # operated: the week of each patient's first operation
    real_visit, real_operate = pathway.engine.CourseRun.visit, Patient.operate

    def visit(self, week, findings):
        recorded.append((self.patient_id, week, findings["prior_lumbar_surgery"]))
        return real_visit(self, week, findings)

    def operate(self):
        operated.setdefault(self.id, self.week)  # a patient handed over again may be operated twice
        real_operate(self)

    monkeypatch.setattr(pathway.engine.CourseRun, "visit", visit)
    monkeypatch.setattr(Patient, "operate", operate)
    params = FLAGGED.with_values({"treatment.surgery_after_referral": 1.0})
    for _ in _runs(params, 1500):
        pass
    after = [(p, w, yes) for p, w, yes in recorded if p in operated and w >= operated[p]]
    assert len(operated) > 20 and len(after) > 5
    assert all(yes for _, _, yes in after)
    assert not any(yes for p, w, yes in recorded if p not in operated or w < operated[p])


# -- MRI contraindicated ---------------------------------------------------------------------------

def test_patients_who_cannot_have_mri_get_ct_instead():
    c = chunk(FLAGGED.with_values({"presentation.mri_contraindicated": 1.0}), 3000)
    p = c.patients
    assert p["mri_contraindicated"].all()
    assert p["mri"].sum() == p["mri_with_contrast"].sum() == 0
    assert p["ct"].sum() + p["ct_with_contrast"].sum() > 300
    every = chunk(FLAGGED, 20_000)
    usual = every.patients
    share = usual["mri_contraindicated"].mean()
    assert abs(share - PARAMS.value("presentation.mri_contraindicated")) < 0.005
    scanned = (usual["mri"] + usual["mri_with_contrast"] + usual["ct"] + usual["ct_with_contrast"]) > 0
    trauma = np.array(["major_trauma" in every.words["red_flags"][k] for k in usual["red_flags"]])
    no_mri = usual["mri_contraindicated"] & scanned
    assert no_mri.sum() > 20 and (usual["mri"][no_mri] + usual["mri_with_contrast"][no_mri] == 0).all()
    # Otherwise CT only for major trauma (the trauma CT), never for want of MRI.
    assert (usual["ct"][~usual["mri_contraindicated"] & ~trauma] == 0).all()


# -- amended orders ------------------------------------------------------------------------------------

def test_an_amended_order_replaces_the_order_it_amends():
    """Without the infection escalations in `lumbar_imaging`, a patient waiting for a routine MRI
    who develops a suspected infection stays, and the order is amended to MRI with contrast: the
    patient has one scan ordered, not two."""
    drop = {"escalate_infection@lumbar_imaging", "escalate_infection_with_deficit@lumbar_imaging"}
    spec = attrs.evolve(SPEC, transitions=tuple(t for t in SPEC.transitions if t.id not in drop))
    params = PARAMS.with_values({"red_flags.infection": 0.3})
    amended = 0
    for _, result in _runs(params, 1500, spec=spec):
        counted, expected, orders = None, collections.Counter(), 0
        for v in result.visits:
            entered = v.state in v.path.split(">")
            if v.imaging == "none":
                counted = None if entered else counted
                continue
            if not entered:  # amended: it replaces the order counted for this stay
                amended += 1
                expected.subtract(counted)
                orders -= 1
            counted = collections.Counter(s.kind.value for s in ORDERS.orders[ORDERS.codes[v.imaging]].studies)
            expected.update(counted)
            orders += 1
        assert {k: getattr(result.outcome, k) for k in KINDS} == {k: expected[k] for k in KINDS}
        assert result.outcome.imaging_orders == orders
    assert amended >= 2
