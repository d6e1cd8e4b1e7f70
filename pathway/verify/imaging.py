"""Properties 7 and 9: imaging and intervention only where they change management and the
patient consents, and no order ever holds a study the patient must not have."""

from __future__ import annotations

from ..spec import CareStep
from .properties import Model, Result
from .results import Failure
from .visits import Outcome

INTERVENTIONS = (CareStep.EPIDURAL_INJECTION, CareStep.SURGICAL_REFERRAL, CareStep.SPINAL_SURGERY)
CITED = ("acp-2011-no-imaging", "nice-ng59-1.1.6", "nice-ng59-epidural", "acp-2007-rec4")


def _value(m: Model, *pairs):
    """Where any named finding has the given value; findings the vocabulary lacks count as never."""
    return m.sym.any_of(m.sym.value_is(name, value) for name, value in pairs if name in m.sym.domains)


def _new_order(m: Model, outcome: Outcome) -> tuple:
    """The kinds a visit newly orders: the resting state's order, when it was entered at this visit."""
    if outcome.rest not in outcome.entered:
        return ()
    return tuple((region, order) for region, order in m.visits.orders(outcome.rest))


def _intervenes(m: Model, outcome: Outcome) -> bool:
    """The visit leaves the patient on the way to an injection or surgery."""
    rest = m.spec.state[outcome.rest]
    return rest.care_step in INTERVENTIONS or any(s.care_step in INTERVENTIONS for s in m.visits.entered_states(outcome))


# Why `check` and `simulate` give different answers about the same imaging (issue 17).
INDICATION_NOTE = ("judged on the answers the pathway is given; `sciatica simulate` also counts orders that the "
                   "simulated patient's true condition does not justify (\"imaging without an indication\"), "
                   "which no pathway can see")


def imaging_changes_management(m: Model) -> Result:
    sym, safety = m.sym, m.safety
    reasons = sym.any_of(m.guard(c.expr) for c in (*safety.categories, *safety.imaging_reasons))
    calm = sym.valid & ~reasons
    declines = calm & _value(m, ("intervention_considered", False))
    rules = [
        ("orders imaging for a patient without red flags who is improving",
         calm & _value(m, ("trend", "improving"), ("symptoms_resolved", True)),
         lambda o: sym.any_of(r for r, order in _new_order(m, o) if order)),
        ("orders a scan for a patient without red flags who would not consider injection or surgery",
         declines, lambda o: sym.any_of(r for r, order in _new_order(m, o) if any(k.is_scan for k in order.kinds))),
        ("offers an epidural for neurogenic claudication", _value(m, ("neurogenic_claudication", True)),
         lambda o: sym.valid if any(s.care_step is CareStep.EPIDURAL_INJECTION for s in m.visits.entered_states(o))
         else sym.false),
        ("goes on towards an injection or surgery for a patient who no longer considers them", declines,
         lambda o: sym.valid if _intervenes(m, o) else sym.false),
    ]
    starts = [s for s in m.spec.states if not s.terminal]
    result = Result(len(starts) * sym.count(sym.valid), notes=[INDICATION_NOTE])
    for state in starts:
        for what, who, wrong in rules:
            bad = [(o, o.region & who & wrong(o)) for o in m.visits.outcomes(state.id)]
            bad = [(o, r) for o, r in bad if not sym.empty(r)]
            if bad:
                where = ", ".join(sorted({f"`{o.rest}`" for o, _ in bad}))
                should = "imaging and intervention only where they change management, with consent, or for a declared imaging reason"
                result.failures.append(Failure(f"a visit from `{state.id}` {what} ({where})", state.id,
                                               sym.any_of(r for _, r in bad), should, CITED))
    return result


def imaging_fits_the_patient(m: Model) -> Result:
    """No order, new or amended, holds a study the safety requirements forbid for the patient:
    checked on every visit that leaves the patient in a state that orders imaging."""
    sym = m.sym
    starts = [s for s in m.spec.states if not s.terminal]
    result = Result(len(starts) * len(m.safety.every_order))
    found: dict[tuple[str, str], tuple[str, object, set]] = {}  # (state, rule) -> first start, region, kinds
    for start in starts:
        for outcome in m.visits.outcomes(start.id):
            for region, order in m.visits.orders(outcome.rest):
                for rule in m.safety.every_order:
                    kinds = {k for k in order.kinds if k in rule.never}
                    breaking = outcome.region & region & m.guard(rule.expr) if kinds else sym.false
                    if not sym.empty(breaking):
                        first, before, seen = found.get((outcome.rest, rule.name), (start.id, sym.false, set()))
                        if first == start.id:
                            before |= breaking
                        found[(outcome.rest, rule.name)] = (first, before, seen | kinds)
    rules = {r.name: r for r in m.safety.every_order}
    for (state_id, name), (first, region, kinds) in found.items():
        rule = rules[name]
        message = f"`{state_id}` orders {' or '.join(sorted(k.words for k in kinds))} although {rule.label}"
        should = f"an imaging rule that chooses another study: {rule.label}"
        result.failures.append(Failure(message, first, region, should, rule.citations))
    return result
