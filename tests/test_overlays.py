"""Overlays on the diagram: one patient's path, and what changed since an older version."""

from pathlib import Path

import attrs
from click.testing import CliRunner

from diagrams.model import SCREEN, Emphasis, build_model
from diagrams.overlay import diff_overlay, trace_overlay
from pathway import load_patient
from pathway.cli import main
from pathway.guards import parse_guard

REPO = Path(__file__).resolve().parent.parent
EPIDURAL_THEN_SURGERY = REPO / "examples/patients/04-concordant-mri-epidural-then-surgery.json"
# `xray_abnormal` leaves both X-ray states: one transition (and one arrow) per source.
XRAY_ABNORMAL = {"xray_abnormal@xray_risk_factors", "xray_abnormal@xray_fracture_risk"}


def _emphasised(model, emphasis):
    return {n.id for n in model.nodes if n.emphasis is emphasis}, {e.id for e in model.edges if e.emphasis is emphasis}


def test_trace_highlights_exactly_the_path_taken(spec, engine):
    trace = engine.run(load_patient(EPIDURAL_THEN_SURGERY, spec))
    model = trace_overlay(build_model(spec), trace)
    steps = [s for v in trace.visits for s in v.steps]
    nodes, edges = _emphasised(model, Emphasis.HIGHLIGHTED)
    assert edges == {s.transition for s in steps}
    assert nodes == {"onset"} | {s.dest for s in steps}
    dimmed_nodes, dimmed_edges = _emphasised(model, Emphasis.DIMMED)
    assert dimmed_nodes == {n.id for n in model.nodes} - nodes
    assert dimmed_edges == {e.id for e in model.edges} - edges
    review = next(e for e in model.edges if e.id == "scheduled_review")
    assert review.note == "visit 2, 3"  # numbered by visit


def test_trace_of_a_red_flag_highlights_the_screen_and_its_escalation(spec, route):
    trace = route((1, {}), (3, dict(saddle_anaesthesia=True)))
    model = trace_overlay(build_model(spec), trace)
    nodes, edges = _emphasised(model, Emphasis.HIGHLIGHTED)
    assert SCREEN in nodes and "emergency_ces" in nodes
    assert "escalate_cauda_equina" in edges
    assert model.node(SCREEN).note == "visit 2"


def test_trace_through_a_handover_marks_the_exit_and_the_new_episode(spec, route):
    hip = dict(hip_or_si_signs=True, sensory_symptoms=False, reflex_change=False, weakness="none", foot_drop=False)
    trace = route((1, hip), (9, {}))
    assert trace.visits[0].state == "reroute_hip_or_si" and trace.visits[1].new_episode
    model = trace_overlay(build_model(spec), trace)
    assert model.node("reroute_hip_or_si").emphasis is Emphasis.HIGHLIGHTED
    assert model.node("reroute_hip_or_si").note == "visit 1"
    assert model.node("onset").note == "start; visit 2 (new episode)"
    assert next(e for e in model.edges if e.id == "first_assessment").note == "visit 1, 2"


def test_diff_marks_exactly_what_changed(spec):
    old = attrs.evolve(
        spec,
        transitions=tuple(
            attrs.evolve(t, expr=parse_guard('trend != "worse"'), text='trend != "worse"') if t.id == "improving_continue" else t
            for t in spec.transitions if t.base_id != "xray_abnormal"
        ),
        states=tuple(s for s in spec.states if s.id != "urgent_abnormal_xray"),
    )
    dropped = attrs.evolve(
        spec,
        transitions=tuple(t for t in spec.transitions if t.id != "epidural_lasting_relief"),
    )
    model = diff_overlay(old, spec)
    assert _emphasised(model, Emphasis.ADDED) == ({"urgent_abnormal_xray"}, XRAY_ABNORMAL)
    assert _emphasised(model, Emphasis.CHANGED) == (set(), {"improving_continue"})
    assert _emphasised(model, Emphasis.REMOVED) == (set(), set())
    model = diff_overlay(spec, dropped)
    assert _emphasised(model, Emphasis.REMOVED) == (set(), {"epidural_lasting_relief"})
    assert [e.id for e in model.edges].count("epidural_lasting_relief") == 1


def test_a_removed_state_is_drawn_from_the_old_version(spec):
    new = attrs.evolve(
        spec,
        states=tuple(s for s in spec.states if s.id != "urgent_abnormal_xray"),
        transitions=tuple(t for t in spec.transitions if t.base_id != "xray_abnormal"),
    )
    model = diff_overlay(spec, new)
    assert _emphasised(model, Emphasis.REMOVED) == ({"urgent_abnormal_xray"}, XRAY_ABNORMAL)
    assert any("urgent_abnormal_xray" in c.nodes for c in model.clusters)


def test_diagram_command_takes_a_trace_or_a_diff(tmp_path):
    runner = CliRunner()
    traced = runner.invoke(main, ["diagram", "--format", "dot", "--trace", str(EPIDURAL_THEN_SURGERY)])
    assert traced.exit_code == 0, traced.output
    assert "path of a patient aged 41" in traced.output
    same = runner.invoke(main, ["diagram", "--format", "dot", "--diff", str(REPO / "states")])
    assert same.exit_code == 0, same.output
    assert "changes since 2.1.1" in same.output
    both = runner.invoke(main, ["diagram", "--trace", str(EPIDURAL_THEN_SURGERY), "--diff", str(REPO / "states")])
    assert (both.exit_code, both.output.strip()) == (1, "use --trace or --diff, not both")
