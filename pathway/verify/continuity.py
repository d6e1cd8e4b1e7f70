"""Property 2: once in urgent or emergency care, a patient steps down only on the work-up's
result (a negative work-up returns them to the routine pathway, history kept); never while it
is awaited."""

from __future__ import annotations

from ..spec import Urgency
from .properties import Model, Result
from .red_flags import reads_result
from .results import Failure


def no_step_down_before_the_result(m: Model) -> Result:
    urgent = [s for s in m.spec.states if s.urgency >= Urgency.URGENT and not s.terminal]
    result = Result(len(urgent))
    for state in urgent:
        for t in m.spec.outgoing(state.id):
            lower = m.spec.state[t.dest]
            if t.is_stay or lower.urgency >= state.urgency or reads_result(m, t):
                continue
            awaited = f"`{state.awaits}`" if state.awaits else "its result (the state awaits none)"
            message = (f"`{t.base_id}` leaves {state.urgency.value} state `{state.id}` for `{lower.id}` "
                       f"({lower.urgency.value}) without waiting for {awaited}")
            should = "urgent and emergency care steps down only on the work-up's result (e.g. a negative scan)"
            result.failures.append(Failure(message, state.id, m.guard(t.expr), should, t.citations))
    return result
