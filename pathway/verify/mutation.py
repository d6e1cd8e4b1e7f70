"""Run the mutants: which does the exhaustive check kill, which do the Hypothesis tests kill.

A mutant the exhaustive check lets live is either equivalent (proved here: every visit from
every state ends exactly as in the real pathway), one that only escalates more (its guard holds
wherever the original did), or a sign of a weak property - the one outcome that must not happen.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
from collections.abc import Iterator

import attrs

from ..spec import PathwaySpec
from .domains import abstract_domains
from .mutants import Mutant
from .properties import PROPERTIES, Model
from .symbolic import Symbolic
from .visits import VisitModel

# Cheapest and most often decisive first: a mutant is dead at its first failing property.
KILL_ORDER = tuple(sorted(PROPERTIES, key=lambda p: (p.number == 3, p.number != 10, p.number)))


@attrs.frozen
class MutantResult:
    mutant: Mutant
    exhaustive: str | None  # the property that killed it, or None
    hypothesis: str | None  # the first violation the Hypothesis search found, None if none, "" if not run
    verdict: str  # killed / equivalent / equivalent in care / widens only / SURVIVED

    @property
    def safety_relevant_survivor(self) -> bool:
        return self.verdict == "SURVIVED"


def run_mutant(original: PathwaySpec, mutant: Mutant, hypothesis_examples: int = 0) -> MutantResult:
    killer = _first_failing_property(original, mutant.spec)
    found = ""
    if hypothesis_examples and not mutant.oracle:  # a weakened oracle cannot judge itself
        from ..testing import find_violation  # Hypothesis is only needed for this half

        hit = find_violation(mutant.spec, max_examples=hypothesis_examples, seed=0)
        found = hit[1][0] if hit else None
    if killer:
        verdict = "killed"
    elif equivalent(original, mutant.spec):
        verdict = "equivalent"
    elif equivalent_in_care(original, mutant.spec):
        verdict = "equivalent in care"
    elif mutant.widens:
        verdict = "widens only"
    else:
        verdict = "SURVIVED"
    return MutantResult(mutant, killer, found, verdict)


def _first_failing_property(original: PathwaySpec, spec: PathwaySpec) -> str | None:
    """The first property the mutant fails, judged against the original's safety requirements as
    the baseline (so a weakened requirement is caught)."""
    model = Model(spec, original.safety, symbolic=_shared(original, spec))
    for prop in KILL_ORDER:
        if prop.decide(model).failures:
            return f"{prop.number}. {prop.title}"
    return None


_SHARED: dict[str, Symbolic] = {}


def _shared(original: PathwaySpec, mutated: PathwaySpec) -> Symbolic | None:
    """One BDD manager for every mutant that tells patients apart as the original does (the same
    classes of findings): the guards they share are then built once, not once per mutant."""
    key = original.content_hash + original.safety.content_hash
    if key not in _SHARED:
        _SHARED.clear()  # one original at a time
        _SHARED[key] = Symbolic(original, original.safety.guards())
    shared = _SHARED[key]
    return shared if abstract_domains(mutated, original.safety.guards()) == shared.domains else None


def equivalent(original: PathwaySpec, mutated: PathwaySpec) -> bool:
    """True when every visit from every state ends in the same state with the same urgency and
    leaves the same imaging order."""
    sym = Symbolic(original, mutated.guards())  # one manager, with the thresholds of both, so regions compare exactly
    before, after = VisitModel(original, sym), VisitModel(mutated, sym)
    return all(_behaviour(before, s.id) == _behaviour(after, s.id) for s in original.states)


def equivalent_in_care(original: PathwaySpec, mutated: PathwaySpec) -> bool:
    """True when every visit from every state leaves every patient in care of the same urgency
    and timescale (or handed over alike), whose imaging meets the same red-flag categories
    present - though perhaps in another state (e.g. a redundant escalation copy removed: the
    state it would leave already gives that care)."""
    sym = Symbolic(original, mutated.guards())
    before, after = Model(original, symbolic=sym), Model(mutated, symbolic=sym)
    return all(_care(before, s.id) == _care(after, s.id) for s in original.states if not s.terminal)


def _care(m: Model, state: str) -> tuple:
    from .red_flags import _short

    levels: dict = {}
    for o in m.visits.outcomes(state):
        rest = m.spec.state[o.rest]
        key = (o.fell_through, rest.urgency, rest.terminal, None if rest.terminal else rest.within_hours)
        levels[key] = levels.get(key, m.sym.false) | o.region
    met = tuple(m.sym.any_of(o.region & m.guard(c.expr) & ~_short(m, o, c, o.region & m.guard(c.expr))
                             for o in m.visits.outcomes(state)) for c in m.safety.categories)
    return {k: r for k, r in levels.items() if not m.sym.empty(r)}, met


def _behaviour(visits: VisitModel, state: str) -> dict:
    ends: dict = {}
    for o in visits.outcomes(state):
        for region, order in visits.orders(o.rest) or ((visits.sym.valid, None),):
            key = (o.rest, o.fell_through, visits.urgency(o), order)
            ends[key] = ends.get(key, visits.sym.false) | (o.region & region)
    return {key: region for key, region in ends.items() if not visits.sym.empty(region)}


def run_mutants(original: PathwaySpec, derived: list[Mutant], hypothesis_examples: int = 0,
                workers: int = 1) -> Iterator[MutantResult]:
    """Each mutant's result, in order; with ``workers`` > 1 in forked worker processes (each
    builds its own BDD managers), so the whole set takes a fraction of the time."""
    if workers <= 1 or len(derived) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (run_mutant(original, m, hypothesis_examples) for m in derived)
        return
    global _JOB
    _JOB = (original, derived, hypothesis_examples)  # inherited by the forked workers, not pickled
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        for mutant, (killer, found, verdict) in zip(derived, pool.map(_run_one, range(len(derived)), chunksize=4)):
            yield MutantResult(mutant, killer, found, verdict)


_JOB: tuple | None = None


def _run_one(index: int) -> tuple:
    original, derived, hypothesis_examples = _JOB
    result = run_mutant(original, derived[index], hypothesis_examples)
    return result.exhaustive, result.hypothesis, result.verdict
