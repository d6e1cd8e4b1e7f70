"""Mutants of the safety requirements: each weakens what "safe" means in one way. The pathway is
left as it is; the check must refuse the weaker requirements (property 10), never pass the
pathway against them."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from ..spec import PathwaySpec, Urgency
from ..studies import Imaging
from .mutants import Mutant, _drop_each_leaf, _implies

LOWER = {Urgency.EMERGENCY: Urgency.URGENT, Urgency.URGENT: Urgency.ROUTINE, Urgency.ROUTINE: Urgency.NONE}


def oracle_mutants(spec: PathwaySpec) -> Iterator[Mutant]:
    if spec.safety is None:
        return
    for category in spec.safety.categories:
        for name, description, weaker in _weakened(category, spec):
            categories = tuple(weaker if c is category else c for c in spec.safety.categories)
            safety = attrs.evolve(spec.safety, categories=categories)
            yield Mutant(f"requirement {category.name}: {name}", "requirement", f"{category.label}: {description}",
                         attrs.evolve(spec, safety=safety), oracle=True)


def _weakened(category, spec: PathwaySpec):
    for index, (expr, what) in enumerate(_drop_each_leaf(category.expr)):
        if not _implies(category.expr, expr, spec):  # a drop that widens the category strengthens it
            yield f"drop #{index + 1}", f"`{what}` dropped", attrs.evolve(category, expr=expr)
    if category.min_urgency in LOWER:
        lower = LOWER[category.min_urgency]
        yield "less urgent", f"{lower.value} care instead of {category.min_urgency.value}", attrs.evolve(category, min_urgency=lower)
    if category.within_hours is not None:
        yield "later", f"within {category.within_hours * 2} hours", attrs.evolve(category, within_hours=category.within_hours * 2)
    looser = tuple(k for k in Imaging if k is not Imaging.NONE and k not in category.imaging)
    if looser:
        yield "looser imaging", f"any of {', '.join(k.value for k in looser)} accepted too", attrs.evolve(
            category, imaging=category.imaging + looser)
