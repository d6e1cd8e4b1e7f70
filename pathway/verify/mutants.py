"""Broken pathways derived from a real one, to show that the checks can fail.

Most mutants break the pathway and leave the safety requirements (the oracle) alone: the
properties judge the broken pathway by the real requirements. This module holds the mutants of
the red-flag escalations; mutants_care those of the screen, the work-up, consent and imaging;
mutants_oracle those that weaken the requirements themselves, which the check must refuse
(property 10) rather than judge by.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from ..guards import And, Compare, Expr, Literal, Name, Not, Or, compares_in
from ..spec import Condition, PathwaySpec, Transition, Urgency, Waits


@attrs.frozen
class Mutant:
    id: str
    method: str  # one of METHODS
    description: str
    spec: PathwaySpec = attrs.field(eq=False, repr=False)
    widens: bool = False  # the mutated guard holds wherever the original did: it can only escalate more
    oracle: bool = False  # the safety requirements were weakened, not the pathway


METHODS = {
    "remove": "a red-flag escalation removed from one state",
    "negate": "a red-flag escalation's guard negated",
    "drop-finding": "one finding dropped from a red-flag escalation's guard",
    "demote": "a red-flag escalation tried after the state's own transitions",
    "retarget": "a red-flag escalation sent to a non-urgent state",
    "threshold": "a threshold in a red-flag escalation's guard moved",
    "unscreen": "every red-flag escalation removed from one state",
    "imaging-rule": "an imaging rule removed, or one finding dropped from its guard",
    "work-up": "a transition out of an urgent work-up removed, or taken before the result",
    "consent": "the consent check dropped from a transition towards injection or surgery",
    "requirement": "a safety requirement weakened (a finding dropped, less urgent, later, looser imaging)",
}


def mutants(spec: PathwaySpec) -> Iterator[Mutant]:
    """Every mutant, in a fixed order (method, then category, then position)."""
    from .mutants_care import care_mutants
    from .mutants_oracle import oracle_mutants

    yield from _removed(spec)
    yield from _negated(spec)
    yield from _dropped(spec)
    yield from _demoted(spec)
    yield from _retargeted(spec)
    yield from _thresholds(spec)
    yield from care_mutants(spec)
    yield from oracle_mutants(spec)


def _escalations(spec: PathwaySpec, category: Condition) -> list[Transition]:
    return [t for t in spec.transitions if t.escalation and t.expr == Name(category.name)]


def _replace(spec: PathwaySpec, changes: dict[str, Transition | None]) -> PathwaySpec:
    """A new spec with some transitions changed (or removed, for None); caches start afresh."""
    kept = tuple(changes.get(t.id, t) for t in spec.transitions)
    return attrs.evolve(spec, transitions=tuple(t for t in kept if t is not None))


def _rewrite(spec: PathwaySpec, category: Condition, expr: Expr, **fields) -> PathwaySpec:
    """Every copy of the category's escalation with a new guard (and other fields)."""
    return _replace(spec, {t.id: attrs.evolve(t, expr=expr, text=f"mutated {category.name}", **fields)
                           for t in _escalations(spec, category)})


def _removed(spec: PathwaySpec):
    for category in spec.red_flags:
        for t in _escalations(spec, category):
            yield Mutant(f"remove {t.id}", "remove", f"{t.base_id} removed from {t.source}", _replace(spec, {t.id: None}))


def _negated(spec: PathwaySpec):
    for category in spec.red_flags:
        yield Mutant(f"negate {category.name}", "negate", f"escalation for {category.label} fires when it is absent",
                     _rewrite(spec, category, Not(Name(category.name))))


def _dropped(spec: PathwaySpec):
    for category in spec.red_flags:
        inlined = spec.spelled_out(category.expr)
        for index, (expr, what) in enumerate(_drop_each_leaf(inlined)):
            yield Mutant(f"drop {category.name} #{index + 1}", "drop-finding",
                         f"{category.label}: `{what}` dropped", _rewrite(spec, category, expr),
                         widens=_implies(inlined, expr, spec))


