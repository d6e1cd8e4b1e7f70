"""What a run returns: for each visit, the states entered, the guards that fired and why.

Explanations, reports and statistics are all read off these objects.
"""

from __future__ import annotations

import attrs

from .spec import Urgency
from .studies import NO_ORDER, Order


@attrs.frozen
class Step:
    """One transition taken: the guard in words, the findings that made it true, the citation."""

    transition: str
    source: str
    dest: str
    guard: str  # as written in the pathway
    guard_words: str
    because: tuple[tuple[str, object], ...]
    rationale: str
    citations: tuple[str, ...]
    escalation: bool
    stay: bool


@attrs.frozen
class VisitTrace:
    """What one visit did: the transitions taken, where the patient rests, the urgency and the imaging."""

    week: int
    start: str  # where the visit began: the resting state, or the initial state of a new episode
    steps: tuple[Step, ...]
    state: str  # where the patient rests after the visit
    entered: tuple[str, ...]  # states newly entered at this visit, in order (stays excluded)
    urgency: Urgency  # the most urgent state entered at this visit (none when nothing was entered)
    imaging: Order = NO_ORDER  # what this visit orders: a new order, or one amended to the findings
    imaging_rules: tuple[str, ...] = ()  # the imaging rules that shaped that order
    amended: bool = False  # the order replaces one made at an earlier visit
    new_episode: bool = False  # the patient had been handed over: this visit began a new episode
    note: str = ""  # e.g. "a new episode" or "no transition applied: stays"


@attrs.frozen
class Trace:
    """One patient's course through a pathway version, visit by visit."""

    pathway: str
    version: str
    content_hash: str
    age: int
    visits: tuple[VisitTrace, ...]

    @property
    def final_state(self) -> str:
        return self.visits[-1].state
