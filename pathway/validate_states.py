"""What each state declares must fit together: exits name who takes over, a state that waits
for a result says which, and imaging is ordered only where a result is awaited or on handover."""

from __future__ import annotations

import difflib

from .errors import Problem
from .spec import PathwaySpec, State, Urgency, Waits


def validate_states(spec: PathwaySpec) -> list[Problem]:
    problems: list[Problem] = []
    for state in spec.states:
        for check in (_exit, _awaits, _imaging, _timescale):
            message = check(spec, state)
            if message:
                problems.append(Problem(state.line, f"state `{state.id}` {message}"))
    return problems


def _exit(spec: PathwaySpec, state: State) -> str | None:
    if state.terminal and not state.receiving_service:
        return "is an exit (terminal) but does not name its `receiving_service`: an exit is a handover to someone"
    if not state.terminal and state.receiving_service:
        return "names a `receiving_service` but is not an exit; only a handover (`terminal: true`) has one"
    return None


def _awaits(spec: PathwaySpec, state: State) -> str | None:
    if state.terminal or state.waits is not Waits.RESULT:
        return "says what it `awaits`, but only a state that waits for a result awaits one" if state.awaits else None
    if state.awaits is None:
        return "waits for a result but does not say which: add `awaits: <finding>` (e.g. mri_result)"
    finding = spec.finding.get(state.awaits)
    if finding is None:
        close = difflib.get_close_matches(state.awaits, list(spec.finding), n=1)
        return f"awaits unknown finding `{state.awaits}`" + (f"; did you mean `{close[0]}`?" if close else "")
    if finding.default is None:
        return f"awaits `{state.awaits}`, which has no default; a result is a finding that is `none` until it is in"
    return None


def _imaging(spec: PathwaySpec, state: State) -> str | None:
    if state.purpose is None:
        return None
    if state.purpose not in spec.purpose:
        known = ", ".join(sorted(spec.purpose)) + ", none"
        return f"orders unknown imaging purpose `{state.purpose}`; known (imaging.yaml): {known}"
    if not state.terminal and state.waits is not Waits.RESULT:
        return "orders imaging but does not wait for its result; imaging is ordered by states that wait for a result, or on handover"
    return None


def _timescale(spec: PathwaySpec, state: State) -> str | None:
    if state.within_hours is not None and (state.terminal or state.urgency < Urgency.URGENT):
        return "declares `within_hours`, a timescale only urgent and emergency work-up states have"
    return None
