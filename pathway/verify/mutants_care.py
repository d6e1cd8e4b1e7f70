"""Mutants of what keeps care safe after the first decision: the screen at every state, the
urgent work-up and its way out, consent before injection or surgery, and the imaging rules that
fit the studies to the patient."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from ..guards import Literal, Name, Not, names_in
from ..spec import PathwaySpec, Urgency
from .mutants import Mutant, _drop_each_leaf, _implies, _replace

def care_mutants(spec: PathwaySpec) -> Iterator[Mutant]:
    yield from _unscreened(spec)
    yield from _imaging_rules(spec)
    yield from _work_ups(spec)
    yield from _consent(spec)


def _unscreened(spec: PathwaySpec):
    for state in spec.states:
        copies = {t.id: None for t in spec.outgoing(state.id) if t.escalation}
        if copies:
            yield Mutant(f"unscreen {state.id}", "unscreen", f"{state.label} no longer screens for red flags",
                         _replace(spec, copies))


def _imaging_rules(spec: PathwaySpec):
    for rule in spec.imaging_rules:
        kept = tuple(r for r in spec.imaging_rules if r is not rule)
        yield Mutant(f"remove rule {rule.id}", "imaging-rule", f"imaging rule removed: {rule.label}",
                     attrs.evolve(spec, imaging_rules=kept))
        inlined = spec.spelled_out(rule.expr)
        for index, (expr, what) in enumerate(_drop_each_leaf(inlined)):
            changed = tuple(attrs.evolve(r, expr=expr) if r is rule else r for r in spec.imaging_rules)
            yield Mutant(f"weaken rule {rule.id} #{index + 1}", "imaging-rule", f"{rule.label}: `{what}` dropped",
                         attrs.evolve(spec, imaging_rules=changed), widens=_implies(inlined, expr, spec))


def _work_ups(spec: PathwaySpec):
    """Each own transition out of an urgent or emergency work-up: removed, or taken at once."""
    for state in (s for s in spec.states if not s.terminal and s.urgency >= Urgency.URGENT):
        for t in (t for t in spec.outgoing(state.id) if not t.escalation):
            yield Mutant(f"remove {t.id}", "work-up", f"{t.base_id} removed from {state.label}", _replace(spec, {t.id: None}))
            if not t.is_stay:
                yield Mutant(f"hasten {t.id}", "work-up", f"{t.base_id} taken before the result",
                             _replace(spec, {t.id: attrs.evolve(t, expr=Literal(True), priority=0)}))


def _consent(spec: PathwaySpec) -> Iterator[Mutant]:
    """Each transition that reads consent (`intervention_considered`), reading it as always yes."""
    for t in spec.transitions:
        if not t.escalation and CONSENT in names_in(t.expr):
            yield Mutant(f"consent {t.id}", "consent", f"{t.base_id} without the consent check (always read as yes)",
                         _replace(spec, {t.id: attrs.evolve(t, expr=_assume_yes(t.expr))}))


CONSENT = "intervention_considered"


def _assume_yes(expr):
    if isinstance(expr, Name) and expr.name == CONSENT:
        return Literal(True)
    if isinstance(expr, Not):
        return Not(_assume_yes(expr.operand))
    if hasattr(expr, "operands"):
        return type(expr)(tuple(_assume_yes(o) for o in expr.operands))
    return expr
