"""The transitions-based engine: parity with the spec, visit semantics, and traces."""

import shutil

import pytest

import pathway
from pathway import Engine, FellThrough, parse_patient
from pathway.engine import TRIGGER


def test_machine_has_exactly_the_spec_transitions_in_priority_order(spec, engine):
    machine = engine.machine
    assert sorted(machine.states) == sorted(s.id for s in spec.states)
    assert list(machine.events) == [TRIGGER]  # no auto transitions
    for state in spec.states:
        built = [(t.source, t.dest or t.source) for t in machine.events[TRIGGER].transitions.get(state.id, [])]
        assert built == [(t.source, t.dest) for t in spec.outgoing(state.id)], state.id


def test_a_visit_moves_through_deciding_states_until_one_waits(route):
    trace = route((1, {}))
    visit = trace.visits[0]
    assert visit.start == "onset"
    assert visit.entered == ("initial_assessment", "conservative_care")
    assert [s.transition for s in visit.steps] == ["first_assessment", "start_conservative_care"]


def test_trace_records_guard_words_findings_and_citations(route):
    step = route((1, dict(saddle_anaesthesia=True, bladder_dysfunction=True))).visits[0].steps[0]
    assert step.transition == "escalate_cauda_equina@onset"
    assert step.escalation
    assert step.guard_words == "suspected cauda equina syndrome"
    assert step.because == (("bladder_dysfunction", True), ("saddle_anaesthesia", True))
    assert step.citations == ("girft-ces-2023", "girft-ces-mri-4h")


def test_a_stay_orders_no_new_imaging(route):
    stuck = dict(trend="stuck", disabling=True, conservative_care_weeks=6)
    trace = route((1, {}), (7, stuck), (9, stuck))
    ordered, waiting = trace.visits[1], trace.visits[2]
    assert ordered.imaging.id == "mri"
    assert waiting.steps[-1].stay and waiting.entered == () and waiting.imaging.id == "none"
    assert waiting.urgency.value == "none"  # a visit's urgency: only the states entered at it


def test_an_order_is_amended_when_the_findings_call_for_other_studies(route):
    stuck = dict(trend="stuck", disabling=True, conservative_care_weeks=6)
    trace = route((1, {}), (7, stuck), (9, dict(stuck, mri_contraindicated=True)), (10, dict(stuck, mri_contraindicated=True)))
    amended, unchanged = trace.visits[2], trace.visits[3]
    assert amended.amended and amended.imaging.id == "ct" and amended.imaging_rules == ("ct_when_mri_contraindicated",)
    assert not unchanged.amended and unchanged.imaging.id == "none"


def test_a_visit_after_a_handover_starts_a_new_episode(route, spec):
    trace = route((1, dict(major_trauma=True)), (2, dict(major_trauma=True, urgent_result="confirmed")), (30, {}))
    assert trace.visits[1].state == "handover_trauma_team"
    again = trace.visits[2]
    assert again.new_episode and again.start == spec.initial and again.state == "conservative_care"
    assert again.note.startswith("a new episode (before it: Handed over - major trauma team)")


def test_a_deciding_state_with_no_applicable_transition_is_reported(spec, tmp_path, calm_findings):
    copy = tmp_path / "gap"
    shutil.copytree(pathway.shipped_pathway(), copy)
    transitions = copy / "transitions.yaml"
    text = transitions.read_text()
    catch_all = "  - id: start_conservative_care\n    from: initial_assessment\n    to: conservative_care\n    when: \"true\""
    assert catch_all in text
    transitions.write_text(text.replace(catch_all, catch_all.replace('"true"', "disabling")))
    gapped = pathway.load_pathway(copy)
    patient = parse_patient({"age": 40, "visits": [{"week": 1, "findings": calm_findings}]}, gapped)
    with pytest.raises(FellThrough, match="week 1: no transition from `initial_assessment` applies"):
        Engine(gapped).run(patient)


def test_runs_are_independent_of_each_other(spec, engine, route):
    first = route((1, dict(foot_drop=True, weakness="severe")))
    second = route((1, {}))
    assert (first.final_state, second.final_state) == ("urgent_motor_deficit", "conservative_care")
    assert engine.machine.models == []
