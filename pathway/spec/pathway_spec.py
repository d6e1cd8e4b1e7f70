"""The whole pathway, frozen: its parts with lookups by id, the transitions each state tries in
order, and the content hash that names it."""

from __future__ import annotations

import enum
import functools
import hashlib
import json

import attrs

from ..guards.nodes import Expr, inline
from ..studies import ImagingRule, Purpose
from .parts import Condition, Contradiction, Finding, Reference, State, Transition


@attrs.frozen
class PathwaySpec:
    """A validated pathway, frozen: everything its folder says, with lookups by id (`state`,
    `finding`, `condition`, `reference`) and the transitions each state tries, in order (`outgoing`).
    ``safety`` holds the safety requirements it is proved against, outside its content hash."""

    name: str
    version: str
    description: str
    initial: str
    findings: tuple[Finding, ...]
    conditions: tuple[Condition, ...]
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]  # sorted by source, then order
    references: tuple[Reference, ...]
    purposes: tuple[Purpose, ...] = ()
    imaging_rules: tuple[ImagingRule, ...] = ()
    contradictions: tuple[Contradiction, ...] = ()
    source: str = ""  # where it was loaded from
    # The safety requirements the pathway is proved against: loaded from the same folder, but
    # not part of the pathway (nor of its content hash); they have a hash of their own.
    safety: "SafetyRequirements | None" = attrs.field(default=None, eq=False)

    @functools.cached_property
    def finding(self) -> dict[str, Finding]:
        return {f.name: f for f in self.findings}

    @functools.cached_property
    def condition(self) -> dict[str, Condition]:
        return {c.name: c for c in self.conditions}

    @functools.cached_property
    def state(self) -> dict[str, State]:
        return {s.id: s for s in self.states}

    @functools.cached_property
    def reference(self) -> dict[str, Reference]:
        return {r.id: r for r in self.references}

    @functools.cached_property
    def red_flags(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.red_flag)

    @functools.cached_property
    def purpose(self) -> dict[str, Purpose]:
        return {p.id: p for p in self.purposes}

    @property
    def exits(self) -> tuple[State, ...]:
        return tuple(s for s in self.states if s.terminal)

    def guards(self) -> list[Expr]:
        """Every guard the pathway and its safety requirements hold (for thresholds and domains)."""
        exprs = [t.expr for t in self.transitions] + [c.expr for c in self.conditions]
        exprs += [r.expr for r in self.imaging_rules] + [c.expr for c in self.contradictions]
        return exprs + (self.safety.guards() if self.safety is not None else [])

    def spelled_out(self, expr: Expr) -> Expr:
        """The guard with every named condition replaced by its own guard, so each finding is a leaf."""
        return inline(expr, {c.name: c.expr for c in self.conditions})

    def outgoing(self, state_id: str) -> tuple[Transition, ...]:
        """The transitions leaving a state, in the order they are tried."""
        return self._outgoing.get(state_id, ())

    @functools.cached_property
    def _outgoing(self) -> dict[str, tuple[Transition, ...]]:
        by_source: dict[str, list[Transition]] = {}
        for t in self.transitions:
            by_source.setdefault(t.source, []).append(t)
        return {s: tuple(sorted(ts, key=lambda t: t.order)) for s, ts in by_source.items()}

    @functools.cached_property
    def content_hash(self) -> str:
        """SHA-256 of the canonical content: comments and layout do not change it."""
        canonical = json.dumps(to_data(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def to_data(spec: PathwaySpec) -> dict:
    """Plain JSON-able data of the spec (enums by value, guards as written)."""

    def plain(value):
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, (tuple, list)):
            return [plain(v) for v in value]
        return value

    def record(obj, skip=("expr", "line", "when_line", "words_line")):
        return {
            f.name: plain(getattr(obj, f.name))
            for f in attrs.fields(type(obj))
            if f.name not in skip
        }

    return {
        "name": spec.name,
        "version": spec.version,
        "description": spec.description,
        "initial": spec.initial,
        "findings": [record(f) for f in spec.findings],
        "conditions": [record(c) for c in spec.conditions],
        "states": [record(s) for s in spec.states],
        "transitions": [record(t) for t in spec.transitions],
        "references": [record(r) for r in spec.references],
        "purposes": [record(p) for p in spec.purposes],
        "imaging_rules": [record(r) for r in spec.imaging_rules],
        "contradictions": [record(c) for c in spec.contradictions],
    }
