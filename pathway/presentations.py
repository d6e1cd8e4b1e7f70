"""Red-flag presentations: each red-flag category (and each pair) on a calm visit, changed just
enough that every leaf of its guard is needed (no Hypothesis here)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from .answers import categories, edges, findings_under, guard_thresholds, read_by_red_flags
from .guards import And, Compare, Expr, Literal, Name, Not, Or, compile_guard
from .spec import PathwaySpec
from .validate import baseline


def presentations(spec: PathwaySpec) -> list[tuple[tuple[str, ...], dict]]:
    """Red-flag presentations as ``(categories, changes)``: the answers (age among them) that
    depart from the calm visit (`baseline`).

    Each category once for every leaf of its guard (a finding or a comparison, named conditions
    spelled out), as the smallest change from calm (up to three answers) where that leaf is
    needed: the category holds, and would not without that leaf. So a guard that lost any
    leaf, or read one wrongly, is caught. Of the changes that qualify, the one bringing the
    fewest other categories along wins, so that a more urgent escalation does not mask it.
    Then each pair of categories together (which escalation wins where both hold?).
    """
    holding = _Holding(spec)
    singles: list[tuple[str, dict]] = []
    for category in categories(spec):
        guard = category.expr
        answers = _alarming_answers(spec, findings_under(guard, spec))
        for leaf in _leaf_paths(guard):
            without = compile_guard(_forced(guard, leaf, False), {})
            way = _needing(holding, category.name, without, answers)
            if way is not None and (category.name, way) not in singles:
                singles.append((category.name, way))
    return [((name,), changes) for name, changes in singles] + _pairs(spec, singles, holding)


def _needing(holding: _Holding, category: str, without, answers: list) -> dict | None:
    """The smallest change from calm where ``category`` holds but ``without`` (its guard short of
    one leaf) does not; of equals, the one with the fewest other categories."""
    best, fewest = None, None
    for size in (1, 2, 3):
        for combo in combinations(answers, size):
            changes = dict(combo)
            if len(changes) < size:
                continue  # two answers to one question
            env = {**holding.calm, **changes}
            if not holding.checks[category](env) or without(env):
                continue
            others = len(holding(changes)) - 1
            if fewest is None or others < fewest:
                best, fewest = changes, others
        if best is not None:
            return _unmasked(holding, category, without, best) if fewest else best
    return None


def _unmasked(holding: _Holding, category: str, without, changes: dict) -> dict:
    """Try one more answer that turns the other categories off while the leaf stays needed."""
    best, fewest = changes, len(holding(changes)) - 1
    for name, value in holding.answers:
        if name in changes:
            continue
        more = {**changes, name: value}
        env = {**holding.calm, **more}
        others = len(holding(more)) - 1
        if others < fewest and holding.checks[category](env) and not without(env):
            best, fewest = more, others
    return best


def _pairs(spec: PathwaySpec, singles: list[tuple[str, dict]], holding) -> list[tuple[tuple[str, ...], dict]]:
    """Each pair of categories, each by its presentation that brings the fewest others along."""
    lead: dict[str, dict] = {}
    for name, changes in sorted(singles, key=lambda single: len(holding(single[1]))):
        lead.setdefault(name, changes)
    pairs = []
    for (a, one), (b, other) in combinations([(c.name, lead[c.name]) for c in categories(spec) if c.name in lead], 2):
        for merged in ({**one, **other}, {**other, **one}):  # on a clash, either may win
            if {a, b} <= set(holding(merged)):
                pairs.append(((a, b), merged))
                break
    return pairs


class _Holding:
    """Which red-flag categories hold for a calm visit with some answers changed."""

    def __init__(self, spec: PathwaySpec):
        self.checks = {c.name: compile_guard(c.expr, {}) for c in categories(spec)}
        self.calm = baseline(spec)
        self.answers = _alarming_answers(spec, read_by_red_flags(spec))

    def __call__(self, changes: dict) -> list[str]:
        env = {**self.calm, **changes}
        return [name for name, holds in self.checks.items() if holds(env)]


def _alarming_answers(spec: PathwaySpec, names: set[str]) -> list[tuple[str, object]]:
    """Every answer other than the calm one to the named findings (numbers: their `edges`)."""
    calm, thresholds, answers = baseline(spec), guard_thresholds(spec), []
    for name in sorted(names):
        f = spec.finding[name]
        values = {"boolean": (False, True), "enum": f.values}.get(f.type) or edges(f, thresholds.get(name, ()))
        answers += [(name, v) for v in values if v != calm[name]]
    return answers


# -- guard surgery: one leaf forced ----------------------------------------------------------------


def _leaf_paths(expr: Expr, path: tuple[int, ...] = ()) -> Iterator[tuple[int, ...]]:
    """Where each finding or comparison sits: operand indexes from the top."""
    if isinstance(expr, (Name, Compare)):
        yield path
    elif isinstance(expr, Not):
        yield from _leaf_paths(expr.operand, (*path, 0))
    elif isinstance(expr, (And, Or)):
        for i, operand in enumerate(expr.operands):
            yield from _leaf_paths(operand, (*path, i))


def _forced(expr: Expr, path: tuple[int, ...], value: bool) -> Expr:
    if not path:
        return Literal(value)
    if isinstance(expr, Not):
        return Not(_forced(expr.operand, path[1:], value))
    operands = list(expr.operands)
    operands[path[0]] = _forced(operands[path[0]], path[1:], value)
    return type(expr)(tuple(operands))
