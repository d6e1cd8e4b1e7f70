"""The pathway as a plain-data diagram model: nodes, edges, clusters, title and legend.

Every drawing (DOT, Mermaid) is a pure function of this model, and the model is a pure
function of the validated spec, so what a clinician signs is exactly what the engine runs.
Overlays (one patient's trace, the difference between two versions) are meant to be pure
functions too: model -> model with some ``emphasis`` fields changed (``attrs.evolve``).

Red-flag escalations. The loader copies each of the 7 escalation declarations to every
non-urgent, non-terminal state: 70 transitions. Drawn one by one they would be a thicket of
crossing edges hiding the pathway itself. They are the same 7 rules everywhere, tried first at
every visit, so the model draws each *declaration* once, from a single "Red-flag screen" node to
its urgent destination, and marks every state the screen guards with a red flag (``red_flags``).
Each escalation edge keeps the ids of all the transitions it stands for and, in its tooltip, the
states it leaves from; nothing of the spec is lost, only the repetition.
"""

from __future__ import annotations

import enum
import re
from collections import Counter

import attrs

from pathway.guards import Name, describe, names_in
from pathway.spec import Imaging, PathwaySpec, Phase, State, Transition, Urgency, Waits

SCREEN = "red_flag_screen"  # the id of the single node red-flag escalations are drawn from
SCREEN_LABEL = "Red-flag screen - checked first at every visit"

PHASE_TITLES = {
    Phase.ONSET: "Onset",
    Phase.ASSESSMENT: "Assessment",
    Phase.CONSERVATIVE_CARE: "Conservative care",
    Phase.REASSESSMENT: "Reassessment",
    Phase.IMAGING: "Imaging",
    Phase.INTERVENTION: "Intervention",
    Phase.REROUTING: "Re-routing to another diagnosis",
    Phase.URGENT: "Red flags - urgent and emergency handover",
    Phase.EXIT: "Exit",
}
CARE_ORDER = tuple(PHASE_TITLES)  # top to bottom on the page

IMAGING_WORDS = {
    Imaging.NONE: "no imaging",
    Imaging.XRAY: "X-ray",
    Imaging.MRI: "MRI",
    Imaging.MRI_WITH_CONTRAST: "MRI with contrast",
    Imaging.CT: "CT",
}
WAITS_WORDS = {
    Waits.DECIDES: "decides at once",
    Waits.VISIT: "waits for the next visit",
    Waits.RESULT: "waits for a result",
    Waits.RETURN: "waits for the patient's return",
}


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
    imaging: Imaging
    terminal: bool
    waits: str  # plain words: "decides at once", ...
    tooltip: str  # description, then the sources in full
    red_flags: bool = False  # the red-flag screen is checked here at every visit
    is_screen: bool = False
    emphasis: Emphasis = Emphasis.NORMAL
    note: str = ""  # an overlay's words on the box, e.g. "visits 1, 2"


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

    @property
    def tag(self) -> str:
        """The priority as printed on the edge: R1..R7 for red flags, 1, 2, ... otherwise."""
        return f"R{self.priority}" if self.escalation else str(self.priority)


@attrs.frozen
class Cluster:
    phase: Phase
    title: str
    nodes: tuple[str, ...]


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

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)


def build_model(spec: PathwaySpec) -> DiagramModel:
    labels = short_labels(spec)
    guarded = {t.source for t in spec.transitions if t.escalation}
    nodes = tuple(_state_node(spec, s, s.id in guarded) for s in spec.states)
    edges = _own_edges(spec, labels)
    escalations = _escalation_edges(spec, labels)
    if escalations:
        nodes += (_screen_node(spec, guarded),)
    return DiagramModel(
        title=f"{spec.name} {spec.version} - content {spec.content_hash[:12]}",
        nodes=nodes,
        edges=escalations + edges,
        clusters=_clusters(spec, bool(escalations)),
        legend=LEGEND,
        definitions=_definitions(spec, labels),
        initial=spec.initial,
    )


def short_labels(spec: PathwaySpec) -> dict[str, str]:
    """Condition labels without their trailing parenthetical gloss, which the definitions give
    in full: "imaging would change management (persisting or ...)" -> "imaging would change
    management". Edge labels stay short enough to read on the picture. Where two would read the
    same, both keep their full labels."""
    short = {c.name: re.sub(r"\s*\([^()]*\)$", "", c.label) for c in spec.conditions}
    seen = Counter(short.values())
    return {c.name: short[c.name] if seen[short[c.name]] == 1 else c.label for c in spec.conditions}


def _definitions(spec: PathwaySpec, labels: dict[str, str]) -> tuple[Definition, ...]:
    """Every condition a transition's guard names, and the conditions those name in turn."""
    used: set[str] = set()
    pending = [n for t in spec.transitions for n in names_in(t.expr)]
    while pending:
        name = pending.pop()
        if name in spec.condition and name not in used:
            used.add(name)
            pending.extend(names_in(spec.condition[name].expr))
    meanings = {c.name: describe(c.expr, spec.finding, labels) for c in spec.conditions if c.name in used}
    # "major trauma: major trauma" says nothing: a condition that only renames a finding is left out.
    return tuple(Definition(c.name, labels[c.name], meanings[c.name]) for c in spec.conditions
                 if c.name in used and meanings[c.name] != labels[c.name])