def _demoted(spec: PathwaySpec):
    for category in spec.red_flags:
        changes = {t.id: attrs.evolve(t, escalation=False, priority=900 + t.priority) for t in _escalations(spec, category)}
        yield Mutant(f"demote {category.name}", "demote", f"{category.label} tried after every other transition",
                     _replace(spec, changes))


def _retargeted(spec: PathwaySpec):
    # Resting and exit states only: a deciding target could make a visit loop forever.
    targets = [s for s in spec.states if s.urgency < Urgency.URGENT and (s.terminal or s.waits is not Waits.DECIDES)]
    for category in spec.red_flags:
        for target in targets:
            changes = {t.id: attrs.evolve(t, dest=target.id) for t in _escalations(spec, category)}
            yield Mutant(f"retarget {category.name} -> {target.id}", "retarget",
                         f"{category.label} sent to {target.label}", _replace(spec, changes))


def _thresholds(spec: PathwaySpec):
    for category in spec.red_flags:
        inlined = spec.spelled_out(category.expr)
        for index, compare in enumerate(_integer_compares(inlined, spec)):
            for step in (-5, 5):
                moved = attrs.evolve(compare, value=compare.value + step)
                expr = _substitute(inlined, compare, moved)
                yield Mutant(f"threshold {category.name} #{index + 1} {step:+d}", "threshold",
                             f"{category.label}: `{compare.name} {compare.op} {compare.value}` became "
                             f"`{compare.name} {compare.op} {moved.value}`", _rewrite(spec, category, expr),
                             widens=_implies(inlined, expr, spec))


# -- guard surgery ------------------------------------------------------------------------------
def _drop_each_leaf(expr: Expr) -> Iterator[tuple[Expr, str]]:
    """The guard once without each leaf (a finding or a comparison), by position."""
    if isinstance(expr, (Name, Compare)):
        yield Literal(False), _leaf_text(expr)
    elif isinstance(expr, Not):
        for inner, what in _drop_each_leaf(expr.operand):
            yield Not(inner), what
    elif isinstance(expr, (And, Or)):
        for i, operand in enumerate(expr.operands):
            rest = expr.operands[:i] + expr.operands[i + 1:]
            if isinstance(operand, (Name, Compare)):
                yield (rest[0] if len(rest) == 1 else type(expr)(rest)), _leaf_text(operand)
            else:
                for inner, what in _drop_each_leaf(operand):
                    yield type(expr)(rest[:i] + (inner,) + rest[i:]), what


def _leaf_text(leaf: Expr) -> str:
    return leaf.name if isinstance(leaf, Name) else f"{leaf.name} {leaf.op} {leaf.value}"


def _integer_compares(expr: Expr, spec: PathwaySpec) -> list[Compare]:
    return [c for c in compares_in(expr) if spec.finding[c.name].type == "integer" and isinstance(c.value, int)]


def _substitute(expr: Expr, old: Compare, new: Compare) -> Expr:
    if expr is old:
        return new
    if isinstance(expr, Not):
        return Not(_substitute(expr.operand, old, new))
    if isinstance(expr, (And, Or)):
        return type(expr)(tuple(_substitute(o, old, new) for o in expr.operands))
    return expr


def _implies(original: Expr, mutated: Expr, spec: PathwaySpec) -> bool:
    """Does the mutated guard hold wherever the original did? Then it can only escalate more."""
    from .symbolic import Symbolic

    sym = Symbolic(attrs.evolve(spec, transitions=spec.transitions + (_probe(mutated),)))
    return sym.empty(sym.guard(original) & ~sym.guard(mutated))


def _probe(expr: Expr) -> Transition:
    """A throwaway transition, so the symbolic domains also cut at the mutated thresholds."""
    return Transition("probe", "probe", "probe", expr, "", 1, "", ())

