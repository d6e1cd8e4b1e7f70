"""What one visit can do, symbolically: every path through the states, with the findings that take it.

A visit starts in the state the patient rests in, tries its transitions in order and keeps going
through states that decide at once (the engine's semantics). ``outcomes`` splits all findings
into regions, one per path, so every property can be read off them exactly.
"""

from __future__ import annotations

from functools import cached_property

import attrs

from ..spec import Imaging, PathwaySpec, State, Transition, Urgency, Waits
from .symbolic import Region, Symbolic


@attrs.frozen
class Outcome:
    """One way a visit can go: the transitions taken, the findings that take them, where it ends."""

    start: str
    path: tuple[Transition, ...]
    region: Region = attrs.field(eq=False)
    rest: str  # where the patient rests after the visit
    fell_through: bool = False  # a deciding state had no transition for these findings

    @property
    def entered(self) -> tuple[str, ...]:
        return tuple(t.dest for t in self.path if not t.is_stay)


class VisitModel:
    """Every visit's outcomes from every state, computed once per spec."""

    def __init__(self, spec: PathwaySpec, symbolic: Symbolic | None = None):
        self.spec = spec
        self.sym = symbolic or Symbolic(spec)

    def outcomes(self, start: str) -> tuple[Outcome, ...]:
        return self._outcomes[start]

    @cached_property
    def _outcomes(self) -> dict[str, tuple[Outcome, ...]]:
        return {s.id: tuple(self._walk(s.id, s.id, self.sym.valid, ())) for s in self.spec.states}

    def _walk(self, start: str, here: str, region: Region, path: tuple[Transition, ...]):
        state = self.spec.state[here]
        if state.terminal:
            yield Outcome(start, path, region, here)
            return
        remaining = region
        for t in self.spec.outgoing(here):
            guard = self.sym.guard(t.expr)
            fires, remaining = remaining & guard, remaining & ~guard
            if self.sym.empty(fires):
                continue
            moves_on = not t.is_stay and self.spec.state[t.dest].waits is Waits.DECIDES
            if moves_on and t not in path:  # (a loop within a visit is a validation error; never recurse forever)
                yield from self._walk(start, t.dest, fires, path + (t,))
            else:
                yield Outcome(start, path + (t,), fires, t.dest)
        if not self.sym.empty(remaining):
            yield Outcome(start, path, remaining, here, fell_through=state.waits is Waits.DECIDES)

    # -- what the patient experiences at the visit, as the engine reports it -------------------
    def urgency(self, outcome: Outcome) -> Urgency:
        states = [self.spec.state[s] for s in outcome.entered] or [self.spec.state[outcome.rest]]
        return max((s.urgency for s in states), key=lambda u: u.rank)

    def imaging(self, outcome: Outcome) -> Imaging:
        ordered = [self.spec.state[s].imaging for s in outcome.entered]
        ordered = [i for i in ordered if i is not Imaging.NONE]
        return ordered[-1] if ordered else Imaging.NONE

    def entered_states(self, outcome: Outcome) -> list[State]:
        return [self.spec.state[s] for s in outcome.entered]
