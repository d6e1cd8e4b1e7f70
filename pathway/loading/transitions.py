"""transitions.yaml: the red-flag escalations (copied to every state that screens) and the
guarded transitions between states."""

from __future__ import annotations

import attrs

from ..errors import Problem
from ..loader import STAY  # `to: stay` keeps the patient in the state, on purpose
from ..spec import State, Transition, Urgency
from ..yamlsource import Node, item_line
from .common import guard, named, sections

EVERY_STATE = "every state"
KEYS = ("id", "from", "to", "when", "priority", "rationale", "citation")


def transitions(doc, file: str, states: list[State], problems: list[Problem]) -> list[Transition]:
    top = sections(doc, file, problems, ("escalations", "transitions"))
    escalations = [t for node in _entries(top, "escalations", file, problems) for t in _read(node, True)]
    own = [t for node in _entries(top, "transitions", file, problems) for t in _read(node, False)]
    return screens(escalations, states) + own


def _entries(top: Node, section: str, file: str, problems: list[Problem]) -> list[Node]:
    raw = top.raw(section)
    if not isinstance(raw, list):
        top.problem(section, f"`{section}` must be a list")
        return []
    nodes = [Node(v, file, problems, item_line(raw, i), what=named(section[:-1], v, i)) for i, v in enumerate(raw)]
    return [node for node in nodes if node.keys(KEYS, ("outranks",))]


def _read(node: Node, escalation: bool) -> list[Transition]:
    """One Transition per source; an escalation once, with its source still to be filled in."""
    tid = str(node.raw("id"))
    sources = node.raw("from")
    if escalation:
        if sources != EVERY_STATE:
            node.problem("from", f"escalation `{tid}` must come from `{EVERY_STATE}`, not `{sources}`")
        sources = [""]
    elif isinstance(sources, str):
        sources = [sources]
    elif not (isinstance(sources, list) and sources and all(isinstance(s, str) for s in sources)):
        node.problem("from", f"`from` of transition `{tid}` must be a state id or a list of them")
        return []
    priority = node.integer("priority", 1, 999)
    if priority is None:
        node.problem("priority" if node.has("priority") else None, f"transition `{tid}` needs a `priority` from 1 (tried first) to 999")
        return []
    expr, text = guard(node, "when", f"{'escalation' if escalation else 'transition'} `{tid}`")
    dest = str(node.raw("to"))
    common = dict(expr=expr, text=text, priority=priority, rationale=node.text("rationale") or "",
                  citations=node.names("citation"), escalation=escalation,
                  outranks=node.names("outranks") if node.has("outranks") else (),
                  line=node.where(), when_line=node.where("when"), words_line=node.where("rationale"))
    many = len(sources) > 1
    return [Transition(id=f"{tid}@{s}" if many else tid, source=s, dest=s if dest == STAY else dest, **common)
            for s in sources]


def screens(escalations: list[Transition], states: list[State]) -> list[Transition]:
    """Each escalation copied to every state that is not an exit, except where the state already
    gives as much: the escalation's own destination, the destinations of escalations tried before
    it, states more urgent than its destination, urgent or emergency work-ups as urgent and as
    soon (the work-up under way takes the new red flag in: the imaging rules fit its order to it),
    and states as urgent that await the same result (an X-ray under way: its result is read first,
    so an abnormal one goes on to urgent review, and a normal one to a reassessment that screens
    again).
    So an escalation only ever moves a patient to care at least as urgent, never back and forth;
    `sciatica check` proves the care it leaves them in meets every red flag present."""
    by_id = {s.id: s for s in states}
    ordered = sorted(escalations, key=lambda t: t.priority)
    copies = []
    for rank, e in enumerate(ordered):
        dest = by_id.get(e.dest)
        served = {earlier.dest for earlier in ordered[:rank]} | {e.dest}
        # dict.fromkeys: a state id given twice (reported as a duplicate) gets its copy once
        for sid in dict.fromkeys(s.id for s in states if not s.terminal):
            if sid not in served and not (dest is not None and _gives_as_much(by_id[sid], dest)):
                copies.append(attrs.evolve(e, id=f"{e.id}@{sid}", source=sid))
    return copies


def _gives_as_much(state: State, dest: State) -> bool:
    if state.urgency != dest.urgency:
        return state.urgency > dest.urgency
    soon = dest.within_hours is None or (state.within_hours is not None and state.within_hours <= dest.within_hours)
    same_result = state.awaits is not None and state.awaits == dest.awaits
    return soon and (state.urgency >= Urgency.URGENT or same_result)
