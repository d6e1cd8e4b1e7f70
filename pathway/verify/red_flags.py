"""Properties 1 and 8: every red flag gets the care its safety requirements demand, from every
state the patient can be in, and every state that is not an exit screens for them.

The care a visit leaves the patient in is read off where they rest afterwards: its urgency, its
timescale, and the imaging it holds for these findings (an order is amended to the findings at
each visit; see the engine). A patient handed over after an urgent or emergency work-up has
returned its result is in care at least that urgent, and their imaging is done.
"""

from __future__ import annotations

from ..safety import Category
from ..spec import State
from .properties import Model, Result
from .results import Failure
from .symbolic import Region
from .visits import Outcome


def red_flags_get_the_care_they_need(m: Model) -> Result:
    result = Result(0)
    flagged = m.flagged
    for state in m.spec.states:
        result.cases += m.sym.count(flagged)
        if state.terminal:
            continue  # a visit after a handover is a new episode: the initial state's outcomes, checked there
        for category in m.safety.categories:
            present = m.guard(category.expr)
            short = [(o, m.sym.false | _short(m, o, category, o.region & present)) for o in m.visits.outcomes(state.id)]
            breaking = m.sym.any_of(region for _, region in short)
            if not m.sym.empty(breaking):
                went = sorted({o.rest for o, region in short if not m.sym.empty(region)})
                result.failures.append(_failure(m, state, category, went, breaking))
    return result


def _short(m: Model, outcome: Outcome, category: Category, region: Region) -> Region:
    """The patients of ``region`` this outcome leaves in less care than the category demands."""
    if m.sym.empty(region):
        return m.sym.false
    rest = m.spec.state[outcome.rest]
    if outcome.fell_through or rest.urgency < category.min_urgency:
        return region
    if rest.terminal and completed_work_up(m, outcome, category):
        return m.sym.false
    if not rest.terminal and not soon_enough(rest, category):
        return region
    return region & ~imaging_meets(m, rest, category)


def soon_enough(state: State, category: Category) -> bool:
    return category.within_hours is None or (state.within_hours is not None and state.within_hours <= category.within_hours)


def imaging_meets(m: Model, state: State, category: Category) -> Region:
    """Where the state's order (for those findings) meets the category, contraindications considered."""
    key = (state.id, category.name)
    if key not in m._meets:
        contra = m.contraindicated
        met = [region & (contra if category.met_by(order, True) else m.sym.false)
               | region & (~contra if category.met_by(order, False) else m.sym.false)
               for region, order in m.visits.orders(state.id)]
        m._meets[key] = m.sym.any_of(met)
    return m._meets[key]


def completed_work_up(m: Model, outcome: Outcome, category: Category) -> bool:
    """The visit left an urgent or emergency work-up at least as urgent on its result."""
    return any(reads_result(m, t) and m.spec.state[t.source].urgency >= category.min_urgency for t in outcome.path)


def reads_result(m: Model, t) -> bool:
    """The transition is taken only once the state's awaited result is in."""
    source = m.spec.state[t.source]
    if source.awaits is None or t.escalation:
        return False
    default = m.spec.finding[source.awaits].default
    return m.sym.empty(m.guard(t.expr) & m.sym.value_is(source.awaits, default))


def _failure(m: Model, state: State, category: Category, went: list[str], breaking: Region) -> Failure:
    needs = f"{category.min_urgency.value} care {category.timescale_words}, imaging {category.imaging_words}"
    places = ", ".join(f"`{w}` ({_gives(m.spec.state[w])})" for w in went)
    message = f"{category.label} at a visit from `{state.id}` can end in {places}; it needs {needs}"
    return Failure(message, state.id, breaking, f"{needs}: {category.reason}", category.citations)


def _gives(state: State) -> str:
    hours = f", within {state.within_hours} hours" if state.within_hours else ""
    return f"{state.urgency.value}{hours}"


def every_state_screens(m: Model) -> Result:
    """Every state but an exit tries, before its own transitions, an escalation for each red flag
    whose urgency or timescale it does not already give."""
    states = [s for s in m.spec.states if not s.terminal]
    result = Result(len(states) * len(m.safety.categories))
    for state in states:
        screened = m.sym.any_of(m.guard(t.expr) for t in m.spec.outgoing(state.id) if t.escalation)
        for category in m.safety.categories:
            if state.urgency >= category.min_urgency and soon_enough(state, category):
                continue
            unscreened = m.guard(category.expr) & ~screened
            if not m.sym.empty(unscreened):
                message = (f"`{state.id}` ({state.label}) has no red-flag screen for {category.label}: "
                           f"a patient resting there with it meets no escalation")
                should = f"an escalation for {category.label}, tried first at every visit from `{state.id}`"
                result.failures.append(Failure(message, state.id, unscreened, should, category.citations))
    return result
