"""What changed between two pathway versions: states, transitions, conditions, findings, imaging,
and - shown first, as needing sign-off - the safety requirements the pathway is proved against.

Escalations are compared as declared (once each), not as their copies on every state that screens.
A transition whose guard reads a changed condition counts as changed too: its meaning moved.
"""

from __future__ import annotations

import attrs

from .guards import describe, format_guard, names_in
from .spec import PathwaySpec, Transition

STATE_FIELDS = ("label", "phase", "urgency", "purpose", "care_step", "terminal", "waits", "awaits",
                "review_within_weeks", "within_hours", "receiving_service", "description", "citations")
CONDITION_FIELDS = ("label", "expr", "red_flag", "citations")
FINDING_FIELDS = ("type", "values", "minimum", "maximum", "default", "red_flag", "label", "question")
PURPOSE_FIELDS = ("label", "studies", "region", "citations")
RULE_FIELDS = ("label", "expr", "effect", "value", "only_with", "citations")
CATEGORY_FIELDS = ("label", "expr", "min_urgency", "within_hours", "imaging", "if_mri_contraindicated", "covering",
                   "citations")
ORDER_RULE_FIELDS = ("label", "expr", "never", "citations")
REASON_FIELDS = ("label", "expr", "citations")
QUESTION_FIELDS = ("alone", "because", "citations")
REQUIREMENT = "safety requirement"


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
    requirements: tuple[str, str] = ("", "")  # the safety requirements' hashes, old and new

    @property
    def requirements_changed(self) -> bool:
        return self.requirements[0] != self.requirements[1]

    def of(self, what: str) -> dict[str, str]:
        """id -> kind, for one sort of thing (e.g. "state"), to colour a diagram."""
        return {c.id: c.kind for c in self.changes if c.what == what}

    def text(self) -> str:
        if not self.changes:
            return f"{self.old} -> {self.new}: no changes\n"
        counts = {k: sum(c.kind == k for c in self.changes) for k in ("added", "removed", "changed")}
        summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        head = f"{self.old} -> {self.new}: {summary}\n"
        if self.requirements_changed:
            old, new = (h[:12] for h in self.requirements)
            head += (f"SAFETY REQUIREMENTS CHANGED (safety.yaml sha256:{old} -> {new}): a change to what the pathway "
                     "is proved against needs the clinical safety officer's sign-off\n")
        return head + "".join(f"{c}\n" for c in self.changes)


def diff_pathways(old: PathwaySpec, new: PathwaySpec) -> PathwayDiff:
    changed_conditions = _moved_conditions(new, _changed_keys(old.condition, new.condition, CONDITION_FIELDS))
    changes = (
        _requirements(old.safety, new.safety)
        + _compare("finding", old.finding, new.finding, FINDING_FIELDS)
        + _compare("condition", old.condition, new.condition, CONDITION_FIELDS)
        + _compare("imaging purpose", old.purpose, new.purpose, PURPOSE_FIELDS)
        + _compare("imaging rule", _by_id(old.imaging_rules), _by_id(new.imaging_rules), RULE_FIELDS)
        + _compare("state", old.state, new.state, STATE_FIELDS)
        + _transitions(old, new, escalation=True, conditions=changed_conditions)
        + _transitions(old, new, escalation=False, conditions=changed_conditions)
    )
    hashes = tuple(s.safety.content_hash if s.safety else "" for s in (old, new))
    return PathwayDiff(_name(old), _name(new), tuple(changes), hashes)


def _by_id(items) -> dict:
    return {getattr(i, "id", None) or i.name: i for i in items}


def _requirements(old, new) -> list[Change]:
    """Changes to the safety requirements, each named as one (they need sign-off)."""
    if old is None or new is None or old.content_hash == new.content_hash:
        return []
    found = []
    for what, fields, attr in (("category", CATEGORY_FIELDS, "categories"), ("order rule", ORDER_RULE_FIELDS, "every_order"),
                               ("imaging reason", REASON_FIELDS, "imaging_reasons"),
                               ("red-flag question", QUESTION_FIELDS, "questions")):
        before = {getattr(i, "name", None) or i.finding: i for i in getattr(old, attr)}
        after = {getattr(i, "name", None) or i.finding: i for i in getattr(new, attr)}
        found += [attrs.evolve(c, what=f"{REQUIREMENT}: {what}") for c in _compare(what, before, after, fields)]
    if old.mri_contraindicated != new.mri_contraindicated:
        found.append(Change("changed", f"{REQUIREMENT}: who counts as MRI contraindicated", "mri_contraindicated"))
    return found


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
        details = tuple(_detail(old[key], new[key], f) for f in fields if getattr(old[key], f) != getattr(new[key], f))
        if details:
            changes.append(Change("changed", what, key, details))
    return changes


def _detail(old, new, field: str) -> str:
    if field == "expr" and old.text == new.text:  # same words, new meaning: a term or condition moved
        return f"meaning: `{format_guard(old.expr)}` -> `{format_guard(new.expr)}`"
    return f"{field}: {_shown(old, field)} -> {_shown(new, field)}"


def _shown(obj, field: str) -> str:
    if field == "expr":
        return f"`{obj.text}`"
    value = getattr(obj, field)
    return "none" if value is None else f"`{_plain(value)}`"


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


def version_warning(old: PathwaySpec, new: PathwaySpec) -> str | None:
    """A warning when the content (or the safety requirements) changed but the version did not."""
    same_requirements = (old.safety.content_hash if old.safety else "") == (new.safety.content_hash if new.safety else "")
    if old.version != new.version or (old.content_hash == new.content_hash and same_requirements):
        return None
    return (f"warning: the content changed but the version did not (both {new.version}): give the new version a "
            "number of its own before it is signed off")
