"""`sciatica export --format fhir`: a PlanDefinition conforming to the HL7 CPG 2.0.0 pathway profile,
whose conditions are FHIRPath over the visit's QuestionnaireResponse, evaluated here by fhirpathpy
against the guard engine; read by the R4B model of fhir.resources and validated by the official
FHIR R4 JSON schema (`jsonschema`).

The profile's rules are written out here (from the CPG 2.0.0 FSH sources: cpg-pathwaydefinition,
cpg-computableplandefinition; the common-process code system), not imported from the exporter.
"""

import json

import pytest
from fhir.resources.R4B.plandefinition import PlanDefinition
from fhirpathpy import compile as fhirpath
from fhirpathpy.models import models
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from exports import export
from exports.fhir import fhir_id
from exports.fhirpath import to_fhirpath
from exports.questionnaire import visit_response
from fhir_schema import validate
from pathway import example_patients, load_patient
from pathway.guards import compile_guard, describe
from pathway.safety import timescale_words
from pathway.spec import CareStep, Urgency, Waits
from pathway.testing import ages, findings

PRIORITY = {"none": "routine", "routine": "routine", "urgent": "urgent", "emergency": "stat"}
REQUEST_PRIORITY = {"routine", "urgent", "asap", "stat"}
PROCESS = "http://hl7.org/fhir/uv/cpg/CodeSystem/cpg-common-process-cs"
COMMON_PROCESSES = {"registration", "triage", "local-urgent-care", "history-and-physical", "provide-counseling",
                    "diagnostic-testing", "determine-diagnosis", "guideline-based-care", "dispense-medications",
                    "emergency-care", "actue-tertiary-care", "charge-for-service", "discharge-referral-of-patient",
                    "record-and-report", "monitor-and-follow-up-of-patient", "alerts-reminders-education"}
# cpg-pathwaydefinition: 0..0 on every top-level action.
FORBIDDEN = ("input", "output", "relatedAction", "type", "groupingBehavior", "selectionBehavior", "requiredBehavior",
             "precheckBehavior", "cardinalityBehavior", "transform", "dynamicValue")
KNOWLEDGE = {"http://hl7.org/fhir/StructureDefinition/cqf-knowledgeCapability",
             "http://hl7.org/fhir/StructureDefinition/cqf-knowledgeRepresentationLevel"}


@pytest.fixture(scope="module")
def fhir(spec):
    return json.loads(export(spec, "fhir"))


def words(spec, t):
    return describe(t.expr, spec.finding, {c.name: c.label for c in spec.conditions})


def nested(action):
    """A state's transition actions (inside its one "decide" group), in order."""
    return [t for group in action.get("action", []) for t in group["action"]]


# -- read by FHIR's own tools --------------------------------------------------------------------


def test_fhir_validates_with_the_r4b_model_and_loses_nothing(fhir):
    resource = PlanDefinition.model_validate(fhir)
    assert json.loads(resource.model_dump_json(by_alias=True, exclude_none=True)) == fhir  # no field dropped


def test_the_official_r4_json_schema_accepts_it_and_refuses_a_private_language(fhir):
    assert validate(fhir) == []
    bad = json.loads(json.dumps(fhir))
    nested(bad["action"][0])[0]["condition"][0]["expression"]["language"] = "text/x-sciatica-guard"
    assert any("text/x-sciatica-guard" in problem for problem in validate(bad))


# -- the CPG 2.0.0 pathway profile ---------------------------------------------------------------


def test_fhir_has_the_metadata_a_shareable_computable_pathway_carries(spec, fhir):
    assert fhir["meta"]["profile"] == ["http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-pathwaydefinition"]
    assert fhir["type"]["coding"][0]["code"] == "clinical-protocol"
    assert fhir["url"] == f"http://example.org/fhir/sciatica-pathway/PlanDefinition/{fhir['id']}"
    assert (fhir["version"], fhir["status"], fhir["experimental"]) == (spec.version, "draft", False)
    assert fhir["publisher"] and fhir["name"].isidentifier() and fhir["title"] == spec.name
    assert {e["url"] for e in fhir["extension"]} == KNOWLEDGE  # CPG 2.0.0's, not STU1's retired cpg-* URLs
    focus = next(c for c in fhir["useContext"] if c["code"]["code"] == "focus")
    assert focus["valueCodeableConcept"]["coding"][0]["code"] == "23056005"  # SNOMED CT: sciatica
    age = next(c for c in fhir["useContext"] if c["code"]["code"] == "age")
    assert age["valueRange"]["low"]["value"] == spec.finding["age"].minimum
    assert "date" not in fhir  # optional in the profile; an export never reads the clock


def test_the_narrative_is_xhtml_naming_every_state_and_transition(spec, fhir):
    div = etree.fromstring(fhir["text"]["div"].encode())
    assert fhir["text"]["status"] == "generated" and div.tag == "{http://www.w3.org/1999/xhtml}div"
    text = "".join(div.itertext())
    assert all(s.label in text for s in spec.states) and all(words(spec, t) in text for t in spec.transitions)


def test_top_level_actions_keep_to_the_pathway_profile(spec, fhir):
    for action in fhir["action"]:
        assert not set(action) & set(FORBIDDEN), action["id"]
        assert action["title"] and action["description"] and len(action["code"]) == 1
        coding = action["code"][0]["coding"][0]
        assert coding["system"] == PROCESS and coding["code"] in COMMON_PROCESSES
    codes = {a["id"]: a["code"][0]["coding"][0]["code"] for a in fhir["action"]}
    for state in spec.states:
        if state.terminal or state.care_step is CareStep.DISCHARGED:
            assert codes[fhir_id(state.id)] == "discharge-referral-of-patient", state.id
        elif state.urgency is Urgency.EMERGENCY:
            assert codes[fhir_id(state.id)] == "emergency-care", state.id