def sources_text(spec: PathwaySpec, citations: tuple[str, ...]) -> list[str]:
    """Citations resolved to the source text, one line each."""
    lines = []
    for ref_id in citations:
        ref = spec.reference[ref_id]
        lines.append(f"- {ref.source} [{ref.status}]: {ref.detail}")
    return lines


def _state_node(spec: PathwaySpec, state: State, red_flags: bool) -> Node:
    waits = WAITS_WORDS[state.waits]
    if state.terminal:
        waits = "ends this pathway"
    elif state.review_within_weeks:
        waits += f" (at most {state.review_within_weeks} weeks)"
    tooltip = [state.label, state.description, "Sources:", *sources_text(spec, state.citations)]
    if red_flags:
        tooltip.append("Red flags are checked here first, at every visit.")
    return Node(
        id=state.id, label=state.label, urgency=state.urgency,
        imaging=spec.purpose[state.purpose].studies[0] if state.purpose else Imaging.NONE,
        terminal=state.terminal, waits=waits, tooltip="\n".join(tooltip), red_flags=red_flags,
    )


def _screen_node(spec: PathwaySpec, guarded: set[str]) -> Node:
    where = ", ".join(spec.state[s].label for s in _in_spec_order(spec, guarded))
    tooltip = (
        f"{SCREEN_LABEL}.\nThe red-flag escalations are tried first, in order R1, R2, ..., "
        f"at every visit in every state marked with a red flag: {where}."
    )
    return Node(
        id=SCREEN, label=SCREEN_LABEL, urgency=Urgency.NONE, imaging=Imaging.NONE, terminal=False,
        waits="", tooltip=tooltip, is_screen=True,
    )


def _own_edges(spec: PathwaySpec, labels: dict[str, str]) -> tuple[Edge, ...]:
    full = {c.name: c.label for c in spec.conditions}
    edges = []
    for state in spec.states:
        own = [t for t in spec.outgoing(state.id) if not t.escalation]
        for t in own:
            tooltip = [f"When: {describe(t.expr, spec.finding, full)}.", t.rationale, "Sources:",
                       *sources_text(spec, t.citations)]
            edges.append(Edge(
                id=t.id, source=t.source, dest=t.dest, guard=describe(t.expr, spec.finding, labels),
                priority=t.priority, show_priority=len(own) > 1, tooltip="\n".join(tooltip),
                transitions=(t.id,), stay=t.is_stay,
            ))
    return tuple(edges)


def _escalation_edges(spec: PathwaySpec, labels: dict[str, str]) -> tuple[Edge, ...]:
    """One edge per escalation declaration (`escalate_x@state` -> `escalate_x`)."""
    groups: dict[str, list[Transition]] = {}
    for t in spec.transitions:
        if t.escalation:
            groups.setdefault(t.id.partition("@")[0], []).append(t)
    edges = []
    for decl, copies in groups.items():
        first = copies[0]
        sources = _in_spec_order(spec, {t.source for t in copies})
        meaning = _condition_meaning(spec, first, labels)
        tooltip = [
            first.rationale, *meaning, "Sources:", *sources_text(spec, first.citations),
            "Checked first, at every visit, in: " + ", ".join(spec.state[s].label for s in sources) + ".",
        ]
        edges.append(Edge(
            id=decl, source=SCREEN, dest=first.dest, guard=describe(first.expr, spec.finding, labels),
            priority=first.priority, show_priority=True, tooltip="\n".join(tooltip),
            transitions=tuple(t.id for t in copies), escalation=True,
        ))
    return tuple(sorted(edges, key=lambda e: (e.priority, e.id)))


def _condition_meaning(spec: PathwaySpec, t: Transition, labels: dict[str, str]) -> list[str]:
    """For a guard that names one red-flag category, what the category means in words."""
    condition = spec.condition.get(t.expr.name) if isinstance(t.expr, Name) else None
    if condition is None:
        return []
    return [f"Means: {describe(condition.expr, spec.finding, labels)}."]


def _clusters(spec: PathwaySpec, has_screen: bool) -> tuple[Cluster, ...]:
    clusters = []
    for phase in CARE_ORDER:
        members = tuple(s.id for s in spec.states if s.phase is phase)
        if phase is Phase.URGENT and has_screen:
            members = (SCREEN,) + members  # the screen leads into the urgent states
        if members:
            clusters.append(Cluster(phase, PHASE_TITLES[phase], members))
    return tuple(clusters)


def _in_spec_order(spec: PathwaySpec, ids: set[str]) -> list[str]:
    return [s.id for s in spec.states if s.id in ids]


LEGEND = (
    LegendEntry("emergency", "EMERGENCY: hand over to the emergency department now"),
    LegendEntry("urgent", "URGENT: urgent specialist referral"),
    LegendEntry("routine", "Care state (routine or no urgency)"),
    LegendEntry("terminal", "Double border: ends this pathway (handover or discharge)"),
    LegendEntry("red_flags", "Red flags checked here first, at every visit"),
    LegendEntry("escalation", "Red-flag escalations R1, R2, ..., in the order they are tried"),
    LegendEntry("transition", "Then the state's own transitions 1, 2, ..., in that order; the first "
                              "that holds is taken ('otherwise': none before it held)"),
    LegendEntry("stay", "Dashed loop: stays in the state, waiting (e.g. for a result)"),
    LegendEntry("colour", "Where several arrows leave a state, they and their guards share a colour"),
)
