"""The validated pathway as one BPMN 2.0 process with its diagram (XML), for workflow engines,
modellers (bpmn-js) and process-mining tools. What the process holds is `bpmn_process`; where it
is drawn, `bpmn_layout`. Here both are written out:

- every flow node lists its `incoming` and `outgoing` flows (as modellers and linters read them);
- each conditional flow's `conditionExpression` is a Python expression over the findings (the
  definitions' `expressionLanguage` says so), its `name` the order tag and the guard in words, its
  documentation the guard as written, the rationale and sources; each gateway asks one guard, named
  as a question;
- tasks carry the state's description, urgency, timescale, imaging purpose and sources; the
  process, the pathway's description, the imaging rules in words and the content hash (BPMN has no
  construct for an order that the findings amend);
- a BPMNDiagram with a shape per flow node and an edge, with waypoints, per sequence flow.

Deterministic: elements in spec order, ids derived from state and transition ids (`state_x`,
`enter_x`, `try_<transition>`, `end_x`, `flow_<transition>`, with `@` -> `.`), whole-number
coordinates, no timestamps.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pathway.spec import PathwaySpec

from .bpmn_layout import layout
from .bpmn_process import Process, build_process, bpmn_id, flow_id, task_id, try_id

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# BPMN names an expression language by URI; the conditions are Python expressions.
PYTHON = "https://docs.python.org/3/reference/expressions.html"

for _prefix, _uri in (("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI), ("xsi", XSI)):
    ET.register_namespace(_prefix, _uri)

__all__ = ["PYTHON", "bpmn_id", "flow_id", "task_id", "to_bpmn", "try_id"]


def to_bpmn(spec: PathwaySpec) -> str:
    """The pathway as BPMN 2.0 XML text (UTF-8 declaration, two-space indent, trailing newline)."""
    process = build_process(spec)
    _check_ids(process)
    root = ET.Element(_q(BPMN, "definitions"), {
        "id": "definitions", "targetNamespace": "urn:sciatica-pathway", "expressionLanguage": PYTHON,
        "exporter": "sciatica export", "exporterVersion": spec.version,
    })
    _process(root, process)
    _diagram(root, spec, process)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True).decode() + "\n"


def _process(root: ET.Element, process: Process) -> None:
    # Executable: every condition is a formal expression in a declared language (SpiffWorkflow
    # refuses to load a process that is not).
    element = ET.SubElement(root, _q(BPMN, "process"), {"id": process.id, "name": process.name, "isExecutable": "true"})
    _doc(element, process.doc)
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in process.flows:
        outgoing.setdefault(flow.source, []).append(flow.id)
        incoming.setdefault(flow.target, []).append(flow.id)
    for node in process.nodes:
        attrs = {"id": node.id, "name": node.name}
        if node.kind == "exclusiveGateway":
            attrs["gatewayDirection"] = "Converging" if node.joins else "Diverging"
        if node.default:
            attrs["default"] = node.default
        tag = ET.SubElement(element, _q(BPMN, node.kind), attrs)
        if node.doc:
            _doc(tag, node.doc)
        for kind, ids in (("incoming", incoming.get(node.id, [])), ("outgoing", outgoing.get(node.id, []))):
            for fid in ids:
                ET.SubElement(tag, _q(BPMN, kind)).text = fid
    for flow in process.flows:
        attrs = {"id": flow.id, "sourceRef": flow.source, "targetRef": flow.target}
        tag = ET.SubElement(element, _q(BPMN, "sequenceFlow"), {**attrs, **({"name": flow.name} if flow.name else {})})
        if flow.doc:
            _doc(tag, flow.doc)
        if flow.condition is not None:
            condition = ET.SubElement(tag, _q(BPMN, "conditionExpression"), {f"{{{XSI}}}type": "bpmn:tFormalExpression"})
            condition.text = flow.condition


def _diagram(root: ET.Element, spec: PathwaySpec, process: Process) -> None:
    bounds, waypoints, labels = layout(spec, process)
    diagram = ET.SubElement(root, _q(BPMNDI, "BPMNDiagram"), {"id": "diagram", "name": process.name})
    plane = ET.SubElement(diagram, _q(BPMNDI, "BPMNPlane"), {"id": "plane", "bpmnElement": process.id})
    for node in process.nodes:
        shape = ET.SubElement(plane, _q(BPMNDI, "BPMNShape"), {"id": f"{node.id}_di", "bpmnElement": node.id})
        x, y, w, h = bounds[node.id]
        ET.SubElement(shape, _q(DC, "Bounds"), {"x": str(x), "y": str(y), "width": str(w), "height": str(h)})
        _label(shape, labels.get(node.id))
    for flow in process.flows:
        edge = ET.SubElement(plane, _q(BPMNDI, "BPMNEdge"), {"id": f"{flow.id}_di", "bpmnElement": flow.id})
        for x, y in waypoints[flow.id]:
            ET.SubElement(edge, _q(DI, "waypoint"), {"x": str(x), "y": str(y)})
        _label(edge, labels.get(flow.id))


def _label(parent: ET.Element, bounds) -> None:
    """Where the element's name is drawn (after the shape's own bounds, which readers take first)."""
    if bounds is not None:
        x, y, w, h = bounds
        label = ET.SubElement(parent, _q(BPMNDI, "BPMNLabel"))
        ET.SubElement(label, _q(DC, "Bounds"), {"x": str(x), "y": str(y), "width": str(w), "height": str(h)})


def _doc(parent: ET.Element, text: str) -> None:
    ET.SubElement(parent, _q(BPMN, "documentation")).text = text


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def _check_ids(process: Process) -> None:
    ids = [n.id for n in process.nodes] + [f.id for f in process.flows]
    ids += [f"{i}_di" for i in ids]
    seen: set[str] = set()
    duplicates = sorted({i for i in ids if i in seen or seen.add(i)})
    if duplicates:
        raise ValueError("cannot export as BPMN: pathway ids that differ only in characters an XML id "
                         f"cannot hold give the same id: {', '.join(duplicates)}")
