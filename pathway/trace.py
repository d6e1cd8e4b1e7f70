"""What a run returns: for each visit, the states entered, the guards that fired and why.

Explanations, reports and statistics are all read off these objects.
"""

from __future__ import annotations

import attrs

from .spec import Imaging, Urgency


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
    week: int
    start: str
    steps: tuple[Step, ...]
    state: str  # where the patient rests after the visit
    entered: tuple[str, ...]  # states newly entered at this visit, in order (stays excluded)
    urgency: Urgency
    imaging: Imaging
    note: str = ""  # e.g. "pathway already ended" or "no transition applied: stays"


@attrs.frozen
class Trace:
    pathway: str
    version: str
    content_hash: str
    age: int
    visits: tuple[VisitTrace, ...]

    @property
    def final_state(self) -> str:
        return self.visits[-1].state
