"""Run the mutants: which does the exhaustive check kill, which do the Hypothesis tests kill.

A mutant the exhaustive check lets live is either equivalent (proved here: every visit from
every state ends exactly as in the real pathway), one that only escalates more (its guard holds
wherever the original did), or a sign of a weak property - the one outcome that must not happen.
"""

from __future__ import annotations

from collections import Counter

import attrs

from ..spec import PathwaySpec
from .mutants import METHODS, Mutant
from .properties import PROPERTIES, Model
from .symbolic import Symbolic
from .visits import VisitModel

# Cheapest and most often decisive first: a mutant is dead at its first failing property.
KILL_ORDER = tuple(sorted(PROPERTIES, key=lambda p: (p.number == 3, p.number)))


@attrs.frozen
class MutantResult:
    mutant: Mutant
    exhaustive: str | None  # the property that killed it, or None
    hypothesis: str | None  # the first violation the Hypothesis search found, None if none, "" if not run
    verdict: str  # killed / equivalent / widens only / SURVIVED

    @property
    def safety_relevant_survivor(self) -> bool:
        return self.verdict == "SURVIVED"


def run_mutant(original: PathwaySpec, mutant: Mutant, hypothesis_examples: int = 0) -> MutantResult:
    killer = _first_failing_property(mutant.spec)
    found = ""
    if hypothesis_examples:
        from ..testing import find_violation  # Hypothesis is only needed for this half

        hit = find_violation(mutant.spec, max_examples=hypothesis_examples, seed=0)
        found = hit[1][0] if hit else None
    if killer:
        verdict = "killed"
    elif equivalent(original, mutant.spec):
        verdict = "equivalent"
    elif mutant.widens:
        verdict = "widens only"
    else:
        verdict = "SURVIVED"
    return MutantResult(mutant, killer, found, verdict)


def _first_failing_property(spec: PathwaySpec) -> str | None:
    model = Model(spec)
    for prop in KILL_ORDER:
        if prop.decide(model).failures:
            return f"{prop.number}. {prop.title}"
    return None


def equivalent(original: PathwaySpec, mutated: PathwaySpec) -> bool:
    """True when every visit from every state ends in the same state with the same urgency and imaging."""
    both = attrs.evolve(original, transitions=original.transitions + mutated.transitions)
    sym = Symbolic(both)  # one manager, with the thresholds of both, so regions compare exactly
    before, after = VisitModel(original, sym), VisitModel(mutated, sym)
    return all(_behaviour(before, s.id) == _behaviour(after, s.id) for s in original.states)


def _behaviour(visits: VisitModel, state: str) -> dict:
    ends: dict = {}
    for o in visits.outcomes(state):
        key = (o.rest, o.fell_through, visits.urgency(o), visits.imaging(o))
        ends[key] = ends.get(key, visits.sym.false) | o.region
    return ends


def summary_text(results: list[MutantResult]) -> str:
    lines = [f"{'method':14} {'mutants':>7} {'killed (exhaustive)':>20} {'killed (Hypothesis)':>20}  survivors"]
    ran_hypothesis = any(r.hypothesis != "" for r in results)
    for method in METHODS:
        group = [r for r in results if r.mutant.method == method]
        exhaustive = sum(r.exhaustive is not None for r in group)
        hypothesis = f"{sum(bool(r.hypothesis) for r in group):>20}" if ran_hypothesis else f"{'(not run)':>20}"
        kinds = Counter(r.verdict for r in group if r.verdict != "killed")
        left = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"
        lines.append(f"{method:14} {len(group):>7} {exhaustive:>20} {hypothesis}  {left}")
    lines.append("")
    for r in results:
        if r.verdict != "killed":
            why = {"equivalent": "equivalent: every visit from every state ends exactly as in the real pathway",
                   "widens only": "only escalates more: its guard holds wherever the original did",
                   "SURVIVED": "SURVIVED: a safety-relevant mutant no property kills - a weak property"}[r.verdict]
            lines.append(f"  {r.mutant.id}: {r.mutant.description} -> {why}")
    return "\n".join(lines) + "\n"
