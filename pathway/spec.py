"""The validated pathway as frozen value objects: no I/O, no `transitions` import.

Everything downstream (engine, diagrams, checks, simulations) reads these objects.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import json

import attrs

from .guards.nodes import Expr, inline
from .studies import Imaging, ImagingRule, Purpose


@functools.total_ordering
class Urgency(enum.Enum):
    """How fast the patient must be seen; ordered, so ``max()`` gives the most urgent."""

    NONE = "none"
    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return _URGENCY_RANK[self]

    def __lt__(self, other: "Urgency") -> bool:
        return _URGENCY_RANK[self] < _URGENCY_RANK[other]


_URGENCY_RANK = {u: i for i, u in enumerate(Urgency)}


class Phase(enum.Enum):
    """Where a state belongs in care order; the diagram groups states by phase, top to bottom."""

    ONSET = "onset"
    ASSESSMENT = "assessment"
    CONSERVATIVE_CARE = "conservative_care"
    REASSESSMENT = "reassessment"
    IMAGING = "imaging"
    INTERVENTION = "intervention"
    REROUTING = "rerouting"
    URGENT = "urgent"
    EXIT = "exit"


class CareStep(enum.Enum):
    """The kind of care a state gives (reported by `sciatica assess` as the care step)."""

    CONSERVATIVE_CARE = "conservative_care"
    SPECIALIST_ASSESSMENT = "specialist_assessment"
    EPIDURAL_INJECTION = "epidural_injection"
    SURGICAL_REFERRAL = "surgical_referral"
    ALTERNATIVE_DIAGNOSIS = "alternative_diagnosis"
    URGENT_SPECIALIST = "urgent_specialist"
    EMERGENCY_DEPARTMENT = "emergency_department"
    SPINAL_SURGERY = "spinal_surgery"
    DISCHARGED = "discharged"


class Waits(enum.Enum):
    """What a state waits for before it decides again (``decides`` states never wait)."""

    DECIDES = "decides"  # decides at once, in the same visit
    VISIT = "visit"  # rests until the next visit
    RESULT = "result"  # rests until a result (imaging, injection response, opinion) is recorded
    RETURN = "return"  # rests until the patient comes back (discharged with return criteria)


@attrs.frozen
class Reference:
    """A source from references.yaml; ``status`` is CONFIRMED or SECONDARY."""

    id: str
    source: str
    detail: str
    status: str  # CONFIRMED / SECONDARY, as in clinical-references.md


@attrs.frozen
class Finding:
    """A question recorded at a visit (or an input such as age), with its finite domain."""

    name: str
    type: str  # "boolean" | "enum" | "integer"
    label: str
    question: str
    values: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: object = None  # None: must be answered at every visit
    red_flag: bool = False
    when_false: str | None = None  # plain words for "not <label>"
    is_input: bool = False  # age and week: given with the patient and the visit, not as findings
    citations: tuple[str, ...] = ()
    line: str = attrs.field(default="", eq=False)  # file:line, for messages

    @property
    def required(self) -> bool:
        return self.default is None

    def allows(self, value: object) -> bool:
        if self.type == "boolean":
            return isinstance(value, bool)
        if self.type == "enum":
            return isinstance(value, str) and value in self.values
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and self.minimum <= value <= self.maximum
        )

    def domain_text(self) -> str:
        if self.type == "boolean":
            return "true or false"
        if self.type == "enum":
            return ", ".join(self.values)
        return f"a whole number from {self.minimum} to {self.maximum}"


@attrs.frozen
class Condition:
    """A named, reusable guard (``suspected_cauda_equina``); ``red_flag``: one the red-flag
    screen escalates on (what it demands is the safety requirements' business, not the pathway's)."""

    name: str
    label: str
    expr: Expr
    text: str  # the guard as written in the file
    citations: tuple[str, ...]
    red_flag: bool = False
    line: str = attrs.field(default="", eq=False)
    when_line: str = attrs.field(default="", eq=False)  # the `when:` line, for guard errors
    words_line: str = attrs.field(default="", eq=False)  # the `label:` line, for words that disagree with the guard


@attrs.frozen
class Contradiction:
    """Answers that cannot be true together; a visit recording them is refused."""

    name: str
    label: str
    expr: Expr
    text: str
    line: str = attrs.field(default="", eq=False)


@attrs.frozen
class State:
    """A care state from states.yaml; ``purpose`` is the imaging purpose it orders (None for none),
    ``terminal`` marks an exit (a handover to ``receiving_service``)."""

    id: str
    label: str
    phase: Phase
    urgency: Urgency
    purpose: str | None  # the imaging purpose it orders (imaging.yaml), None for none
    care_step: CareStep
    terminal: bool  # an exit: a handover to ``receiving_service``
    waits: Waits
    description: str
    citations: tuple[str, ...]
    review_within_weeks: int | None = None
    awaits: str | None = None  # waits: result - the finding that holds the result
    within_hours: int | None = None  # urgent and emergency work-up: its timescale
    receiving_service: str = ""  # an exit: who takes over
    line: str = attrs.field(default="", eq=False)

    @property
    def orders_imaging(self) -> bool:
        return self.purpose is not None


@attrs.frozen
class Transition:
    """One guarded edge; ``escalation`` marks a red-flag escalation copied to every non-urgent state."""

    id: str
    source: str
    dest: str
    expr: Expr
    text: str
    priority: int
    rationale: str
    citations: tuple[str, ...]
    escalation: bool = False
    when_line: str = attrs.field(default="", eq=False)  # the `when:` line, for guard errors
    words_line: str = attrs.field(default="", eq=False)  # the `rationale:` line
    # Later transitions this one deliberately takes precedence over where both guards hold,
    # although they lead to a different urgency (ids as written, without ``@state``).
    outranks: tuple[str, ...] = ()
    line: str = attrs.field(default="", eq=False)

    @property
    def base_id(self) -> str:
        """The id as written in the file: ``escalate_infection`` for ``escalate_infection@reassessment``."""
        return self.id.partition("@")[0]

    @property
    def is_stay(self) -> bool:
        return self.source == self.dest

    @property
    def order(self) -> tuple[int, int]:
        """Red-flag escalations first, then the state's own transitions, each by priority."""
        return (0 if self.escalation else 1, self.priority)


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
