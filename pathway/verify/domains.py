"""Finite abstract domains: each finding's values cut into the classes the guards can tell apart.

Booleans and enumerations are finite already. An integer matters only at the thresholds the
guards compare it with, so its range is cut there: ``age > 50`` and ``age > 70`` split 16-120
into 16-50, 51-70 and 71-120. Every guard gives the same answer for every value in a class, so
deciding one value per class decides them all - which is what makes the checks exhaustive.
"""

from __future__ import annotations

import attrs

from ..guards import compares_in
from ..spec import Finding, PathwaySpec


@attrs.frozen
class Cell:
    """One class of values: ``value`` stands for all of them in examples and stories."""

    value: object
    text: str
    low: int | None = None  # integer classes: the range they cover
    high: int | None = None


@attrs.frozen
class Domain:
    finding: Finding
    cells: tuple[Cell, ...]

    def index_of(self, value: object) -> int:
        """The class a concrete value falls in."""
        if self.finding.type != "integer":
            return [c.value for c in self.cells].index(value)
        return next(i for i, c in enumerate(self.cells) if c.low <= value <= c.high)


def abstract_domains(spec: PathwaySpec, extra=()) -> dict[str, Domain]:
    """Every finding (inputs included) with its classes, in vocabulary order. ``extra``: more
    guards whose thresholds must be told apart (e.g. another version's safety requirements)."""
    cuts = _integer_cuts(spec, [*spec.guards(), *extra])
    return {f.name: Domain(f, _cells(f, cuts.get(f.name, set()))) for f in spec.findings}


def requirement_guards(safety) -> list:
    return [] if safety is None else safety.guards()


def _cells(finding: Finding, cuts: set[int]) -> tuple[Cell, ...]:
    if finding.type == "boolean":
        return (Cell(False, "no"), Cell(True, "yes"))
    if finding.type == "enum":
        return tuple(Cell(v, v.replace("_", " ")) for v in finding.values)
    starts = sorted({finding.minimum} | {c for c in cuts if finding.minimum < c <= finding.maximum})
    ends = [s - 1 for s in starts[1:]] + [finding.maximum]
    cells = []
    for index, (low, high) in enumerate(zip(starts, ends)):
        # The first class is shown by its top value (age 50 reads better than age 16), the
        # others by their bottom one: both sit on the threshold a reviewer wants to see.
        value = high if index == 0 and len(starts) > 1 else low
        cells.append(Cell(value, f"{low} to {high}" if low != high else f"{low} only", low, high))
    return tuple(cells)


def _integer_cuts(spec: PathwaySpec, exprs) -> dict[str, set[int]]:
    """For each integer finding, the values where a guard's answer can change."""
    integers = {f.name for f in spec.findings if f.type == "integer"}
    cuts: dict[str, set[int]] = {}
    for compare in (c for e in exprs for c in compares_in(e)):
        if compare.name not in integers:
            continue
        values = compare.value if isinstance(compare.value, tuple) else (compare.value,)
        for value in values:
            if compare.op in ("<", ">="):
                cuts.setdefault(compare.name, set()).add(value)
            elif compare.op in ("<=", ">"):
                cuts.setdefault(compare.name, set()).add(value + 1)
            else:  # == != in "not in": the value is a class of its own
                cuts.setdefault(compare.name, set()).update((value, value + 1))
    return cuts

