"""What changed between two pathway versions: states, transitions, conditions and findings.

Escalations are compared as declared (once each), not as their copies on every non-urgent state.
A transition whose guard reads a changed condition counts as changed too: its meaning moved.
"""

from __future__ import annotations

import attrs

from .guards import describe, names_in
from .spec import PathwaySpec, Transition

STATE_FIELDS = ("label", "phase", "urgency", "imaging", "care_step", "terminal", "waits",
                "review_within_weeks", "description", "citations")
CONDITION_FIELDS = ("label", "expr", "min_urgency", "allowed_imaging", "reason", "citations")
FINDING_FIELDS = ("type", "values", "minimum", "maximum", "default", "red_flag", "escalates", "label", "question")


@attrs.frozen
class Change:
    kind: str  # added | removed | changed
    what: str  # state | transition | escalation | condition | finding
    id: str
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        head = f"{self.kind:8} {self.what} {self.id}"
        return "\n".join([head] + [f"           {d}" for d in self.details])


@attrs.frozen
class PathwayDiff:
    old: str  # "name version (hash)"
    new: str
    changes: tuple[Change, ...]

    def of(self, what: str) -> dict[str, str]:
        """id -> kind, for one sort of thing (e.g. "state"), to colour a diagram."""
        return {c.id: c.kind for c in self.changes if c.what == what}

    def text(self) -> str:
        if not self.changes:
            return f"{self.old} -> {self.new}: no changes\n"
        counts = {k: sum(c.kind == k for c in self.changes) for k in ("added", "removed", "changed")}
        summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        return f"{self.old} -> {self.new}: {summary}\n" + "".join(f"{c}\n" for c in self.changes)


def diff_pathways(old: PathwaySpec, new: PathwaySpec) -> PathwayDiff:
    changed_conditions = _moved_conditions(new, _changed_keys(old.condition, new.condition, CONDITION_FIELDS))
    changes = (
        _compare("finding", old.finding, new.finding, FINDING_FIELDS)
        + _compare("condition", old.condition, new.condition, CONDITION_FIELDS)
        + _compare("state", old.state, new.state, STATE_FIELDS)
        + _transitions(old, new, escalation=True, conditions=changed_conditions)
        + _transitions(old, new, escalation=False, conditions=changed_conditions)
    )
    return PathwayDiff(_name(old), _name(new), tuple(changes))


def _name(spec: PathwaySpec) -> str:
    return f"{spec.name} {spec.version} ({spec.content_hash[:12]})"


def _plain(value) -> str:
    if hasattr(value, "value"):
        return str(value.value)
    if isinstance(value, tuple):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def _changed_keys(old: dict, new: dict, fields) -> set[str]:
    return {k for k in old.keys() & new.keys() if any(getattr(old[k], f) != getattr(new[k], f) for f in fields)}


def _moved_conditions(spec: PathwaySpec, changed: set[str]) -> set[str]:
    """Changed conditions, and those that read them, however indirectly."""
    moved = set(changed)
    grew = True
    while grew:
        readers = {c.name for c in spec.conditions if set(names_in(c.expr)) & moved}
        grew = not readers <= moved
        moved |= readers
    return moved


def _compare(what: str, old: dict, new: dict, fields) -> list[Change]:
    changes = [Change("removed", what, k) for k in sorted(old.keys() - new.keys())]
    changes += [Change("added", what, k) for k in sorted(new.keys() - old.keys())]
    for key in sorted(old.keys() & new.keys()):
        details = tuple(
            f"{f}: {_shown(old[key], f)} -> {_shown(new[key], f)}"
            for f in fields if getattr(old[key], f) != getattr(new[key], f)
        )
        if details:
            changes.append(Change("changed", what, key, details))
    return changes


def _shown(obj, field: str) -> str:
    if field == "expr":
        return f"`{obj.text}`"
    return f"`{_plain(getattr(obj, field))}`"


def _declared(spec: PathwaySpec, escalation: bool) -> dict[str, Transition]:
    """Transitions by their declared id (an escalation once, a multi-source transition once per source)."""
    found = {}
    for t in spec.transitions:
        if t.escalation == escalation:
            found.setdefault(t.id.split("@")[0] if escalation else t.id, t)
    return found


def _transitions(old: PathwaySpec, new: PathwaySpec, escalation: bool, conditions: set[str]) -> list[Change]:
    what = "escalation" if escalation else "transition"
    before, after = _declared(old, escalation), _declared(new, escalation)
    changes = [Change("removed", what, k) for k in sorted(before.keys() - after.keys())]
    changes += [Change("added", what, k) for k in sorted(after.keys() - before.keys())]
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        details = []
        if a.expr != b.expr:
            details.append(f"guard: \"{_words(a, old)}\" -> \"{_words(b, new)}\"")
        details += [f"{f}: `{_plain(getattr(a, f))}` -> `{_plain(getattr(b, f))}`"
                    for f in ("source", "dest", "priority", "rationale", "citations")
                    if getattr(a, f) != getattr(b, f) and not (escalation and f == "source")]
        moved = sorted(set(names_in(b.expr)) & conditions)
        if moved and a.expr == b.expr:
            details.append("meaning changed through condition " + ", ".join(moved))
        if details:
            changes.append(Change("changed", what, key, tuple(details)))
    return changes


def _words(t: Transition, spec: PathwaySpec) -> str:
    return describe(t.expr, spec.finding, {c.name: c.label for c in spec.conditions})
