"""What a check returns: a verdict per property, with failures that can be told as stories."""

from __future__ import annotations

import attrs

from .symbolic import Region


@attrs.frozen
class Failure:
    """One way the pathway breaks a property, with the findings that break it."""

    message: str  # one line: what goes wrong, in clinical words
    start: str  # the state the failing visit starts in
    region: Region | None = attrs.field(default=None, eq=False)  # None: structural (no patient needed)
    should: str = ""  # what should have happened instead: the guard and its citation
    citations: tuple[str, ...] = ()


@attrs.frozen
class Overlap:
    """Two guards of one state that both hold somewhere; the earlier one wins there."""

    state: str
    first: str
    second: str
    cases: int
    status: str  # "error", or why it is fine: same urgency, red flags outrank, otherwise, declared
    region: Region = attrs.field(eq=False, repr=False)  # where both hold (and the pair decides, if anywhere)
    sym: object = attrs.field(eq=False, repr=False)

    @property
    def is_error(self) -> bool:
        return self.status == "error"

    @property
    def example(self) -> dict:
        """One patient of the overlap (worked out when asked: most reports never show it)."""
        return self.sym.example(self.region)


@attrs.frozen
class Verdict:
    number: int
    name: str
    title: str
    cases: int
    seconds: float
    failures: tuple[Failure, ...] = ()
    overlaps: tuple[Overlap, ...] = ()  # property 3 lists every overlap, not only the errors
    notes: tuple[str, ...] = ()  # what a reviewer must see even when it holds (e.g. changed requirements)

    @property
    def holds(self) -> bool:
        return not self.failures
