"""The plain-data pieces of a diagram model: nodes, edges, clusters, legend entries, definitions.

Frozen values, so an overlay changes a drawing only through ``attrs.evolve``.
"""

from __future__ import annotations

import enum

import attrs

from pathway.spec import Phase, Urgency

from .words import PurposeText, RuleText


class Emphasis(enum.Enum):
    """How an overlay wants a node or edge drawn; the plain pathway is all NORMAL."""

    NORMAL = "normal"
    HIGHLIGHTED = "highlighted"  # e.g. on one patient's path
    DIMMED = "dimmed"  # e.g. off that path
    ADDED = "added"  # e.g. new in this version
    REMOVED = "removed"
    CHANGED = "changed"


@attrs.frozen
class Node:
    id: str  # the state id (or SCREEN)
    label: str
    urgency: Urgency
    imaging: str  # the imaging purpose the state orders, in words ("no imaging")
    terminal: bool  # an exit: a handover (``waits`` names the receiving service)
    waits: str  # plain words: "decides at once", "waits for the MRI result ...", "handed over to ..."
    tooltip: str  # description, then the sources in full
    timescale: str = ""  # urgent and emergency work-up: "within 4 hours"
    rows: tuple[tuple[str, str], ...] = ()  # the red-flag screen: (escalation, where it is tried) each
    red_flags: bool = False  # the red-flag screen is checked here at every visit
    is_screen: bool = False
    emphasis: Emphasis = Emphasis.NORMAL
    note: str = ""  # an overlay's words on the box, e.g. "visits 1, 2"
    page: str = ""  # drawn as a stand-in for a state on another page: "page 3"


@attrs.frozen
class Edge:
    id: str  # stable: the transition id, or the escalation declaration id
    source: str
    dest: str
    guard: str  # in plain words
    priority: int
    show_priority: bool  # several transitions leave the source, so the order matters
    tooltip: str  # rationale and sources (and, for escalations, the states it leaves from)
    transitions: tuple[str, ...]  # the spec transition ids this edge stands for
    escalation: bool = False
    stay: bool = False
    emphasis: Emphasis = Emphasis.NORMAL
    note: str = ""  # an overlay's words on the edge, e.g. "visit 2 (week 7)"
    width: float | None = None  # an overlay's line width, 0..1 (1: the busiest edge); None: the usual width
    arrival: bool = False  # on a page: the arrows from another page's states, guards in the tooltip

    @property
    def tag(self) -> str:
        """The priority as printed on the edge: R1, R2, ... for red flags, 1, 2, ... otherwise."""
        return f"R{self.priority}" if self.escalation else str(self.priority)


@attrs.frozen
class Cluster:
    phase: Phase
    title: str
    nodes: tuple[str, ...]
    page: str = ""  # stand-ins for the phase's states on another page: "page 3"


@attrs.frozen
class Definition:
    """A named condition the edges use: its name as printed, and what it means, generated from
    the guard that runs (not from the hand-written label)."""

    name: str
    label: str
    meaning: str


@attrs.frozen
class LegendEntry:
    key: str  # which drawing style it explains (dot.py and mermaid.py look it up)
    text: str


@attrs.frozen
class DiagramModel:
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...]  # in care order, empty phases left out
    legend: tuple[LegendEntry, ...]
    definitions: tuple[Definition, ...]  # the named conditions the guards use, in spec order
    initial: str
    purposes: tuple[PurposeText, ...] = ()  # what the states order, before the imaging rules
    imaging_rules: tuple[RuleText, ...] = ()  # applied, in this order, wherever imaging is ordered
    screen_rows: tuple[str, ...] = ()  # a page without the screen lists its escalations here
    subtitle: str = ""  # a page's: the pathway's title, under the page's own

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)


@attrs.frozen
class Table:
    """A decision or reference table: one row per line a clinician initials."""

    title: str
    note: str
    rows: tuple[tuple[str, ...], ...]  # one cell per column
    columns: tuple[str, ...]
