"""states.yaml: the care states."""

from __future__ import annotations

from ..errors import Problem
from ..spec import CareStep, Phase, State, Urgency, Waits
from ..yamlsource import Node, item_line
from .common import named, sections

REQUIRED = ("id", "label", "phase", "urgency", "imaging", "care_step", "description", "citation")
OPTIONAL = ("terminal", "waits", "awaits", "review_within_weeks", "within_hours", "receiving_service")
NO_IMAGING = "none"


def states(doc, file: str, problems: list[Problem]) -> list[State]:
    top = sections(doc, file, problems, ("states",))
    raw = top.raw("states")
    if not isinstance(raw, list):
        top.problem("states", "`states` must be a list of states")
        return []
    built = []
    for index, value in enumerate(raw):
        node = Node(value, file, problems, item_line(raw, index), what=named("state", value, index))
        node.keys(REQUIRED, OPTIONAL)
        if node.ok and node.has("id"):
            built.append(_state(node))
    return built


def _state(node: Node) -> State:
    # A state with a missing or bad field (reported already) is still built, with a stand-in
    # value, so that transitions to it are not also reported as going to an unknown state.
    sid = str(node.raw("id"))
    terminal = node.boolean("terminal")
    if not node.has("waits") and not terminal:
        node.problem(None, f"state `{sid}` must say what it `waits` for: decides, visit, result or return")
    if terminal and node.has("waits"):
        node.problem("waits", f"state `{sid}` is an exit (terminal): it waits for nothing")
    waits = (node.choice("waits", Waits) if node.has("waits") else None) or Waits.VISIT
    phase, urgency, care_step = ((node.choice(k, kind) if node.has(k) else None) or next(iter(kind))
                                 for k, kind in (("phase", Phase), ("urgency", Urgency), ("care_step", CareStep)))
    purpose = node.raw("imaging")
    return State(
        sid, node.text("label") or "", phase, urgency,
        purpose=None if purpose in (NO_IMAGING, None) else str(purpose), care_step=care_step,
        terminal=terminal, waits=waits, description=node.text("description") or "",
        citations=node.names("citation") if node.has("citation") else (),
        review_within_weeks=node.integer("review_within_weeks", 1, 520),
        awaits=node.text("awaits") if node.has("awaits") else None,
        within_hours=node.integer("within_hours", 1, 24 * 365),
        receiving_service=(node.text("receiving_service") or "") if node.has("receiving_service") else "",
        line=node.where(),
    )
