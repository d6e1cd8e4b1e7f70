"""The red-flag screen as the diagram draws it: one box, one arrow per escalation declaration.

The loader copies each escalation to every state that screens (every state but an exit, except
where the state already gives as much): well over a hundred transitions, which drawn one by one
would bury the pathway under crossing red lines. They are the same rules everywhere, tried first,
so the screen is one box listing them (R1, R2, ... in the order tried, each with where it is
tried), with one arrow per declaration to its destination; every state that screens carries a
red flag. Each arrow keeps the ids of all the transitions it stands for, and its tooltip names
the states it is tried in: nothing of the spec is lost, only the repetition.
"""

from __future__ import annotations

from pathway.guards import Name, describe
from pathway.spec import PathwaySpec, Transition, Urgency

from .elements import Edge, Node
from .words import NO_IMAGING, sources_text

SCREEN = "red_flag_screen"  # the id of the single node red-flag escalations are drawn from
SCREEN_LABEL = "Red-flag screen - checked first at every visit"
FLAG = "\u2691"
SCREEN_RULE = (f"The red-flag escalations are tried first, in order, at every visit in every state marked {FLAG}, "
               "except where the state already gives as much: its own destination, an earlier escalation's, or a "
               "more urgent state, or one already waiting for the same result.")
NAMED_UP_TO = 2  # where an escalation is not tried in more states than this, they are counted, not named


def escalation_groups(spec: PathwaySpec) -> dict[str, list[Transition]]:
    """Each escalation declaration's copies (`escalate_x@state`), by declaration id, in spec order."""
    groups: dict[str, list[Transition]] = {}
    for t in spec.transitions:
        if t.escalation:
            groups.setdefault(t.base_id, []).append(t)
    return groups


def screening_states(spec: PathwaySpec) -> list[str]:
    """The states the screen is checked in (those with an escalation), in spec order."""
    return in_spec_order(spec, {t.source for t in spec.transitions if t.escalation})


def escalation_edges(spec: PathwaySpec, labels: dict[str, str]) -> tuple[Edge, ...]:
    """One edge per escalation declaration, from the screen to its destination, by priority."""
    edges = []
    for decl, copies in escalation_groups(spec).items():
        first = copies[0]
        sources = in_spec_order(spec, {t.source for t in copies})
        tooltip = [
            first.rationale, *_condition_meaning(spec, first, labels), "Sources:", *sources_text(spec, first.citations),
            f"Tried first, at every visit, in {len(sources)} states: "
            + ", ".join(spec.state[s].label for s in sources) + ".",
        ]
        edges.append(Edge(
            id=decl, source=SCREEN, dest=first.dest, guard=describe(first.expr, spec.finding, labels),
            priority=first.priority, show_priority=True, tooltip="\n".join(tooltip),
            transitions=tuple(t.id for t in copies), escalation=True,
        ))
    return tuple(sorted(edges, key=lambda e: (e.priority, e.id)))


def screen_node(spec: PathwaySpec, edges: tuple[Edge, ...]) -> Node:
    """The screen's box: each escalation (R1, R2, ...) with its destination and where it is tried."""
    rows = tuple((f"{e.tag} {e.guard} \u2192 {spec.state[e.dest].label}",
                  where_tried(spec, tried_in(spec, e), NAMED_UP_TO)) for e in edges)
    tooltip = [f"{SCREEN_LABEL}.", SCREEN_RULE]
    for e in edges:
        sources = tried_in(spec, e)
        tooltip.append(f"{e.tag} ({e.guard}) is tried in: " + ", ".join(spec.state[s].label for s in sources) + ".")
    return Node(id=SCREEN, label=SCREEN_LABEL, urgency=Urgency.NONE, imaging=NO_IMAGING, terminal=False, waits="",
                tooltip="\n".join(tooltip), rows=rows, is_screen=True)


def where_tried(spec: PathwaySpec, tried: list[str], named_up_to: int | None = None) -> str:
    """Where an escalation is tried (``tried``: the states of its copies), naming the states that
    screen but do not try it (all of them, or up to ``named_up_to``; more are counted)."""
    screening = screening_states(spec)
    skipped = [s for s in screening if s not in tried]
    if not skipped:
        return f"tried in every {FLAG} state ({len(tried)})"
    named = ", ".join(spec.state[s].label for s in skipped)
    many = named_up_to is not None and len(skipped) > named_up_to
    return (f"tried in {len(tried)} of the {len(screening)} {FLAG} states; not in "
            + (f"{len(skipped)} states that already give as much" if many else named))


def tried_in(spec: PathwaySpec, edge: Edge) -> list[str]:
    """The states an escalation edge is tried in (the sources of the copies it stands for), in spec order."""
    copies = set(edge.transitions)
    return in_spec_order(spec, {t.source for t in spec.transitions if t.id in copies})


def _condition_meaning(spec: PathwaySpec, t: Transition, labels: dict[str, str]) -> list[str]:
    """For a guard that names one red-flag condition, what the condition means in words."""
    condition = spec.condition.get(t.expr.name) if isinstance(t.expr, Name) else None
    if condition is None:
        return []
    return [f"Means: {describe(condition.expr, spec.finding, labels)}."]


def in_spec_order(spec: PathwaySpec, ids: set[str]) -> list[str]:
    return [s.id for s in spec.states if s.id in ids]
