"""The parts of a pathway as frozen value objects: sources, findings, named conditions,
contradictions, states and the transitions between them."""

from __future__ import annotations

import attrs

from ..guards.nodes import Expr
from .kinds import CareStep, Phase, Urgency, Waits


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
