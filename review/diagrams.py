"""Diagrams for the review packet: the rendered SVG, made safe to inline several times in one
page, and what a click on each state or arrow shows (plain data, read by the page's script).

Every picture in the report is a diagram model (plain, or with an overlay: a counterexample's
path, a version's changes, a cohort's flow) rendered by `diagrams`, so what is clicked is what
`sciatica diagram` draws. Graphviz names each state's group `state-<id>` and each arrow's
`edge-<id>`; each inline copy gets a prefix of its own so that ids stay unique in the page.
"""

from __future__ import annotations

import re

import attrs

from diagrams.diagram import Diagram
from diagrams.model import IMAGING_WORDS, PHASE_TITLES, DiagramModel, Edge, Node
from diagrams.dot import svg_id
from pathway.spec import PathwaySpec, Reference, Urgency

URGENCY_NAMES = {Urgency.NONE: "none", Urgency.ROUTINE: "routine", Urgency.URGENT: "URGENT",
                 Urgency.EMERGENCY: "EMERGENCY"}


@attrs.frozen
class Picture:
    """One inline diagram: its SVG (ids prefixed) and, by prefixed id, what a click shows."""

    key: str  # the prefix, unique in the page
    svg: str
    details: dict[str, dict]


def picture(key: str, model: DiagramModel, specs: tuple[PathwaySpec, ...]) -> Picture:
    """Render ``model`` and describe its states and arrows from ``specs`` (first match wins: the
    new version before the old, whose states and transitions a diff draws as removed)."""
    svg = inline_svg(Diagram(model).render("svg").decode(), key)
    details = {f"{key}-{svg_id('state', n.id)}": _node_details(n, specs) for n in model.nodes}
    details |= {f"{key}-{svg_id('edge', e.id)}": _edge_details(e, model, specs) for e in model.edges}
    return Picture(key, svg, details)


def inline_svg(svg: str, key: str) -> str:
    """Graphviz's SVG document as an element for an HTML page: no XML prolog or comments, every
    id prefixed with ``key``, and sized by the page (the viewBox keeps the proportions)."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    svg = re.sub(r'\bid="([^"]*)"', lambda m: f'id="{key}-{m.group(1)}"', svg)
    svg = re.sub(r'<svg width="[^"]*" height="[^"]*"', f'<svg class="diagram" data-key="{key}"', svg, count=1)
    return svg.strip()


def _node_details(node: Node, specs: tuple[PathwaySpec, ...]) -> dict:
    if node.is_screen:
        return {"kind": "screen", "title": node.label, "text": node.tooltip, "note": node.note,
                "facts": [], "citations": []}
    spec = next(s for s in specs if node.id in s.state)
    state = spec.state[node.id]
    facts = [("Urgency", URGENCY_NAMES[state.urgency]), ("Imaging", IMAGING_WORDS[state.imaging]),
             ("Phase", PHASE_TITLES[state.phase]), ("Waits", node.waits)]
    if node.red_flags:
        facts.append(("Red flags", "checked first, at every visit"))
    return {"kind": "state", "id": state.id, "title": state.label, "urgency": state.urgency.value,
            "facts": facts, "text": state.description, "note": node.note,
            "citations": _citations(spec, state.citations)}


def _edge_details(edge: Edge, model: DiagramModel, specs: tuple[PathwaySpec, ...]) -> dict:
    spec = next(s for s in specs if edge.transitions[0] in {t.id for t in s.transitions})
    transition = next(t for t in spec.transitions if t.id == edge.transitions[0])
    dest = spec.state[edge.dest]
    source = model.node(edge.source).label
    facts = [("Tried", f"{edge.tag}" + (" (red flags first)" if edge.escalation else "")),
             ("When", edge.guard + (" (stays)" if edge.stay else "")),
             ("As written", transition.text),
             ("Goes to", dest.label),
             ("Urgency", URGENCY_NAMES[dest.urgency]), ("Imaging", IMAGING_WORDS[dest.imaging])]
    if edge.escalation:
        sources = {t.source for t in spec.transitions if t.id in set(edge.transitions)}
        froms = [s.label for s in spec.states if s.id in sources]
        facts.append(("Checked in", ", ".join(froms)))
    return {"kind": "transition", "id": transition.base_id, "title": f"{source} \u2192 {dest.label}",
            "urgency": dest.urgency.value, "facts": facts, "text": transition.rationale, "note": edge.note,
            "citations": _citations(spec, transition.citations)}


def _citations(spec: PathwaySpec, ids: tuple[str, ...]) -> list[dict]:
    return [_reference(r) for r in (spec.reference[i] for i in ids)]


def _reference(ref: Reference) -> dict:
    return {"id": ref.id, "source": ref.source, "detail": ref.detail, "status": ref.status}