def test_fhir_has_one_action_per_state_with_its_priority(spec, fhir):
    actions = fhir["action"]
    assert actions[0]["id"] == fhir_id(spec.initial)
    assert sorted(a["id"] for a in actions) == sorted(fhir_id(s.id) for s in spec.states)
    for action in actions:
        state = next(s for s in spec.states if fhir_id(s.id) == action["id"])
        assert (action["title"], action["description"]) == (state.label, state.description)
        assert action["priority"] == PRIORITY[state.urgency.value]
        assert [d["label"] for d in action["documentation"]] == list(state.citations)


def test_fhir_carries_every_transition_in_fhirpath_in_the_order_tried(spec, fhir):
    top = {a["id"]: a for a in fhir["action"]}
    conditions = {c.name: c.expr for c in spec.conditions}
    for state in spec.states:
        action, outgoing = top[fhir_id(state.id)], spec.outgoing(state.id)
        assert [n["id"] for n in nested(action)] == [fhir_id(t.id) for t in outgoing]  # red flags first
        for n, t in zip(nested(action), outgoing):
            [condition] = n["condition"]
            assert condition["kind"] == "applicability" and condition["expression"]["language"] == "text/fhirpath"
            assert condition["expression"]["expression"] == to_fhirpath(t.expr, conditions, spec.finding)
            assert condition["expression"]["description"] == words(spec, t)
            assert n["prefix"] == (f"R{t.priority}" if t.escalation else str(t.priority))
            assert n["priority"] == PRIORITY[spec.state[t.dest].urgency.value]
            assert n["relatedAction"] == [{"actionId": fhir_id(t.dest), "relationship": "before-start"}]
        if outgoing:
            [group] = action["action"]
            assert group["selectionBehavior"] == ("exactly-one" if state.waits is Waits.DECIDES else "at-most-one")
    assert sum(len(nested(a)) for a in fhir["action"]) == len(spec.transitions)
    assert not any("%" + c.name in json.dumps(fhir) for c in spec.conditions)  # spelled out, nothing to resolve


def test_fhir_codes_come_from_their_value_sets_and_citations_resolve(spec, fhir):
    actions = [a for top in fhir["action"] for a in [top, *nested(top)]]
    assert {a["priority"] for a in actions} <= REQUEST_PRIORITY
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
            assert not state.terminal and action["action"][0]["selectionBehavior"] == "at-most-one"
            assert action["textEquivalent"].startswith(f"Work-up {timescale_words(state.within_hours)}.")
            assert "Waits for the urgent work-up result" in action["textEquivalent"]
        purpose = spec.purpose[state.purpose].label if state.purpose else None
        assert (purpose is not None and f"Orders imaging: {purpose} (starts from " in action["textEquivalent"]) == (
            purpose is not None), state.id


def test_fhir_usage_gives_the_imaging_rules_in_words(spec, fhir):
    labels = {c.name: c.label for c in spec.conditions}
    for number, rule in enumerate(spec.imaging_rules, 1):
        assert f"{number}. {rule.label}: when {describe(rule.expr, spec.finding, labels)}, " in fhir["usage"]
    assert fhir["usage"].startswith("Imaging rules, applied wherever imaging is ordered")


# -- FHIRPath agrees with the guard engine, case for case -----------------------------------------


@pytest.fixture(scope="module")
def compiled(spec):
    """Each distinct exported condition (the red-flag escalations repeat theirs in every state),
    compiled by fhirpathpy once, with the guard engine's predicate for the same guard."""
    conditions = {c.name: c.expr for c in spec.conditions}
    found = {}
    for t in spec.transitions:
        text = to_fhirpath(t.expr, conditions, spec.finding)
        found.setdefault(text, (t.id, fhirpath(text, models["r4"]), compile_guard(t.expr, conditions)))
    return list(found.values())


@settings(max_examples=12, deadline=None)  # each example evaluates ~70 long expressions in pure Python
@given(data=st.data())
def test_every_fhirpath_condition_agrees_with_the_guard_engine(spec, compiled, data):
    """On generated visits (red flags drawn freely), as a QuestionnaireResponse in which some optional
    questions are left out (their defaults apply, in FHIRPath as in the engine)."""
    age, week = data.draw(ages(spec)), data.draw(st.integers(0, spec.finding["week"].maximum))
    answers = data.draw(findings(spec, red_flags="any"))
    optional = sorted(f.name for f in spec.findings if f.default is not None and answers[f.name] == f.default)
    left_out = data.draw(st.sets(st.sampled_from(optional))) if optional else set()
    _agree(spec, compiled, age, week, answers, left_out)


def test_fhirpath_agrees_on_the_example_patients(spec, compiled):
    """The last visit of each (the round trip in test_fhir_input.py assesses every visit)."""
    for path in example_patients():
        patient = load_patient(path, spec)
        _agree(spec, compiled, patient.age, patient.visits[-1].week, patient.visits[-1].findings, set())


def _agree(spec, compiled, age, week, answers, left_out):
    response = visit_response(spec, "urn:q", age, week, answers)
    response["item"] = [i for i in response["item"] if i["linkId"] not in left_out]
    env = {**answers, "age": age, "week": week}
    for tid, by_fhirpath, by_engine in compiled:
        assert by_fhirpath(response, {"resource": response}) == [by_engine(env)], tid
