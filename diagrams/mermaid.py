"""Diagram model -> Mermaid `flowchart TD` text, for Markdown viewers that draw Mermaid (GitHub,
GitLab, mermaid-cli), legible at the size they draw it (mermaid-cli's default is 800 pixels wide).

Top to bottom, with short words on the picture and everything else in `%%` comments:

- each state's box: its name and its urgency (with a timescale: "EMERGENCY · within 4 hours"), the
  imaging it orders and what it waits for (an exit: who it hands over to), wrapped to narrow lines;
- each arrow: its tag (R1, R2, ... for the red flags; 1, 2, ... in the order tried, where several
  leave a state), or its guard in words, shortened, where it is the only one; the full guard in
  words is the `%%` comment above every arrow;
- one red-flag screen listing R1, R2, ... (where each is tried: in the comments), a flag on every
  state it guards, urgency as a class (colour) as well as in words;
- the states the screen escalates to, stacked a few to a row (invisible links), so that the
  picture grows down the page rather than across it.

Phases are `%%` comments, not subgraphs: Mermaid lays subgraphs out as blocks, which widens the
page. Deterministic: model order.
"""

from __future__ import annotations

import textwrap

from pathway.spec import Urgency

from .elements import DiagramModel, Edge, Node
from .labels import URGENCY_WORDS
from .screen import FLAG
from .words import NO_IMAGING

CLASSES = {
    "emergency": "fill:#8b0000,color:#ffffff,stroke:#8b0000,stroke-width:3px",
    "urgent": "fill:#f57c00,color:#212121,stroke:#a84300,stroke-width:3px",
    "routine": "fill:#e3f2fd,color:#212121,stroke:#1565c0",
    "screen": "fill:#ffebee,color:#8b0000,stroke:#c62828,stroke-width:3px",
}
WRAP = 20  # characters per line in a box
EDGE_WRAP = 22  # an arrow's guard where it has no tag, shortened to fit
PER_ROW = 3  # the screen's destinations side by side
# Drawn at its natural size (not shrunk to the viewer's width, which made the text unreadable),
# with boxes and ranks close together.
CONFIG = ["config:", "  flowchart:", "    useMaxWidth: false", "    nodeSpacing: 20", "    rankSpacing: 40"]

# Characters Mermaid reads as syntax, written as its entity codes (#59; prints ";"): `#` starts an
# entity, `%%` a comment, `<` `>` HTML, `"` ends a quoted text, `|` an arrow's text.
_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "%": "#37;", "|": "#124;"}


def escape(text: str, transition: bool = False) -> str:
    """Text safe inside a quoted Mermaid label (one line; ``transition`` kept for callers)."""
    return "".join(_ENTITIES.get(ch, ch) for ch in " ".join(text.split()))


def to_mermaid(model: DiagramModel) -> str:
    lines = ["---", f"title: {escape(model.title)}", *CONFIG, "---", "flowchart TD"]
    lines += [f"    classDef {name} {style}" for name, style in CLASSES.items()]
    lines += ["    start((start))", f"    start --> {model.initial}"]
    for cluster in model.clusters:
        lines.append(f"    %% {cluster.title}")
        lines += [f'    {n}["{_node_text(model.node(n))}"]' for n in cluster.nodes]
    for edge in model.edges:
        lines += [f"    %% {_comment(edge)}", f'    {edge.source} -->|"{_edge_text(edge)}"| {edge.dest}']
    lines += _stacked(model)
    for name in CLASSES:
        members = [n.id for n in model.nodes if _class(n) == name]
        if members:
            lines.append(f"    class {','.join(members)} {name}")
    return "\n".join(lines) + "\n"


def _lines(text: str, width: int = WRAP) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False) or [""]


def _node_text(node: Node) -> str:
    flag = f"{FLAG} " if node.red_flags or node.is_screen else ""
    if node.is_screen:
        rows = [what for what, _ in node.rows]
        body = [line for row in rows for line in _lines(row, 34)]
        return "<br/>".join([f"<b>{escape(flag + node.label)}</b>", *(escape(line) for line in body)])
    head = [f"<b>{escape(line)}</b>" for line in _lines(flag + node.label)]
    facts = [escape(line) for line in _lines(" \u00b7 ".join(_facts(node)))]
    return "<br/>".join(head + facts)


def _facts(node: Node) -> list[str]:
    """Urgency (and timescale), the imaging ordered, what it waits for or who it hands over to."""
    urgency = URGENCY_WORDS[node.urgency] + (f" \u00b7 {node.timescale}" if node.timescale else "")
    return [urgency, node.imaging if node.imaging == NO_IMAGING else f"orders: {node.imaging}", node.waits]


def _edge_text(edge: Edge) -> str:
    if edge.show_priority or edge.escalation:
        return escape(edge.tag)
    words = edge.guard + (": stays" if edge.stay else "")
    return escape(textwrap.shorten(words, EDGE_WRAP, placeholder="..."))


def _comment(edge: Edge) -> str:
    """The arrow's whole guard in words, for a reader of the text (a comment is one line; no `%%`)."""
    text = f"{edge.tag}. {edge.guard}" + (": stays" if edge.stay else "")
    return " ".join(text.replace("%%", "%").split())


def _stacked(model: DiagramModel) -> list[str]:
    """Invisible links that put the screen's destinations a few to a row, one row under the next."""
    row = list(dict.fromkeys(e.dest for e in model.edges if e.escalation))
    return [f"    {above} ~~~ {below}" for above, below in zip(row, row[PER_ROW:])]


def _class(node: Node) -> str | None:
    if node.is_screen:
        return "screen"
    return {Urgency.EMERGENCY: "emergency", Urgency.URGENT: "urgent", Urgency.ROUTINE: "routine"}.get(node.urgency)
