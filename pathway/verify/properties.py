"""The safety properties, each decided exactly over the abstract findings.

Every property is a function of the ``Model`` (symbolic guards, visit outcomes, course graph)
that returns the number of cases it decided and every failure it found.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ..guards import Literal, describe, names_in
from ..spec import (
    CareStep,
    Condition,
    Imaging,
    PathwaySpec,
    Phase,
    State,
    Transition,
    Urgency,
    Waits,
)
from .courses import CourseGraph
from .results import Failure, Overlap
from .symbolic import Symbolic
from .visits import VisitModel

SCANS = (Imaging.MRI, Imaging.MRI_WITH_CONTRAST, Imaging.CT)
CONSERVATIVE_REVIEW_WEEKS = 4  # NICE NG59 1.1.3 and the pathway seeds: reassess within 2-4 weeks


class Model:
    """Everything the properties read, built once per spec."""

    def __init__(self, spec: PathwaySpec):
        self.spec = spec
        self.sym = Symbolic(spec)
        self.visits = VisitModel(spec, self.sym)
        self.courses = CourseGraph(self.visits)
        self._labels = {c.name: c.label for c in spec.conditions}

    def words(self, t: Transition) -> str:
        cited = ", ".join(t.citations)
        return f"`{t.base_id}` ({describe(t.expr, self.spec.finding, self._labels)}) -> {self.spec.state[t.dest].label} [{cited}]"

    def below_urgent(self) -> list[State]:
        """States that still make decisions and are not urgent care: where red flags must be caught."""
        return [s for s in self.spec.states if not s.terminal and s.urgency < Urgency.URGENT]


@attrs.define
class Result:
    cases: int
    failures: list[Failure] = attrs.Factory(list)
    overlaps: list[Overlap] = attrs.Factory(list)


@attrs.frozen
class Property:
    number: int
    name: str
    title: str
    decide: Callable[[Model], Result]


# -- 1. red flags reach urgent care -------------------------------------------------------------
def red_flags_reach_urgent_care(m: Model) -> Result:
    result = Result(0)
    flagged = m.sym.any_of(m.sym.guard(c.expr) for c in m.spec.red_flags)
    for state in m.below_urgent():
        result.cases += m.sym.count(flagged)
        for category in m.spec.red_flags:
            short = [o for o in m.visits.outcomes(state.id) if _falls_short(m, o, category)]
            breaking = m.sym.any_of(o.region for o in short) & m.sym.guard(category.expr)
            if not m.sym.empty(breaking):
                result.failures.append(_missed_red_flag(m, state, category, short, breaking))
    return result


def _falls_short(m: Model, outcome, category: Condition) -> bool:
    return (outcome.fell_through or m.visits.urgency(outcome) < category.min_urgency
            or m.visits.imaging(outcome) not in category.allowed_imaging)


def _missed_red_flag(m: Model, state: State, category: Condition, short: list, breaking) -> Failure:
    went = sorted({o.rest for o in short if not m.sym.empty(o.region & breaking)})
    allowed = " or ".join(i.value for i in category.allowed_imaging)
    message = (f"{category.label} at a visit from `{state.id}` can end in {', '.join(f'`{w}`' for w in went)}; "
               f"it needs {category.min_urgency.value} care or higher with imaging {allowed}")
    meant = [t for t in m.spec.outgoing(state.id) if t.escalation and category.name in names_in(t.expr)]
    should = "; ".join(m.words(t) for t in meant) or (
        f"no escalation for {category.label} is tried from `{state.id}`: {category.reason}")
    return Failure(message, state.id, breaking, should, category.citations)


# -- 2. no way back down ------------------------------------------------------------------------
def no_way_back_down(m: Model) -> Result:
    urgent = [s for s in m.spec.states if s.urgency >= Urgency.URGENT]
    result = Result(len(urgent))
    for state in urgent:
        for t in m.spec.outgoing(state.id):
            lower = m.spec.state[t.dest]
            if lower.urgency < state.urgency:
                message = (f"`{t.base_id}` leaves {state.urgency.value} state `{state.id}` for `{lower.id}` "
                           f"({lower.urgency.value})")
                result.failures.append(Failure(message, state.id, m.sym.guard(t.expr),
                                               "urgent and emergency care hands over; it never steps down", t.citations))
    return result


# -- 3. no silent overlaps ----------------------------------------------------------------------
def no_silent_overlaps(m: Model) -> Result:
    result = Result(0)
    for state in m.spec.states:
        tried = m.spec.outgoing(state.id)
        if len(tried) < 2:
            continue
        result.cases += m.sym.count(m.sym.valid)
        for i, first in enumerate(tried):
            earlier = m.sym.any_of(m.sym.guard(t.expr) for t in tried[:i])
            for second in tried[i + 1:]:
                both = m.sym.guard(first.expr) & m.sym.guard(second.expr)
                if m.sym.empty(both):
                    continue
                # The example is one where the pair decides (no earlier guard holds), if there is one.
                deciding = both & ~earlier
                shown = both if m.sym.empty(deciding) else deciding
                overlap = Overlap(state.id, first.id, second.id, m.sym.count(both), m.sym.example(shown),
                                  _overlap_status(m.spec, first, second))
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
        taken = m.sym.any_of(m.sym.guard(t.expr) for t in m.spec.outgoing(state.id))
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
                       f"{weeks[node.week].text}) can never reach a terminal state")
            result.failures.append(Failure(message, node.state, should="a way out of the trap"))
    return result


# -- 6. timely review ---------------------------------------------------------------------------
def timely_review(m: Model) -> Result:
    # The initial state is before the first contact: nobody is waiting there for a review.
    waiting = [s for s in m.below_urgent() if s.waits is not Waits.DECIDES and s.id != m.spec.initial]
    result = Result(len(waiting) * m.sym.count(m.sym.valid))
    for state in waiting:
        conservative = state.phase is Phase.CONSERVATIVE_CARE
        limit = CONSERVATIVE_REVIEW_WEEKS if conservative else None
        if state.review_within_weeks is None or (limit and state.review_within_weeks > limit):
            wanted = f"at most {limit}" if limit else "a maximum"
            message = f"`{state.id}` waits with review_within_weeks {state.review_within_weeks}; it needs {wanted}"
            result.failures.append(Failure(message, state.id, should=f"review_within_weeks: {limit or 'N'}",
                                           citations=("nice-ng59-1.1.3",) if conservative else ()))
        for outcome in m.visits.outcomes(state.id):
            silent = not outcome.path
            unreviewed = conservative and not _reassessed(m, outcome)
            if silent or unreviewed:
                what = "passes without any decision" if silent else "does not reach a reassessment"
                message = f"a visit to `{state.id}` {what}: the patient waits on past the review"
                should = "a transition at every visit: on to reassessment, or an explicit stay with its reason"
                result.failures.append(Failure(message, state.id, outcome.region, should))
    return result


def _reassessed(m: Model, outcome) -> bool:
    return any(s.phase is Phase.REASSESSMENT or s.urgency >= Urgency.URGENT for s in m.visits.entered_states(outcome))


# -- 7. imaging only when it changes management -------------------------------------------------
def imaging_changes_management(m: Model) -> Result:
    sym, spec = m.sym, m.spec
    reasons = sym.any_of(sym.guard(c.expr) for c in spec.red_flags + spec.imaging_reasons)
    calm = sym.valid & ~reasons
    rules = [
        ("orders imaging for a patient without red flags who is improving",
         calm & _any_value(m, ("trend", "improving"), ("symptoms_resolved", True)), lambda s: s.imaging is not Imaging.NONE),
        ("orders a scan for a patient without red flags who would not consider injection or surgery",
         calm & _any_value(m, ("intervention_considered", False)), lambda s: s.imaging in SCANS),
        ("offers an epidural for neurogenic claudication",
         _any_value(m, ("neurogenic_claudication", True)), lambda s: s.care_step is CareStep.EPIDURAL_INJECTION),
    ]
    starts = [s for s in spec.states if not s.terminal]
    result = Result(len(starts) * sym.count(sym.valid))
    for state in starts:
        for what, who, wrong in rules:
            bad = [(o, d) for o in m.visits.outcomes(state.id) for d in m.visits.entered_states(o)
                   if wrong(d) and not sym.empty(o.region & who)]
            breaking = sym.any_of(o.region for o, _ in bad) & who
            if not sym.empty(breaking):
                where = ", ".join(sorted({f"`{d.id}`" for _, d in bad}))
                should = "imaging and injections only where they change management, or a declared imaging reason"
                result.failures.append(Failure(f"a visit from `{state.id}` {what} ({where})", state.id, breaking,
                                               should, ("acp-2011-no-imaging", "nice-ng59-1.1.6", "nice-ng59-epidural")))
    return result


def _any_value(m: Model, *pairs) -> object:
    """Where any named finding has the given value; findings the vocabulary lacks count as never."""
    return m.sym.any_of(m.sym.value_is(name, value) for name, value in pairs if name in m.sym.domains)


PROPERTIES = (
    Property(1, "red-flags", "Red flags reach urgent care", red_flags_reach_urgent_care),
    Property(2, "no-way-down", "No way back down from urgent care", no_way_back_down),
    Property(3, "overlaps", "No silent overlaps", no_silent_overlaps),
    Property(4, "fall-through", "No patient falls through", no_fall_through),
    Property(5, "reachable", "Every state reachable, no traps", reachable_no_traps),
    Property(6, "review", "Timely review", timely_review),
    Property(7, "imaging", "Imaging only when it changes management", imaging_changes_management),
)
