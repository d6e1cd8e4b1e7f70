"""`sciatica export`: Mermaid, FHIR R4 PlanDefinition and BPMN 2.0, each generated from the
validated spec, each checked by an independent reader (the R4B model of fhir.resources,
SpiffWorkflow's BPMN schema validator and parser), each deterministic.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from edits import broken_copy, line_of, replace
from fhir.resources.R4B.plandefinition import PlanDefinition
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

import exports
from diagrams import build_model, to_mermaid
from exports import export
from exports.bpmn import gateway_id, task_id
from exports.fhir import fhir_id
from conftest import calm_findings
from pathway import example_patients, load_pathway, load_patient, parse_patient
from pathway.cli import main
from pathway.guards import compile_guard, describe
from pathway.safety import timescale_words
from pathway.spec import Waits

REPO = Path(__file__).resolve().parent.parent
BPMN_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
# Written out here, not imported, so a wrong mapping in the exporter fails the test.
PRIORITY = {"none": "routine", "routine": "routine", "urgent": "urgent", "emergency": "stat"}
# Codes FHIR R4 requires; the R4B model checks the shape, not these value sets.
REQUEST_PRIORITY = {"routine", "urgent", "asap", "stat"}
RELATIONSHIP = {"before-start", "before", "before-end", "concurrent-with-start", "concurrent",
                "concurrent-with-end", "after-start", "after", "after-end"}
# The guard of `improving_continue` (reassessment -> conservative care), unique in transitions.yaml.
IMPROVING = 'to: conservative_care\n    when: trend == "improving"\n    priority: 2\n    rationale: Improving week'


@pytest.fixture(scope="module")
def fhir(spec):
    return json.loads(export(spec, "fhir"))


@pytest.fixture(scope="module")
def bpmn_xml(spec):
    return export(spec, "bpmn")


@pytest.fixture(scope="module")
def bpmn_spec(bpmn_xml):
    """The process as SpiffWorkflow reads it, after its BPMN 2.0 schema validation."""
    parser = BpmnParser(validator=BpmnValidator())
    parser.add_bpmn_str(bpmn_xml.encode(), "pathway.bpmn")
    [process] = parser.get_process_ids()
    return parser.get_spec(process)


def words(spec, t):
    return describe(t.expr, spec.finding, {c.name: c.label for c in spec.conditions})


# -- FHIR -----------------------------------------------------------------------------------------


def test_fhir_validates_with_the_r4b_model_and_loses_nothing(fhir):
    resource = PlanDefinition.model_validate(fhir)
    assert json.loads(resource.model_dump_json(by_alias=True, exclude_none=True)) == fhir  # no field dropped
    assert fhir["meta"]["profile"] == ["http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-pathwaydefinition"]
    assert fhir["type"]["coding"][0]["code"] == "clinical-protocol"
    assert fhir["status"] in {"draft", "active", "retired", "unknown"}


def test_fhir_has_one_action_per_state_with_its_priority(spec, fhir):
    actions = fhir["action"]
    assert actions[0]["id"] == fhir_id(spec.initial)
    assert sorted(a["id"] for a in actions) == sorted(fhir_id(s.id) for s in spec.states)
    for action in actions:
        state = next(s for s in spec.states if fhir_id(s.id) == action["id"])
        assert (action["title"], action["description"]) == (state.label, state.description)
        assert action["priority"] == PRIORITY[state.urgency.value]
        assert [d["label"] for d in action["documentation"]] == list(state.citations)
        assert len(action["code"]) == 1  # the CPG pathway profile allows one code per action


def test_fhir_carries_every_transition_with_its_guard_in_the_order_tried(spec, fhir):
    top = {a["id"]: a for a in fhir["action"]}
    for state in spec.states:
        nested = top[fhir_id(state.id)].get("action", [])
        outgoing = spec.outgoing(state.id)
        assert [n["id"] for n in nested] == [fhir_id(t.id) for t in outgoing]  # red flags first, by priority
        for n, t in zip(nested, outgoing):
            [condition] = n["condition"]
            assert condition["kind"] == "applicability"
            assert condition["expression"]["expression"] == " ".join(t.text.split())
            assert condition["expression"]["description"] == words(spec, t)
            assert n["prefix"] == (f"R{t.priority}" if t.escalation else str(t.priority))
            assert n["priority"] == PRIORITY[spec.state[t.dest].urgency.value]
            assert n["relatedAction"] == [{"actionId": fhir_id(t.dest), "relationship": "before-start"}]
        if outgoing:
            expected = "exactly-one" if state.waits is Waits.DECIDES else "at-most-one"
            assert top[fhir_id(state.id)]["selectionBehavior"] == expected
    assert sum(len(a.get("action", [])) for a in fhir["action"]) == len(spec.transitions)


def test_fhir_codes_come_from_their_value_sets_and_citations_resolve(spec, fhir):
    actions = [a for top in fhir["action"] for a in [top, *top.get("action", [])]]
    assert {a["priority"] for a in actions} <= REQUEST_PRIORITY
    assert {r["relationship"] for a in actions for r in a.get("relatedAction", [])} <= RELATIONSHIP
    assert {r["actionId"] for a in actions for r in a.get("relatedAction", [])} <= {a["id"] for a in fhir["action"]}
    artifacts = fhir["relatedArtifact"] + [d for a in actions for d in a["documentation"]]
    assert {a["type"] for a in artifacts} == {"citation"}
    assert [a["label"] for a in fhir["relatedArtifact"]] == [r.id for r in spec.references]
    for artifact in artifacts:
        ref = spec.reference[artifact["label"]]
        assert ref.source in artifact["display"] and ref.detail in artifact["display"]


def test_fhir_exits_hand_over_and_urgent_states_wait_for_their_result(spec, fhir):
    top = {a["id"]: a for a in fhir["action"]}
    for state in spec.states:
        action = top[fhir_id(state.id)]
        if state.terminal:  # a handover: the receiving service named, no way on
            assert "action" not in action and state.receiving_service
            assert action["participant"] == [{"type": "practitioner", "role": {"text": state.receiving_service}}]
            assert f"handed over to {state.receiving_service}; a later visit starts a new episode" in action["textEquivalent"]
        else:
            assert "participant" not in action and "handed over" not in action["textEquivalent"]
        if state.within_hours is not None:  # urgent and emergency work-up: how soon, and waiting for the result
            assert not state.terminal and action["selectionBehavior"] == "at-most-one"
            assert action["textEquivalent"].startswith(f"Work-up {timescale_words(state.within_hours)}.")
            assert "Waits for the urgent work-up result" in action["textEquivalent"]
        purpose = spec.purpose[state.purpose].label if state.purpose else None
        assert (purpose is not None and f"Orders imaging: {purpose} (starts from " in action["textEquivalent"]) == (
            purpose is not None), state.id
    assert top["emergency-ces"]["textEquivalent"].startswith("Work-up within 4 hours.")


def test_fhir_usage_gives_the_imaging_rules_in_words(spec, fhir):
    labels = {c.name: c.label for c in spec.conditions}
    for number, rule in enumerate(spec.imaging_rules, 1):
        assert f"{number}. {rule.label}: when {describe(rule.expr, spec.finding, labels)}, " in fhir["usage"]
        assert "[" + ", ".join(rule.citations) + "]" in fhir["usage"]
    assert fhir["usage"].startswith("Imaging rules, applied wherever imaging is ordered")


# -- BPMN -----------------------------------------------------------------------------------------


def test_bpmn_validates_and_parses_with_spiffworkflow(spec, bpmn_spec):
    tasks = {name for name, ts in bpmn_spec.task_specs.items() if type(ts).__name__ == "UserTask"}
    assert tasks == {task_id(s.id) for s in spec.states}
    assert [t.name for t in bpmn_spec.start.outputs[0].outputs] == [task_id(spec.initial)]  # Start -> initial


def test_bpmn_has_a_gateway_condition_per_transition_in_the_order_tried(spec, bpmn_spec):
    conditioned = 0
    for state in spec.states:
        outgoing = spec.outgoing(state.id)
        if not outgoing:
            assert state.terminal
            assert [t.name for t in bpmn_spec.task_specs[task_id(state.id)].outputs] == [f"end_{state.id}"]
            continue
        gateway = bpmn_spec.task_specs[gateway_id(state.id)]
        pairs = [(c.args[0], name) for c, name in gateway.cond_task_specs if c is not None]
        assert pairs == [(" ".join(t.text.split()), task_id(t.dest)) for t in outgoing]
        conditioned += len(pairs)
        # a state that waits stays when nothing applies; one that decides has no way out but a transition
        assert gateway.default_task_spec == (None if state.waits is Waits.DECIDES else task_id(state.id))
    assert conditioned == len(spec.transitions)


def test_bpmn_ends_only_at_exits_named_for_their_receiving_service(spec, bpmn_xml):
    from lxml import etree

    root = etree.fromstring(bpmn_xml.encode())
    ends = {e.get("id"): e.get("name") for e in root.iterfind(".//bpmn:endEvent", BPMN_NS)}
    assert ends == {f"end_{s.id}": f"Handed over to {s.receiving_service}" for s in spec.states if s.terminal}
    docs = {t.get("id"): t.findtext("bpmn:documentation", namespaces=BPMN_NS)
            for t in root.iterfind(".//bpmn:userTask", BPMN_NS)}
    assert "Work-up within 4 hours. Orders imaging: emergency MRI of the lumbosacral spine" in docs["state_emergency_ces"]
    assert "Waits for the urgent work-up result." in docs["state_emergency_ces"]
    assert "a later visit starts a new episode" in docs["state_handover_mscc_team"]
    process_doc = root.find("bpmn:process/bpmn:documentation", BPMN_NS).text
    assert all(rule.label in process_doc for rule in spec.imaging_rules)


def test_bpmn_flows_carry_the_guard_in_words(spec, bpmn_xml):
    from lxml import etree

    flows = {f.get("id"): f for f in etree.fromstring(bpmn_xml.encode()).iterfind(".//bpmn:sequenceFlow", BPMN_NS)}
    for t in spec.transitions:
        flow = flows[f"flow_{t.id.replace('@', '.')}"]
        assert words(spec, t) in flow.get("name")
        assert t.rationale in flow.findtext("bpmn:documentation", namespaces=BPMN_NS)


# Courses through what the example patients do not reach: an exit and a later visit (a new
# episode), an emergency work-up confirmed (a handover) and one excluded (back to reassessment),
# and a red flag that escalates from an urgent state. Changes from a calm visit, by week.
HIP = dict(hip_or_si_signs=True, sensory_symptoms=False, reflex_change=False, weakness="none", foot_drop=False)
COURSES = {
    "exit, then a new episode": [(1, HIP), (9, {})],
    "emergency confirmed, handed over, seen again": [
        (2, dict(saddle_anaesthesia=True)), (2, dict(saddle_anaesthesia=True, urgent_result="confirmed")), (30, {})],
    "urgent work-up excluded": [(1, dict(fever=True)), (1, dict(fever=True)), (2, dict(urgent_result="excluded"))],
    "escalates from urgent care": [(1, dict(fever=True)), (1, dict(fever=True, saddle_anaesthesia=True))],
}


def courses(spec):
    found = [(path.name, load_patient(path, spec)) for path in example_patients()]
    for name, visits in COURSES.items():
        data = {"age": 45, "visits": [{"week": w, "findings": {**calm_findings(), **changes}} for w, changes in visits]}
        found.append((name, parse_patient(data, spec)))
    return found


def test_the_extra_courses_reach_what_the_examples_do_not(spec, engine):
    """So the parity test below cannot pass by never meeting an exit, a new episode or a work-up result."""
    traces = {name: engine.run(patient) for name, patient in courses(spec)}
    entered = {s for t in traces.values() for v in t.visits for s in v.entered}
    assert any(v.new_episode for t in traces.values() for v in t.visits)
    assert {"reroute_hip_or_si", "handover_emergency_spinal_surgery", "emergency_ces", "urgent_infection"} <= entered
    assert [v.entered[:1] for v in traces["urgent work-up excluded"].visits][-1] == ("reassessment",)


def test_spiffworkflow_runs_the_bpmn_as_the_engine_runs_the_pathway(spec, engine, bpmn_spec):
    """Each course, visit by visit: SpiffWorkflow evaluates the exported conditions (the guard
    syntax is Python's) and must enter the same states, in the same order.

    What BPMN cannot say is left to the harness or out of the comparison: a visit after an exit
    (an end event) starts a new instance of the process, as the engine starts a new episode at
    its initial state; and the imaging orders (new, kept while pending, amended to the findings)
    are not modelled in the process, so only the states entered are compared.
    """
    exprs = {c.name: c.expr for c in spec.conditions}
    conditions = {c.name: compile_guard(c.expr, exprs) for c in spec.conditions}
    for name, patient in courses(spec):
        expected = [list(v.entered) for v in engine.run(patient).visits]
        workflow = _new_episode(bpmn_spec)
        routed = []
        for visit in patient.visits:
            if spec.state[_resting(workflow)].terminal:  # handed over: this visit begins a new episode
                workflow = _new_episode(bpmn_spec)
            env = visit.env(patient.age)
            data = {**env, **{n: holds(env) for n, holds in conditions.items()}, "true": True, "false": False}
            routed.append(_one_visit(spec, workflow, data))
        assert routed == expected, name


def _new_episode(bpmn_spec) -> BpmnWorkflow:
    workflow = BpmnWorkflow(bpmn_spec)
    workflow.do_engine_steps()
    return workflow


def _resting(workflow) -> str:
    [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
    return task.task_spec.name.removeprefix("state_")


def _one_visit(spec, workflow, data) -> list[str]:
    entered = []
    while True:
        [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
        here = task.task_spec.name.removeprefix("state_")
        if spec.state[here].terminal:
            return entered
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
        there = _resting(workflow)
        if there == here:  # a stay
            return entered
        entered.append(there)
        if spec.state[there].waits is not Waits.DECIDES:
            return entered


# -- the command ----------------------------------------------------------------------------------


def test_cli_mermaid_is_the_diagrams_mermaid(spec, tmp_path):
    expected = to_mermaid(build_model(spec))
    result = CliRunner().invoke(main, ["export", "--format", "mermaid"])
    assert result.exit_code == 0 and result.stdout == expected
    out = tmp_path / "pathway.mmd"  # the suffix picks the format
    result = CliRunner().invoke(main, ["export", "--out", str(out)])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8") == expected


def test_an_edited_pathway_shows_in_every_export(tmp_path):
    folder = broken_copy(
        tmp_path,
        replace("transitions.yaml", IMPROVING, IMPROVING.replace('"improving"', '"improving" and week >= 3')),
        replace("states.yaml", "label: Re-route - look for another diagnosis\n    phase: rerouting\n    urgency: routine",
                "label: Re-route - look elsewhere\n    phase: rerouting\n    urgency: urgent"),
    )
    out = {fmt: tmp_path / f"edited.{fmt}" for fmt in exports.FORMATS}
    for fmt, path in out.items():
        result = CliRunner().invoke(main, ["export", str(folder), "--format", fmt, "--out", str(path)])
        assert result.exit_code == 0, result.output
    fhir = json.loads(out["fhir"].read_text(encoding="utf-8"))
    top = {a["id"]: a for a in fhir["action"]}
    assert (top["reroute-other-diagnosis"]["title"], top["reroute-other-diagnosis"]["priority"]) == (
        "Re-route - look elsewhere", "urgent")
    [improving] = [n for n in top["reassessment"]["action"] if n["id"] == "improving-continue"]
    assert improving["condition"][0]["expression"]["expression"] == 'trend == "improving" and week >= 3'
    assert "at least 3" in improving["condition"][0]["expression"]["description"]
    assert '>trend == "improving" and week &gt;= 3</bpmn:conditionExpression>' in out["bpmn"].read_text(encoding="utf-8")
    assert "Re-route - look elsewhere" in out["mermaid"].read_text(encoding="utf-8")
    assert fhir["identifier"][0]["value"] == load_pathway(folder).content_hash


def test_an_invalid_pathway_exits_1_with_file_and_line(tmp_path):
    folder = broken_copy(tmp_path, replace("transitions.yaml", IMPROVING, IMPROVING.replace("==", "=<")))
    target = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["export", str(folder), "--format", "fhir", "--out", str(target)])
    line = line_of(folder / "transitions.yaml", 'when: trend =< "improving"')
    assert result.exit_code == 1 and f"transitions.yaml:{line}:" in result.output and "not valid" in result.output
    assert not target.exists()


@pytest.mark.parametrize("fmt", ["fhir", "bpmn"])
def test_ids_the_format_cannot_tell_apart_are_refused(tmp_path, fmt):
    """`escalate_cord_compression.onset` and the red flag's copy `escalate_cord_compression@onset` become one FHIR id and one
    XML id: refused with both named, rather than a file whose links point at the wrong action."""
    folder = broken_copy(tmp_path, replace("transitions.yaml", "  - id: recovered\n", "  - id: escalate_cord_compression.onset\n"))
    result = CliRunner().invoke(main, ["export", str(folder), "--format", fmt, "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and f"cannot export as {fmt.upper()}" in result.output
    assert "escalate" in result.output and "cord_compression.onset" in result.output
    assert not (tmp_path / "out").exists()


def test_exports_are_byte_identical_run_to_run(spec, tmp_path):
    for fmt in exports.FORMATS:
        assert export(spec, fmt) == export(spec, fmt)
        a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        for path in (a, b):
            assert CliRunner().invoke(main, ["export", "--format", fmt, "--out", str(path)]).exit_code == 0
        assert a.read_bytes() == b.read_bytes() == export(spec, fmt).encode()
    # Another process with another hash seed: no set or dict order leaks into the files.
    script = ("import hashlib; from exports import export, FORMATS; from pathway import load_pathway, shipped_pathway;"
              "s = load_pathway(shipped_pathway()); print([hashlib.sha256(export(s, f).encode()).hexdigest() for f in FORMATS])")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True, cwd=REPO)
    assert other.stdout.strip() == str([hashlib.sha256(export(spec, f).encode()).hexdigest() for f in exports.FORMATS])


def test_a_missing_folder_exits_1_and_writes_nothing(tmp_path):
    target = tmp_path / "no" / "such" / "pathway.json"
    result = CliRunner().invoke(main, ["export", "--format", "fhir", "--out", str(target)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == f"{target}: the folder {target.parent} does not exist"
    assert not (tmp_path / "no").exists()


def test_a_failed_write_exits_1_and_leaves_no_partial_file(tmp_path, monkeypatch):
    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pathway.files.os.fsync", disk_full)  # after the bytes went to the temporary file
    result = CliRunner().invoke(main, ["export", "--format", "bpmn", "--out", str(tmp_path / "pathway.bpmn")])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == f"{tmp_path / 'pathway.bpmn'}: cannot write: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_without_a_format_or_a_known_suffix_it_says_which_formats(tmp_path):
    result = CliRunner().invoke(main, ["export", "--out", str(tmp_path / "pathway.txt")])
    assert result.exit_code == 1 and "--format mermaid | fhir | bpmn" in result.output
    assert list(tmp_path.iterdir()) == []


def test_exports_resolves_inside_this_repository():
    """`exports` is also the name of an unrelated PyPI project; a shadowing install would show here."""
    assert Path(exports.__file__).resolve().parent == REPO / "exports"
