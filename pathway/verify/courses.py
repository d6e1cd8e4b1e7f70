"""Whole courses, abstractly: which states some patient can reach, visit after visit.

Findings change freely from visit to visit; only age (fixed for a patient) and the week (never
going back) tie one visit to the next. So a course is a walk over nodes (resting state, age
class, week class), and reachability over those nodes is exact. Breadth-first search also gives
the shortest course to any state, which is how counterexample stories start.
"""

from __future__ import annotations

from collections import deque
from functools import cached_property

import attrs

from .symbolic import Region
from .visits import Outcome, VisitModel


@attrs.frozen
class Node:
    state: str
    age: int  # class index
    week: int  # class index of the last visit's week (the next visit is no earlier)


@attrs.frozen
class Step:
    """A visit on the way: from ``before``, these findings, this outcome, at this week class."""

    before: Node
    outcome: Outcome
    week: int
    after: Node


class CourseGraph:
    def __init__(self, visits: VisitModel):
        self.visits = visits
        self.spec = visits.spec
        self.sym = visits.sym
        self._ages = range(len(self.sym.domains["age"].cells))
        self._weeks = range(len(self.sym.domains["week"].cells))
        self._by_state: dict[str, list] = {}

    def region_at(self, node: Node, outcome: Outcome, week: int) -> Region:
        return outcome.region & self.sym.cell("age", node.age) & self.sym.cell("week", week)

    def steps_from(self, node: Node):
        """Every visit possible from a resting node, one per (outcome, week class)."""
        # Shorter visits first, so that the breadth-first search finds the plainest stories.
        for outcome, classes in self._classes(node.state):
            for week in self._weeks[node.week:]:
                if (node.age, week) in classes:
                    yield Step(node, outcome, week, Node(outcome.rest, node.age, week))

    def _classes(self, state: str) -> list:
        """The state's outcomes, shortest first, each with the (age, week) classes it can happen in."""
        if state not in self._by_state:
            self._by_state[state] = [
                (o, {(a, w) for a in self._ages for w in self._weeks
                     if not self.sym.empty(o.region & self.sym.cell("age", a) & self.sym.cell("week", w))})
                for o in sorted(self.visits.outcomes(state), key=lambda o: len(o.path))]
        return self._by_state[state]

    @cached_property
    def starts(self) -> tuple[Node, ...]:
        return tuple(Node(self.spec.initial, age, 0) for age in self._ages)

    @cached_property
    def _search(self) -> tuple[dict[Node, Step | None], list[Step]]:
        """Breadth-first over nodes: how each was first reached, and every step seen."""
        first: dict[Node, Step | None] = {n: None for n in self.starts}
        queue, steps = deque(self.starts), []
        while queue:
            node = queue.popleft()
            for step in self.steps_from(node):
                steps.append(step)
                if step.after not in first:
                    first[step.after] = step
                    queue.append(step.after)
        return first, steps

    @property
    def nodes(self) -> list[Node]:
        return list(self._search[0])

    @property
    def steps(self) -> list[Step]:
        return self._search[1]

    @cached_property
    def reached_states(self) -> set[str]:
        """Every state some patient enters (or starts in), guards and ages and weeks respected."""
        reached = {self.spec.initial}
        for outcome in {id(step.outcome): step.outcome for step in self.steps}.values():
            reached.update(outcome.entered)
        return reached

    def course_to(self, node: Node) -> list[Step]:
        """The shortest course that leaves a patient resting at ``node``."""
        first = self._search[0]
        course = []
        while first.get(node) is not None:
            course.append(first[node])
            node = first[node].before
        return course[::-1]

    @cached_property
    def can_finish(self) -> set[Node]:
        """Nodes from which some course enters a terminal state."""
        terminal = {s.id for s in self.spec.states if s.terminal}
        into: dict[Node, set[Node]] = {}  # node -> the nodes with a step to it
        good: set[Node] = set()
        for step in self.steps:
            into.setdefault(step.after, set()).add(step.before)
            if terminal.intersection(step.outcome.entered):
                good.add(step.before)
        frontier = list(good)
        while frontier:  # backwards from the nodes with a step into an exit
            for before in into.get(frontier.pop(), ()):
                if before not in good:
                    good.add(before)
                    frontier.append(before)
        return good
