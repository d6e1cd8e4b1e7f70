"""The answers that matter to a pathway's guards, read off the spec (no Hypothesis here): the
numbers each finding is compared with, the integers worth trying, and the red-flag categories
with the findings they read and the red flags they need together.

`pathway.visit_bytes` (what `pathway.testing` draws) and `pathway.presentations` build on these.
"""

from __future__ import annotations

from collections.abc import Iterator

from .guards import And, Expr, Name, Not, Or, compares_in, names_in
from .spec import Finding, PathwaySpec


def guard_thresholds(spec: PathwaySpec) -> dict[str, tuple[int, ...]]:
    """The whole numbers each finding is compared with in any guard (``age > 50`` gives ``age: (50,)``)."""
    found: dict[str, set[int]] = {}
    for node in (n for expr in spec.guards() for n in compares_in(expr)):
        values = node.value if isinstance(node.value, tuple) else (node.value,)
        numbers = {v for v in values if isinstance(v, int) and not isinstance(v, bool)}
        if numbers:
            found.setdefault(node.name, set()).update(numbers)
    return {name: tuple(sorted(numbers)) for name, numbers in found.items()}


def edges(finding: Finding, thresholds: tuple[int, ...]) -> list[int]:
    """The integers worth trying first: each threshold c as c-1, c, c+1, and both ends, lowest first."""
    near = {finding.minimum, finding.maximum} | {c + d for c in thresholds for d in (-1, 0, 1)}
    return sorted(v for v in near if finding.minimum <= v <= finding.maximum)


def categories(spec: PathwaySpec):
    """The red-flag categories of the safety requirements (their guards read findings only)."""
    return spec.safety.categories if spec.safety is not None else ()


def read_by_red_flags(spec: PathwaySpec) -> set[str]:
    """The findings (red-flag questions or not) that some red-flag category reads."""
    return {name for c in categories(spec) for name in findings_under(c.expr, spec)}


def findings_under(expr: Expr, spec: PathwaySpec) -> set[str]:
    """The findings a guard reads, through the named conditions it names."""
    found = set()
    for name in names_in(expr):
        if name in spec.condition:
            found |= findings_under(spec.condition[name].expr, spec)  # the validator rejects cycles
        elif name in spec.finding:
            found.add(name)
    return found


def companions(spec: PathwaySpec) -> dict[str, tuple[str, ...]]:
    """For each red-flag question, the red-flag questions a category needs together with it.

    The red flags under different operands of one `and` in a category's guard
    (``fever and (iv_drug_use or recent_infection)``) are companions of each other.
    """
    flags = {f.name for f in spec.findings if f.red_flag}
    found: dict[str, set[str]] = {}
    for node in (n for c in categories(spec) for n in _ands(c.expr, spec)):
        groups = [findings_under(operand, spec) & flags for operand in node.operands]
        for i, group in enumerate(groups):
            partners = set().union(*groups[:i], *groups[i + 1:])
            for flag in group:
                found.setdefault(flag, set()).update(partners - {flag})
    return {flag: tuple(sorted(partners)) for flag, partners in found.items() if partners}


def _ands(expr: Expr, spec: PathwaySpec) -> Iterator[And]:
    if isinstance(expr, Name) and expr.name in spec.condition:
        yield from _ands(spec.condition[expr.name].expr, spec)
    elif isinstance(expr, Not):
        yield from _ands(expr.operand, spec)
    elif isinstance(expr, (And, Or)):
        if isinstance(expr, And):
            yield expr
        for operand in expr.operands:
            yield from _ands(operand, spec)
