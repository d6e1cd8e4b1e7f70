"""The validated pathway as one BPMN 2.0 process (XML), for workflow and process-mining tools.

- a start event into the initial state; a user task per state (a clinician acts in each);
- after every state with transitions, an exclusive gateway with one outgoing sequence flow per
  transition, in the order the engine tries them (red-flag escalations R1.. first): the flow's
  `conditionExpression` is the guard as written in the pathway file, its `name` the tag and the
  guard in words, its documentation the rationale and sources. A stay is a flow back to the task.
  A state that waits (for a visit or a result) stays when no transition applies, as the engine
  does: its gateway's `default` flow, without a condition, leads back to its task;
- an end event after every exit, named for the service it hands over to. A later visit starts a
  new episode: a new instance of the process (BPMN cannot go on from an end event);
- urgent and emergency states wait for the work-up result like any waiting state; their
  timescale, and every state's imaging purpose, are in the task's documentation, and the imaging
  rules, in words, in the process's (BPMN has no construct for an order that the findings amend).

Order matters: BPMN takes the first flow of an exclusive gateway whose condition holds, in
document order, so the flows are written in the order tried. No diagram interchange (DI):
SpiffWorkflow, for one, re-sorts a gateway's flows by the drawn height of their targets.

Deterministic: elements in spec order, ids derived from state and transition ids (`state_x`,
`decide_x`, `end_x`, `flow_<transition>` with `@` -> `.`), no timestamps.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from diagrams.words import handover_words, sources_text, waits_words
from pathway.spec import PathwaySpec, State, Transition, Waits

from .fhir import (  # one wording for both exports
    exit_words,
    guard_text,
    guard_words,
    imaging_rules_words,
    state_words,
    tag,
)

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# The guards are not XPath (BPMN's default) nor any registered language: a URN names ours.
GUARD_LANGUAGE = "urn:sciatica-pathway:guard"

ET.register_namespace("bpmn", BPMN)
ET.register_namespace("xsi", XSI)


def to_bpmn(spec: PathwaySpec) -> str:
    """The pathway as BPMN 2.0 XML text (UTF-8 declaration, two-space indent, trailing newline)."""
    root = ET.Element(_q("definitions"), {
        "id": "definitions", "targetNamespace": "urn:sciatica-pathway",
        "expressionLanguage": GUARD_LANGUAGE, "exporter": "sciatica export",
    })
    # Executable: every condition is a formal expression in a declared language (SpiffWorkflow
    # also refuses to load a process that is not).
    process = ET.SubElement(root, _q("process"), {
        "id": bpmn_id(spec.name.replace(" ", "_")), "name": f"{spec.name} {spec.version}", "isExecutable": "true",
    })
    rules = [imaging_rules_words(spec)] if spec.imaging_rules else []
    _doc(process, "\n".join([spec.description, *rules, f"Content hash (SHA-256): {spec.content_hash}"]))
    ET.SubElement(process, _q("startEvent"), {"id": "start", "name": "Start"})
    flows = [("flow_start", "start", task_id(spec.initial), None)]
    for state in spec.states:
        flows += _state_nodes(process, spec, state)
    for fid, source, target, how in flows:  # after the nodes; a gateway's in the order tried
        _flow(process, spec, fid, source, target, how)
    _check_ids([e.get("id") for e in root.iter() if e.get("id")])
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True).decode() + "\n"


def _state_nodes(process: ET.Element, spec: PathwaySpec, state: State) -> list[tuple]:
    """The state's task, then its gateway or end event; returns the flows leaving them."""
    _task(process, spec, state)
    sid, task, outgoing = bpmn_id(state.id), task_id(state.id), spec.outgoing(state.id)
    if not outgoing:
        name = handover_words(state) if state.terminal else "ends this pathway"
        ET.SubElement(process, _q("endEvent"), {"id": f"end_{sid}", "name": f"{name[0].upper()}{name[1:]}"})
        return [(f"flow_{sid}_ends", task, f"end_{sid}", None)]
    gateway = ET.SubElement(process, _q("exclusiveGateway"), {
        "id": gateway_id(state.id), "name": f"{state.label}: first that holds"})
    flows = [(f"flow_{sid}_decides", task, gateway_id(state.id), None)]
    flows += [(flow_id(t.id), gateway_id(state.id), task_id(t.dest), t) for t in outgoing]
    if state.waits is not Waits.DECIDES:
        gateway.set("default", f"flow_{sid}_waits")
        flows.append((f"flow_{sid}_waits", gateway_id(state.id), task, "stays"))
    return flows


def bpmn_id(raw: str) -> str:
    """An id as an XML NCName: letters, digits, `_`, `-`, `.` (`@` -> `.`), not starting with a digit."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", raw.replace("@", "."))
    return safe if re.match(r"[A-Za-z_]", safe) else f"_{safe}"


def task_id(state_id: str) -> str:
    return f"state_{bpmn_id(state_id)}"


def gateway_id(state_id: str) -> str:
    return f"decide_{bpmn_id(state_id)}"


def flow_id(transition_id: str) -> str:
    return f"flow_{bpmn_id(transition_id)}"


def _task(process: ET.Element, spec: PathwaySpec, state: State) -> None:
    task = ET.SubElement(process, _q("userTask"), {"id": task_id(state.id), "name": state.label})
    waits = exit_words(spec, state) if state.terminal else waits_words(spec, state)
    facts = [f"Urgency: {state.urgency.value}.", *state_words(spec, state),
             f"Care step: {state.care_step.value.replace('_', ' ')}.", f"{waits[0].upper()}{waits[1:]}."]
    _doc(task, "\n".join([state.description, " ".join(facts), "Sources:", *sources_text(spec, state.citations)]))


def _flow(process: ET.Element, spec: PathwaySpec, fid: str, source: str, target: str, how) -> None:
    """A plain flow (how None), a waiting state's default stay (how "stays"), or a transition."""
    flow = ET.SubElement(process, _q("sequenceFlow"), {"id": fid, "sourceRef": source, "targetRef": target})
    if how == "stays":
        flow.set("name", "otherwise (no transition applies): stays")
    if not isinstance(how, Transition):
        return
    words = guard_words(spec, how)
    flow.set("name", f"{tag(how)}. {words}" + (": stays" if how.is_stay else ""))
    _doc(flow, "\n".join([f"When: {words}.", how.rationale, "Sources:", *sources_text(spec, how.citations)]))
    condition = ET.SubElement(flow, _q("conditionExpression"), {
        f"{{{XSI}}}type": "bpmn:tFormalExpression", "language": GUARD_LANGUAGE})
    condition.text = guard_text(how)


def _doc(parent: ET.Element, text: str) -> None:
    ET.SubElement(parent, _q("documentation")).text = text


def _q(tag: str) -> str:
    return f"{{{BPMN}}}{tag}"


def _check_ids(ids: list[str]) -> None:
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError("cannot export as BPMN: pathway ids that differ only in characters an XML id "
                         f"cannot hold give the same id: {', '.join(duplicates)}")
