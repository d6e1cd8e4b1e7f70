"""What one visit can do, symbolically: every path through the states, with the findings that take it.

A visit starts in the state the patient rests in (after an exit: the initial state, a new
episode), tries its transitions in order and keeps going through states that decide at once
(the engine's semantics). ``outcomes`` splits all findings into regions, one per path, and
``orders`` splits a state's imaging by the imaging rules, so every property can be read off
them exactly.
"""

from __future__ import annotations

from functools import cached_property

import attrs

from ..spec import PathwaySpec, State, Transition, Urgency, Waits
from ..studies import Order, Study
from .symbolic import Region, Symbolic


@attrs.frozen
class Outcome:
    """One way a visit can go: the transitions taken, the findings that take them, where it ends."""

    start: str  # where the patient rested before the visit
    path: tuple[Transition, ...]
    region: Region = attrs.field(eq=False)
    rest: str  # where the patient rests after the visit
    fell_through: bool = False  # a deciding state had no transition for these findings
    entered: tuple[str, ...] = attrs.field(init=False, eq=False)  # the states entered, in order

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "entered", tuple(t.dest for t in self.path if not t.is_stay))


class VisitModel:
    """Every visit's outcomes from every state, computed once per spec."""

    def __init__(self, spec: PathwaySpec, symbolic: Symbolic | None = None):
        self.spec = spec
        self.sym = symbolic or Symbolic(spec)

    def outcomes(self, start: str) -> tuple[Outcome, ...]:
        return self._outcomes[start]

    @cached_property
    def _outcomes(self) -> dict[str, tuple[Outcome, ...]]:
        walks = {}
        for s in self.spec.states:
            begin = self.spec.initial if s.terminal else s.id  # a handover: a new episode begins
            walks[s.id] = tuple(self._walk(s.id, begin, self.sym.valid, ()))
        return walks

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
        """The visit's urgency: the most urgent state entered (none if it entered none)."""
        return max((self.spec.state[s].urgency for s in outcome.entered), default=Urgency.NONE)

    def entered_states(self, outcome: Outcome) -> list[State]:
        return [self.spec.state[s] for s in outcome.entered]

    def orders(self, state_id: str) -> tuple[tuple[Region, Order], ...]:
        """The order the state gives, by region of findings (the imaging rules applied in turn);
        nothing for a state that orders no imaging."""
        return self._orders[state_id]

    @cached_property
    def _orders(self) -> dict[str, tuple[tuple[Region, Order], ...]]:
        return {s.id: self._split(s) for s in self.spec.states}

    def _split(self, state: State) -> tuple[tuple[Region, Order], ...]:
        if state.purpose is None:
            return ()
        purpose = self.spec.purpose[state.purpose]
        parts = [(self.sym.valid, tuple(Study(kind, purpose.region) for kind in purpose.studies))]
        for rule in self.spec.imaging_rules:
            guard, split = self.sym.guard(rule.expr), []
            for region, studies in parts:
                if not rule.applies(studies):
                    split.append((region, studies))
                    continue
                split += [(r, s) for r, s in ((region & guard, rule.change(studies, purpose.region)),
                                              (region & ~guard, studies)) if not self.sym.empty(r)]
            parts = split
        merged: dict[Order, Region] = {}
        for region, studies in parts:
            order = Order.of(studies)
            merged[order] = merged.get(order, self.sym.false) | region
        return tuple((region, order) for order, region in merged.items())
