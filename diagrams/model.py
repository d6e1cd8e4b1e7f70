"""The pathway as a plain-data diagram model: nodes, edges, clusters, title and legend.

Every drawing (DOT, Mermaid) is a pure function of this model, and the model is a pure
function of the validated spec, so what a clinician signs is exactly what the engine runs.
Overlays (one patient's trace, the difference between two versions) are meant to be pure
functions too: model -> model with some ``emphasis`` fields changed (``attrs.evolve``).

Each state shows its urgency, its timescale (urgent and emergency work-up), the imaging purpose
it orders, and what it waits for; an exit names the service it hands over to. The imaging rules,
which fit every order to the patient's findings wherever imaging is ordered, and the purposes are
listed once, in words generated from the rules themselves. The red-flag escalations are drawn
once each, from one screen (screen.py).
"""

from __future__ import annotations

import re
from collections import Counter

from pathway.guards import describe, names_in
from pathway.spec import PathwaySpec, Phase, State

from .elements import Cluster, Definition, DiagramModel, Edge, Emphasis, LegendEntry, Node
from .screen import SCREEN, SCREEN_LABEL, escalation_edges, screen_node, screening_states
from .words import imaging_words, purposes_text, rules_text, sources_text, timescale, waits_words

__all__ = ["CARE_ORDER", "PHASE_TITLES", "SCREEN", "SCREEN_LABEL", "Cluster", "Definition", "DiagramModel", "Edge",
           "Emphasis", "LegendEntry", "Node", "build_model", "short_labels"]

PHASE_TITLES = {
    Phase.ONSET: "Onset",
    Phase.ASSESSMENT: "Assessment",
    Phase.CONSERVATIVE_CARE: "Conservative care",
    Phase.REASSESSMENT: "Reassessment",
    Phase.IMAGING: "Imaging",
    Phase.INTERVENTION: "Intervention",
    Phase.REROUTING: "Re-routing to another diagnosis",
    Phase.URGENT: "Red flags - urgent and emergency work-up and handover",
    Phase.EXIT: "Exit",
}
CARE_ORDER = tuple(PHASE_TITLES)  # top to bottom on the page


def build_model(spec: PathwaySpec) -> DiagramModel:
    labels = short_labels(spec)
    guarded = set(screening_states(spec))
    nodes = tuple(_state_node(spec, s, s.id in guarded) for s in spec.states)
    edges = _own_edges(spec, labels)
    escalations = escalation_edges(spec, labels)
    if escalations:
        nodes += (screen_node(spec, escalations),)
    return DiagramModel(
        title=f"{spec.name} {spec.version} - content {spec.content_hash[:12]}",
        nodes=nodes,
        edges=escalations + edges,
        clusters=_clusters(spec, bool(escalations)),
        legend=LEGEND,
        definitions=_definitions(spec, labels),
        initial=spec.initial,
        purposes=purposes_text(spec),
        imaging_rules=rules_text(spec, labels),
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
    """Every condition a transition's or an imaging rule's guard names, and those they name in turn."""
    used: set[str] = set()
    pending = [n for g in (*spec.transitions, *spec.imaging_rules) for n in names_in(g.expr)]
    while pending:
        name = pending.pop()
        if name in spec.condition and name not in used:
            used.add(name)
            pending.extend(names_in(spec.condition[name].expr))
    meanings = {c.name: describe(c.expr, spec.finding, labels) for c in spec.conditions if c.name in used}
    # "major trauma: major trauma" says nothing: a condition that only renames a finding is left out.
    return tuple(Definition(c.name, labels[c.name], meanings[c.name]) for c in spec.conditions
                 if c.name in used and meanings[c.name] != labels[c.name])


def _state_node(spec: PathwaySpec, state: State, red_flags: bool) -> Node:
    waits = waits_words(spec, state)
    tooltip = [state.label, state.description, f"Imaging: {imaging_words(spec, state)}."]
    if state.within_hours is not None:
        tooltip.append(f"Timescale: {timescale(state)}.")
    tooltip.append(f"{waits[0].upper()}{waits[1:]}.")
    if state.terminal:
        tooltip.append("A later visit starts a new episode.")
    tooltip += ["Sources:", *sources_text(spec, state.citations)]
    if red_flags:
        tooltip.append("Red flags are checked here first, at every visit.")
    return Node(
        id=state.id, label=state.label, urgency=state.urgency, imaging=imaging_words(spec, state),
        terminal=state.terminal, waits=waits, tooltip="\n".join(tooltip),
        timescale=timescale(state), red_flags=red_flags,
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


def _clusters(spec: PathwaySpec, has_screen: bool) -> tuple[Cluster, ...]:
    clusters = []
    for phase in CARE_ORDER:
        members = tuple(s.id for s in spec.states if s.phase is phase)
        if phase is Phase.URGENT and has_screen:
            members = (SCREEN,) + members  # the screen leads into the urgent states
        if members:
            clusters.append(Cluster(phase, PHASE_TITLES[phase], members))
    return tuple(clusters)


LEGEND = (
    LegendEntry("emergency", "EMERGENCY: emergency department work-up within the hours shown"),
    LegendEntry("urgent", "URGENT: urgent specialist work-up within the time shown"),
    LegendEntry("routine", "Care state (routine or no urgency)"),
    LegendEntry("terminal", "Double border: an exit - handed over to the service named; a later visit "
                            "starts a new episode"),
    LegendEntry("red_flags", "Red flags checked here first, at every visit"),
    LegendEntry("escalation", "Red-flag escalations R1, R2, ..., in the order they are tried"),
    LegendEntry("transition", "Then the state's own transitions 1, 2, ..., in that order; the first "
                              "that holds is taken ('otherwise': none before it held)"),
    LegendEntry("stay", "Dashed loop: stays in the state, waiting (e.g. for a result)"),
    LegendEntry("colour", "Where several arrows leave a state, they and their guards share a colour"),
)
