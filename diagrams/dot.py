"""Diagram model -> DOT text, built with the `graphviz` package (source only, never rendered here).

Layout: top to bottom in care order. Each phase is a cluster; invisible edges push each phase
below the one before; an edge that steps back in care order (reassessment -> conservative care)
is laid out as a forward edge with its arrowhead reversed (dir=back), so it neither drags its
state up the page nor loses its label placement (constraint=false edges get stray labels).

Deterministic: the DOT is a function of the model alone (model order, no dict-order or clock
surprises), so the same pathway gives byte-identical DOT and, through render.py, SVG.
"""

from __future__ import annotations

import re

import graphviz

from pathway.spec import Urgency

from .labels import DARK_RED, INK, ORANGE, RED, edge_label, esc, heading, node_label
from .model import Cluster, DiagramModel, Edge, Emphasis, Node

FONT = "Helvetica"
GREY = "#546e7a"
# Edges (and their guards) take the colour of the state they leave, where several leave one state,
# so a guard placed nearer a neighbouring edge is still read with its own. Not red or orange:
# those mean urgency here.
EDGE_COLOURS = ("#1565c0", "#6a1b9a", "#00796b", "#2e7d32", "#6d4c41", "#827717")

# Urgent and emergency states must be unmistakable: an octagon (a stop sign) filled in colour,
# with the urgency in capitals too, for readers who cannot tell the colours apart.
NODE_STYLE = {
    Urgency.EMERGENCY: dict(shape="octagon", style="filled,bold", fillcolor=DARK_RED, color=DARK_RED,
                            fontcolor="white", penwidth="2"),
    Urgency.URGENT: dict(shape="octagon", style="filled,bold", fillcolor=ORANGE, color="#a84300",
                         fontcolor=INK, penwidth="2"),
    Urgency.ROUTINE: dict(shape="box", style="rounded,filled", fillcolor="#e3f2fd", color="#1565c0"),
    Urgency.NONE: dict(shape="box", style="rounded,filled", fillcolor="white", color="#455a64"),
}
STAND_IN_STYLE = dict(shape="box", style="rounded,dashed", color="#78909c", fontcolor="#37474f")
SCREEN_STYLE = dict(shape="box", style="filled,bold", fillcolor="#ffebee", color=RED, penwidth="2.5",
                    fontcolor=DARK_RED)

# For overlays (one patient's path, a version diff): applied over the normal style.
EMPHASIS_STYLE = {
    Emphasis.NORMAL: {},
    # `class` marks them in the SVG: the review packet opens its diagrams on the first one.
    Emphasis.HIGHLIGHTED: dict(color="#0d47a1", penwidth="3.5", **{"class": "emphasis"}),
    Emphasis.DIMMED: dict(color="#cfd8dc", fontcolor="#9e9e9e"),
    Emphasis.ADDED: dict(color="#2e7d32", penwidth="3.5", **{"class": "emphasis"}),
    Emphasis.REMOVED: dict(color="#9e9e9e", style="dashed", **{"class": "emphasis"}),
    Emphasis.CHANGED: dict(color="#00a5c8", penwidth="3.5", **{"class": "emphasis"}),  # a hue no ordinary edge has
}

# An overlay's edge widths (cohort flow) run from hairline (nobody) to thick (the busiest edge).
MIN_PEN, MAX_PEN = 0.5, 10.0


def to_dot(model: DiagramModel) -> str:
    g = graphviz.Digraph(
        "pathway", graph_attr=_graph_attrs(model),
        node_attr=dict(fontname=FONT, fontsize="13", margin="0.12,0.06"),
        edge_attr=dict(fontname=FONT, fontsize="11", color=GREY, fontcolor=INK, arrowsize="0.8"),
    )
    for index, cluster in enumerate(model.clusters):
        with g.subgraph(name=f"cluster_{index:02d}_{cluster.phase.value}") as sub:
            sub.attr(**_cluster_style(cluster))
            for node_id in cluster.nodes:
                _node(sub, model.node(node_id))
            _screen_order(sub, model, cluster.nodes)
    rank = {n: i for i, c in enumerate(model.clusters) for n in c.nodes}
    colours = _edge_colours(model)
    for edge in model.edges:
        _edge(g, edge, colours.get(edge.source, GREY), backward=rank[edge.dest] < rank[edge.source])
    _care_order(g, model)
    return g.source


def _cluster_style(cluster: Cluster) -> dict:
    if cluster.page:  # stand-ins for states drawn on other pages: a cluster only to keep care order
        return dict(label="", style="invis", id=f"elsewhere-{cluster.phase.value}")
    urgent = cluster.phase.value == "urgent"
    return dict(label=f"<<B>{esc(cluster.title)}</B>>", labeljust="l", style="rounded,filled",
                color="#e57373" if urgent else "#b0bec5", fillcolor="#fff5f4" if urgent else "#f5f7f8",
                fontsize="15", fontcolor="#37474f", id=f"phase-{cluster.phase.value}")


