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
from diagrams.dot import svg_id
from diagrams.model import PHASE_TITLES, DiagramModel, Edge, Node
from diagrams.screen import SCREEN_RULE, where_tried
from diagrams.words import imaging_words, starting_studies, timescale
from pathway.spec import PathwaySpec, Reference, State, Urgency

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
        rows = [f"{what}: {where}." for what, where in node.rows]
        text = "\n".join([SCREEN_RULE, *rows, "Click an escalation's arrow for the states it is tried in."])
        return {"kind": "screen", "title": node.label, "text": text, "note": node.note, "facts": [], "citations": []}
    spec = next(s for s in specs if node.id in s.state)
    state = spec.state[node.id]
    facts = [("Urgency", URGENCY_NAMES[state.urgency]), *_state_facts(spec, state),
             ("Phase", PHASE_TITLES[state.phase])]
    facts.append(("Handed over to", state.receiving_service) if state.terminal else ("Waits", node.waits))
    if node.red_flags:
        facts.append(("Red flags", "checked first, at every visit"))
    return {"kind": "state", "id": state.id, "title": state.label, "urgency": state.urgency.value,
            "facts": facts, "text": state.description, "note": node.note,
            "citations": citations(spec, state.citations)}


def _state_facts(spec: PathwaySpec, state: State, studies: bool = True) -> list[tuple[str, str]]:
    """Timescale (urgent and emergency work-up) and the imaging purpose, with what it starts from."""
    facts = [("Timescale", timescale(state))] if state.within_hours is not None else []
    facts.append(("Imaging", imaging_words(spec, state)))
    if studies and state.purpose in spec.purpose:
        facts.append(("Starts from", f"{starting_studies(spec.purpose[state.purpose])}, then the imaging rules"))
    return facts


def _edge_details(edge: Edge, model: DiagramModel, specs: tuple[PathwaySpec, ...]) -> dict:
    spec = next(s for s in specs if edge.transitions[0] in {t.id for t in s.transitions})
    transition = next(t for t in spec.transitions if t.id == edge.transitions[0])
    dest = spec.state[edge.dest]
    source = model.node(edge.source).label
    facts = [("Tried", f"{edge.tag}" + (" (red flags first)" if edge.escalation else "")),
             ("When", edge.guard + (" (stays)" if edge.stay else "")),
             ("As written", transition.text),
             ("Goes to", dest.label),
             ("Urgency", URGENCY_NAMES[dest.urgency]), *_state_facts(spec, dest, studies=False)]
    if dest.terminal and not edge.stay:
        facts.append(("Handed over to", dest.receiving_service))
    if edge.escalation:
        sources = {t.source for t in spec.transitions if t.id in set(edge.transitions)}
        froms = [s.label for s in spec.states if s.id in sources]
        facts += [("Where", where_tried(spec, [s.id for s in spec.states if s.id in sources])),
                  ("Tried in", ", ".join(froms))]
    return {"kind": "transition", "id": transition.base_id, "title": f"{source} \u2192 {dest.label}",
            "urgency": dest.urgency.value, "facts": facts, "text": transition.rationale, "note": edge.note,
            "citations": citations(spec, transition.citations)}


def citations(spec: PathwaySpec, ids: tuple[str, ...]) -> list[dict]:
    """References in full (source, detail, status), as the page shows them."""
    return [_reference(r) for r in (spec.reference[i] for i in ids)]


def _reference(ref: Reference) -> dict:
    return {"id": ref.id, "source": ref.source, "detail": ref.detail, "status": ref.status}
