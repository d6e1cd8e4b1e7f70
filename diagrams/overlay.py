"""Overlays: pure functions model -> model that change only `emphasis`, `note` (and `width`).

- one patient's path: the states visited and the edges taken, numbered by visit; the rest dimmed;
- what changed since an older version: added, removed (drawn from the old model) and changed
  states and transitions, each in its own style;
- a simulated cohort's flow: every edge as wide as the number of patients who took it.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from pathway import PathwaySpec, Trace
from pathway.compare import diff_pathways

from .model import SCREEN, DiagramModel, Emphasis, LegendEntry, build_model

TRACE_LEGEND = (
    LegendEntry("highlighted", "This patient's path: states entered and arrows taken, with visit numbers"),
    LegendEntry("dimmed", "Not on this patient's path"),
)
FLOW_LEGEND = (
    LegendEntry("width", "Arrow width: how many simulated patients took it at least once; "
                         "numbers: patients (share of the cohort) who took the arrow or were ever in the state"),
    LegendEntry("dimmed", "No simulated patient took this arrow or entered this state"),
)
DIFF_LEGEND = (
    LegendEntry("added", "Added since the old version"),
    LegendEntry("changed", "Changed since the old version (tooltip: old and new)"),
    LegendEntry("removed", "Removed since the old version (drawn from it)"),
)


def trace_overlay(model: DiagramModel, trace: Trace) -> DiagramModel:
    """Highlight exactly the states a patient entered and the edges they took, by visit."""
    edge_of = {t: e.id for e in model.edges for t in e.transitions}
    taken: dict[str, list[str]] = {}
    visited: dict[str, list[str]] = {trace.visits[0].start: []}
    for number, visit in enumerate(trace.visits, 1):
        if visit.new_episode:  # seen again after a handover: the visit began a new episode at the start
            visited.setdefault(visit.start, []).append(f"{number} (new episode)")
        for step in visit.steps:
            taken.setdefault(edge_of[step.transition], []).append(f"{number}")
            if step.escalation:
                visited.setdefault(SCREEN, []).append(f"{number}")
            visited.setdefault(step.dest, []).append(f"{number}")
    weeks = ", ".join(f"{n} (week {v.week})" for n, v in enumerate(trace.visits, 1))

    def node(n):
        if n.id not in visited:
            return attrs.evolve(n, emphasis=Emphasis.DIMMED)
        marks = visited[n.id]
        notes = ["start"] * (n.id == trace.visits[0].start) + [f"visit {', '.join(marks)}"] * bool(marks)
        return attrs.evolve(n, emphasis=Emphasis.HIGHLIGHTED, note="; ".join(notes))

    def edge(e):
        if e.id not in taken:
            return attrs.evolve(e, emphasis=Emphasis.DIMMED)
        return attrs.evolve(e, emphasis=Emphasis.HIGHLIGHTED, note=f"visit {', '.join(taken[e.id])}")

    return attrs.evolve(
        model,
        title=f"{model.title} - path of a patient aged {trace.age}, visits {weeks}",
        legend=TRACE_LEGEND + model.legend,
        nodes=tuple(node(n) for n in model.nodes),
        edges=tuple(edge(e) for e in model.edges),
    )


def flow_overlay(model: DiagramModel, patients_by_edge: Mapping[str, int],
                 patients_by_state: Mapping[str, int], patients: int) -> DiagramModel:
    """A cohort's flow: each edge as wide as the number of patients who took it at least once,
    with that number and its share of the cohort on every edge and state; what nobody reached is
    dimmed. Edges are keyed by Edge.id (an escalation by its declaration id), states by state id;
    the red-flag screen by SCREEN, the patients escalated at least once. Without it, the screen
    shows what the escalation counts bound: a patient may be escalated more than once (from
    urgent care to an emergency, or again after a work-up or a new episode), so at least as many
    as took the busiest escalation and at most the sum."""
    if patients < 1:
        raise ValueError(f"a cohort has at least one patient, not {patients}")
    unknown = sorted(set(patients_by_edge) - {e.id for e in model.edges})
    unknown += sorted(set(patients_by_state) - {n.id for n in model.nodes})
    if unknown:  # a misspelt id would otherwise show as nobody
        raise ValueError(f"not in this diagram: {', '.join(unknown)}")
    escalations = [patients_by_edge.get(e.id, 0) for e in model.edges if e.escalation]
    busiest = max(patients_by_edge.values(), default=0) or 1

    def share(n: int) -> str:
        return f"{n:,} ({100 * n / patients:.1f}%)" if n else "0"

    def node(n):
        if n.id == SCREEN and SCREEN not in patients_by_state:
            note = _between(max(escalations, default=0), sum(escalations), patients) or share(sum(escalations))
            return attrs.evolve(n, emphasis=Emphasis.NORMAL if any(escalations) else Emphasis.DIMMED, note=note)
        count = patients_by_state.get(n.id, 0)
        return attrs.evolve(n, emphasis=Emphasis.NORMAL if count else Emphasis.DIMMED, note=share(count))

    def edge(e):
        count = patients_by_edge.get(e.id, 0)
        return attrs.evolve(e, emphasis=Emphasis.NORMAL if count else Emphasis.DIMMED, note=share(count),
                            width=count / busiest)

    return attrs.evolve(
        model,
        title=f"{model.title} - cohort flow of {patients:,} simulated patients",
        legend=FLOW_LEGEND + model.legend,
        nodes=tuple(node(n) for n in model.nodes),
        edges=tuple(edge(e) for e in model.edges),
    )


def _between(low: int, high: int, patients: int) -> str:
    """"30 to 40 (3.0% to 4.0%)" where the bounds differ; empty where they are one number."""
    if low == high:
        return ""
    return f"{low:,} to {high:,} ({100 * low / patients:.1f}% to {100 * high / patients:.1f}%)"


def diff_overlay(old: PathwaySpec, new: PathwaySpec) -> DiagramModel:
    """The new pathway's diagram with what changed since the old one marked; removed states and
    transitions are drawn from the old diagram, dashed and grey."""
    diff = diff_pathways(old, new)
    states, edges = diff.of("state"), {**diff.of("transition"), **diff.of("escalation")}
    details = {c.id: c.details for c in diff.changes if c.what in ("state", "transition", "escalation")}
    before, after = build_model(old), build_model(new)
    style = {"added": Emphasis.ADDED, "changed": Emphasis.CHANGED, "removed": Emphasis.REMOVED}

    def mark(item, kind_by_id):
        kind = kind_by_id.get(item.id)
        if kind is None:  # greyed, so that no ordinary colour reads as a change
            return attrs.evolve(item, emphasis=Emphasis.DIMMED)
        tip = "\n".join([f"{kind.upper()} since {diff.old}", *details.get(item.id, ()), item.tooltip])
        return attrs.evolve(item, emphasis=style[kind], note=kind, tooltip=tip)

    gone_nodes = tuple(mark(n, states) for n in before.nodes if states.get(n.id) == "removed")
    present = {n.id for n in after.nodes} | {n.id for n in gone_nodes}
    gone_edges = tuple(
        mark(e, edges) for e in before.edges
        if edges.get(e.id) == "removed" and e.source in present and e.dest in present
    )
    clusters = tuple(
        attrs.evolve(c, nodes=c.nodes + tuple(n.id for n in gone_nodes if _phase_of(before, n.id) == c.phase))
        for c in after.clusters
    )
    kept = {c.phase for c in after.clusters}  # a phase only the old version had comes back at the end
    clusters += tuple(
        attrs.evolve(c, nodes=tuple(n for n in c.nodes if states.get(n) == "removed"))
        for c in before.clusters if c.phase not in kept and any(states.get(n) == "removed" for n in c.nodes)
    )
    return attrs.evolve(
        after,
        title=f"{after.title} - changes since {old.version} ({old.content_hash[:12]})",
        legend=DIFF_LEGEND + after.legend,
        nodes=tuple(mark(n, states) for n in after.nodes) + gone_nodes,
        edges=tuple(mark(e, edges) for e in after.edges) + gone_edges,
        clusters=clusters,
    )


def _phase_of(model: DiagramModel, node_id: str):
    return next((c.phase for c in model.clusters if node_id in c.nodes), None)
