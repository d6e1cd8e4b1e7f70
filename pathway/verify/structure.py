"""Properties 3-6: no silent overlaps, no patient falls through, every state reachable with no
traps, and timely review (routine reviews within 4 weeks, a timescale for every urgent state)."""

from __future__ import annotations

from ..guards import Literal
from ..spec import PathwaySpec, Phase, Transition, Urgency, Waits
from .properties import Model, Result
from .results import Failure, Overlap

CONSERVATIVE_REVIEW_WEEKS = 4  # NICE NG59 1.1.3 and the pathway seeds: reassess within 2-4 weeks


# -- 3. no silent overlaps ----------------------------------------------------------------------
def no_silent_overlaps(m: Model) -> Result:
    result = Result(0)
    for state in m.spec.states:
        tried = m.spec.outgoing(state.id)
        if len(tried) < 2:
            continue
        result.cases += m.sym.count(m.sym.valid)
        for i, first in enumerate(tried):
            earlier = m.sym.any_of(m.guard(t.expr) for t in tried[:i])
            for second in tried[i + 1:]:
                both = m.guard(first.expr) & m.guard(second.expr)
                if m.sym.empty(both):
                    continue
                # The example is one where the pair decides (no earlier guard holds), if there is one.
                deciding = both & ~earlier
                shown = both if m.sym.empty(deciding) else deciding
                overlap = Overlap(state.id, first.id, second.id, m.sym.count(both), _overlap_status(m.spec, first, second),
                                  shown, m.sym)
                result.overlaps.append(overlap)
                if overlap.is_error:
                    message = (f"at `{state.id}`, `{first.base_id}` and `{second.base_id}` both hold for "
                               f"{overlap.cases:,} cases and lead to different urgencies; `{first.base_id}` wins")
                    should = f"say so with `outranks: [{second.base_id}]` on `{first.base_id}`, or make the guards exclusive"
                    result.failures.append(Failure(message, state.id, shown, should, first.citations))
    return result


def _overlap_status(spec: PathwaySpec, first: Transition, second: Transition) -> str:
    if spec.state[first.dest].urgency == spec.state[second.dest].urgency:
        return "same urgency"
    if first.escalation and not second.escalation:
        return "red flags outrank"
    if second.expr == Literal(True):
        return "otherwise"
    if second.base_id in first.outranks:
        return "declared"
    return "error"


# -- 4. no patient falls through ----------------------------------------------------------------
def no_fall_through(m: Model) -> Result:
    deciding = [s for s in m.spec.states if s.waits is Waits.DECIDES and not s.terminal]
    result = Result(len(deciding) * m.sym.count(m.sym.valid))
    for state in deciding:
        taken = m.sym.any_of(m.guard(t.expr) for t in m.spec.outgoing(state.id))
        gap = m.sym.valid & ~taken
        if not m.sym.empty(gap):
            outcome = _reachable_fall(m, state.id)
            message = f"`{state.id}` decides at once, but no transition applies for {m.sym.count(gap):,} cases"
            should = "add a transition for these findings, or an explicit `to: stay`"
            region = outcome.region if outcome else gap
            result.failures.append(Failure(message, outcome.start if outcome else state.id, region, should))
    return result


def _reachable_fall(m: Model, state_id: str):
    """A visit from a reachable resting state that falls through at ``state_id``, if there is one."""
    for node in m.courses.nodes:
        for outcome in m.visits.outcomes(node.state):
            if outcome.fell_through and outcome.rest == state_id:
                return outcome
    return None


# -- 5. every state reachable, no traps ---------------------------------------------------------
def reachable_no_traps(m: Model) -> Result:
    result = Result(len(m.courses.steps))
    for state in m.spec.states:
        if state.id not in m.courses.reached_states:
            result.failures.append(Failure(f"no patient ever reaches `{state.id}` ({state.label})", state.id,
                                           should="a transition into it whose guard some patient can meet"))
    for node in m.courses.nodes:
        if not m.spec.state[node.state].terminal and node not in m.courses.can_finish:
            ages, weeks = m.sym.domains["age"].cells, m.sym.domains["week"].cells
            message = (f"a patient resting in `{node.state}` (age {ages[node.age].text}, from week "
                       f"{weeks[node.week].text}) can never reach an exit")
            result.failures.append(Failure(message, node.state, should="a way out of the trap"))
    return result


# -- 6. timely review and timescales ------------------------------------------------------------
def timely_review(m: Model) -> Result:
    # The initial state is before the first contact, and a discharged patient is not waiting for
    # a review but may come back (return criteria): nobody waits there for a review.
    waiting = [s for s in m.spec.states if not s.terminal and s.waits in (Waits.VISIT, Waits.RESULT)
               and s.urgency < Urgency.URGENT and s.id != m.spec.initial]
    urgent = [s for s in m.spec.states if not s.terminal and s.urgency >= Urgency.URGENT]
    result = Result(len(waiting) * m.sym.count(m.sym.valid) + len(urgent))
    for state in urgent:
        if state.within_hours is None:
            result.failures.append(Failure(f"`{state.id}` is {state.urgency.value} care with no timescale", state.id,
                                           should="`within_hours`: how soon the work-up is done"))
    for state in (s for s in m.spec.states if s.awaits and not s.terminal):
        result.failures += _unheeded_results(m, state)
    for state in waiting:
        if state.review_within_weeks is None or state.review_within_weeks > CONSERVATIVE_REVIEW_WEEKS:
            message = (f"`{state.id}` waits with review_within_weeks {state.review_within_weeks}; "
                       f"a routine review is due within {CONSERVATIVE_REVIEW_WEEKS} weeks")
            result.failures.append(Failure(message, state.id, should=f"review_within_weeks: {CONSERVATIVE_REVIEW_WEEKS}",
                                           citations=("nice-ng59-1.1.3",)))
        conservative = state.phase is Phase.CONSERVATIVE_CARE
        for outcome in m.visits.outcomes(state.id):
            silent = not outcome.path
            unreviewed = conservative and not _reassessed(m, outcome)
            if silent or unreviewed:
                what = "passes without any decision" if silent else "does not reach a reassessment"
                message = f"a visit to `{state.id}` {what}: the patient waits on past the review"
                should = "a transition at every visit: on to reassessment, or an explicit stay with its reason"
                result.failures.append(Failure(message, state.id, outcome.region, should))
    return result


def _unheeded_results(m: Model, state) -> list[Failure]:
    """A result that is in is acted on: the visit does not leave the patient waiting where they were."""
    default = m.spec.finding[state.awaits].default
    arrived = ~m.sym.value_is(state.awaits, default)
    stuck = m.sym.any_of(o.region for o in m.visits.outcomes(state.id) if not o.entered) & arrived
    if m.sym.empty(stuck):
        return []
    message = f"`{state.id}` keeps the patient waiting although its result (`{state.awaits}`) is in"
    return [Failure(message, state.id, stuck, f"a transition for every result of `{state.awaits}`")]


def _reassessed(m: Model, outcome) -> bool:
    """The visit reached a reassessment, or the red-flag screen acted on it."""
    return any(t.escalation for t in outcome.path) or any(
        s.phase is Phase.REASSESSMENT or s.urgency >= Urgency.URGENT for s in m.visits.entered_states(outcome))