def _graph_attrs(model: DiagramModel) -> dict:
    return dict(
        # newrank: the invisible care-order edges rank across clusters. remincross off: Graphviz's
        # last crossing pass, run over all clusters, rotates the R1, R2, ... row out of order.
        rankdir="TB", newrank="true", remincross="false", nodesep="0.25", ranksep="0.45", splines="true",
        outputorder="edgesfirst",  # nodes are drawn over edges, never under them
        fontname=FONT, label=heading(model), labelloc="t", fontsize="12", pad="0.3",
        id="pathway", tooltip=model.title,
    )


def _node(g: graphviz.Digraph, node: Node) -> None:
    style = dict(STAND_IN_STYLE if node.page else SCREEN_STYLE if node.is_screen else NODE_STYLE[node.urgency])
    if node.terminal and not node.page:
        style["peripheries"] = "2"
    style.update(EMPHASIS_STYLE[node.emphasis])
    g.node(node.id, label=node_label(node), tooltip=_tip(node.tooltip), id=svg_id("state", node.id), **style)


def _edge_colours(model: DiagramModel) -> dict[str, str]:
    """A colour for each state several transitions leave, in model order. States whose
    transitions read the same (the three scans) share one: their guards cannot be confused."""
    colours: dict[str, str] = {}
    by_wording: dict[tuple, str] = {}
    for node in model.nodes:
        own = [e for e in model.edges if e.source == node.id and e.show_priority and not e.escalation]
        if len(own) < 2:
            continue
        wording = tuple((e.priority, e.guard, e.stay or e.dest) for e in own)
        by_wording.setdefault(wording, EDGE_COLOURS[len(by_wording) % len(EDGE_COLOURS)])
        colours[node.id] = by_wording[wording]
    return colours


def _edge(g: graphviz.Digraph, edge: Edge, colour: str, backward: bool) -> None:
    tip = _tip(edge.tooltip)
    attrs = dict(id=svg_id("edge", edge.id), label=edge_label(edge), tooltip=tip, labeltooltip=tip,
                 color=colour, fontcolor=colour)
    if edge.escalation:
        attrs.update(color=RED, fontcolor=DARK_RED, penwidth="2")
    if edge.stay:
        attrs.update(style="dashed")
    if edge.arrival:  # its guards are drawn on the page it comes from
        attrs.update(label="", color="#78909c", style="dashed")
    attrs.update(EMPHASIS_STYLE[edge.emphasis])
    if edge.width is not None:  # fixed decimals: the same counts give the same bytes
        attrs.update(penwidth=f"{MIN_PEN + (MAX_PEN - MIN_PEN) * edge.width:.2f}")
    if backward:
        g.edge(edge.dest, edge.source, dir="back", **attrs)
    else:
        g.edge(edge.source, edge.dest, **attrs)


def _screen_order(g: graphviz.Digraph, model: DiagramModel, members: tuple[str, ...]) -> None:
    """The red-flag destinations side by side in the order R1, R2, ... are tried, left to right,
    so that the escalation edges fan out without crossing."""
    row = [d for d in _screen_row(model) if d in members]
    if len(row) < 2:
        return
    with g.subgraph() as same:
        same.attr(rank="same")
        for left, right in zip(row, row[1:]):
            same.edge(left, right, style="invis")


def _screen_row(model: DiagramModel) -> list[str]:
    return list(dict.fromkeys(e.dest for e in model.edges if e.escalation))


def _care_order(g: graphviz.Digraph, model: DiagramModel) -> None:
    """Invisible edges from each phase to the next keep the page in care order, top to bottom.

    Only the phase's last states (no edge on to another state of the phase) point to the next
    phase's first states (no edge into them from within it), so few edges are added. The red-flag
    row shares one rank, so its first state speaks for it: invisible edges take part in Graphviz's
    crossing reduction, and one from each would pull the row about.
    """
    inner = {(e.source, e.dest) for e in model.edges if not e.stay}
    row = _screen_row(model)
    stand_ins = set(row[1:])
    for above, below in zip(model.clusters, model.clusters[1:]):
        last = [n for n in above.nodes if n not in stand_ins and not any((n, m) in inner for m in above.nodes)]
        first = [n for n in below.nodes if not any((m, n) in inner for m in below.nodes)]
        for a in last:
            for b in first:
                if (a, b) not in inner:
                    g.edge(a, b, style="invis", weight="0")


def _tip(text: str) -> str:
    """A tooltip as a DOT escString: backslashes kept literal, lines joined by \\n."""
    return "\\n".join(line.replace("\\", "\\\\") for line in text.splitlines())


def svg_id(kind: str, raw: str) -> str:
    # SVG ids must be XML names: `escalate_x@state` and the like become `escalate_x.state`.
    return f"{kind}-{re.sub(r'[^A-Za-z0-9_.-]', '.', raw)}"
