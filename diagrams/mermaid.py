"""Diagram model -> Mermaid `stateDiagram-v2` text, for Markdown viewers that draw Mermaid.

The same drawing choices as the DOT: one red-flag screen listing R1, R2, ..., a flag on every
state it guards, urgency as a class (colour), each state's timescale, imaging purpose and what it
waits for (an exit: who it hands over to). Phases are `%%` comments, not composite states: Mermaid
cannot draw a transition between states inside different composites. Deterministic: model order.
"""

from __future__ import annotations

from pathway.spec import Urgency

from .elements import DiagramModel, Edge, Node
from .labels import state_facts
from .screen import FLAG

CLASSES = {
    "emergency": "fill:#8b0000,color:#ffffff,stroke:#8b0000,stroke-width:3px",
    "urgent": "fill:#f57c00,color:#212121,stroke:#a84300,stroke-width:3px",
    "routine": "fill:#e3f2fd,color:#212121,stroke:#1565c0",
    "screen": "fill:#ffebee,color:#8b0000,stroke:#c62828,stroke-width:3px",
}

# Characters Mermaid reads as syntax, written as its entity codes (#59; prints ";"). Everywhere:
# `#` starts an entity, `%%` a comment, `<` `>` HTML, `"` ends a state's text. In a transition's
# text (after " : ") a `:` or `;` also ends it.
_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "%": "#37;"}
_IN_TRANSITION = {**_ENTITIES, ":": "#58;", ";": "#59;"}


def escape(text: str, transition: bool = False) -> str:
    """Text safe inside a Mermaid state description (or, with ``transition``, a transition label)."""
    table = _IN_TRANSITION if transition else _ENTITIES
    return "".join(table.get(ch, ch) for ch in " ".join(text.split()))


def to_mermaid(model: DiagramModel) -> str:
    lines = ["---", f"title: {escape(model.title, transition=True)}", "---", "stateDiagram-v2", "    direction TB"]
    lines += [f"    classDef {name} {style}" for name, style in CLASSES.items()]
    for cluster in model.clusters:
        lines.append(f"    %% {cluster.title}")
        lines += [f'    state "{_state_text(model.node(n))}" as {n}' for n in cluster.nodes]
    lines.append(f"    [*] --> {model.initial}")
    lines += [f"    {e.source} --> {e.dest} : {_edge_text(e)}" for e in model.edges]
    lines += [f"    {n.id} --> [*]" for n in model.nodes if n.terminal]
    for name in CLASSES:
        members = [n.id for n in model.nodes if _class(n) == name]
        if members:
            lines.append(f"    class {','.join(members)} {name}")
    return "\n".join(lines) + "\n"


def _state_text(node: Node) -> str:
    flag = f"{FLAG} " if node.red_flags or node.is_screen else ""
    lines = [f"{what}: {where}" for what, where in node.rows] if node.is_screen else [
        " ".join(state_facts(node))]
    return "<br/>".join([flag + escape(node.label), *(escape(line) for line in lines)])


def _edge_text(edge: Edge) -> str:
    text = edge.guard + (": stays" if edge.stay else "")
    return escape(f"{edge.tag}. {text}" if edge.show_priority else text, transition=True)


def _class(node: Node) -> str | None:
    if node.is_screen:
        return "screen"
    return {Urgency.EMERGENCY: "emergency", Urgency.URGENT: "urgent", Urgency.ROUTINE: "routine"}.get(node.urgency)
