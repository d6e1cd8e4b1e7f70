"""The safety properties of a course, judged by the safety requirements (``spec.safety``): what
a visit did wrong, in words."""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping

from ..engine import Engine, FellThrough
from ..guards import compile_guard
from ..patients import Patient
from ..safety import Category
from ..spec import PathwaySpec, Urgency
from ..studies import Order
from ..trace import VisitTrace


def red_flag_categories_present(spec: PathwaySpec, env: Mapping[str, object]) -> list[Category]:
    """The safety requirements' red-flag categories (``spec.safety``) that hold for a visit's env."""
    return [category for category, holds in _checks(spec)[0] if holds(env)]


def _checks(spec: PathwaySpec):
    # Keyed by identity: hashing a whole spec costs more than checking a visit. The weak
    # reference drops the entry with the spec, so mutant after mutant does not pile up.
    key = id(spec)
    hit = _CHECKS.get(key)
    if hit is None or hit[0]() is not spec:
        safety = spec.safety
        checks = ([(c, compile_guard(c.expr, {})) for c in safety.categories],
                  [(r, compile_guard(r.expr, {})) for r in safety.every_order],
                  compile_guard(safety.mri_contraindicated, {}))
        hit = (weakref.ref(spec, lambda _: _CHECKS.pop(key, None)), checks)
        _CHECKS[key] = hit
    return hit[1]


_CHECKS: dict[int, tuple[weakref.ref, tuple]] = {}


def violations(spec: PathwaySpec, engine: Engine, patient: Patient) -> list[str]:
    """Run the course and say, in words, where it breaks the safety properties (``[]``: safe).

    ``spec`` holds the safety requirements that define safety (``spec.safety``); ``engine`` runs
    the pathway under test (usually ``Engine(spec)``; a mutant's engine against the original
    spec also works). At every visit, from whatever state the patient was in:

    (a) each red-flag category present gets the care it needs: the patient rests in a state at
        least as urgent and as soon, whose pending imaging meets the category - or the visit
        completed an urgent work-up at least as urgent, handing them over;
    (b) no order holds a study the requirements forbid for the patient;
    (c) no visit falls through a deciding state (`FellThrough`);
    (d) once in urgent or emergency care, the patient steps down only on the work-up's result.
    """
    problems: list[str] = []
    with engine.start(patient.age, patient.id) as course:
        for visit in patient.visits:
            before = course.state
            try:
                routed = course.visit(visit.week, visit.findings)
            except FellThrough as err:
                problems.append(f"{err} (FellThrough: the pathway has a gap there)")
                break
            problems += visit_problems(spec, engine, before, visit.env(patient.age), routed, course.pending)
    return problems


def visit_problems(spec: PathwaySpec, engine: Engine, before: str, env: Mapping[str, object], visit: VisitTrace,
                   pending: Order) -> list[str]:
    """What one visit did wrong, by `violations`' (a), (b) and (d): ``before``, the state the
    patient rested in; ``env``, what the guards read; ``pending``, the order held afterwards."""
    return _care_problems(spec, engine, dict(env), visit, pending) + _step_down(engine.spec, before, visit, env)


def _care_problems(spec: PathwaySpec, engine: Engine, env: dict, visit: VisitTrace, pending: Order) -> list[str]:
    categories, rules, contraindicated = _checks(spec)
    system, contra = engine.spec, bool(contraindicated(env))
    rest = system.state[visit.state]
    problems = [f"week {visit.week}: the patient holds an order for {', '.join(k.words for k in pending.kinds if k in r.never)} "
                f"although {r.label}" for r, holds in rules if holds(env) and any(k in r.never for k in pending.kinds)]
    for category, holds in categories:
        if holds(env) and not _cared_for(system, category, rest, visit, env, pending, contra):
            problems.append(
                f"week {visit.week}: red-flag category {category.name} ({category.label}) held, but the patient went "
                f"{_path(visit)} ({rest.urgency.value}{_hours(rest)}, imaging {pending.words}); required "
                f"{category.min_urgency.value} care {category.timescale_words} with imaging {category.imaging_words}")
    return problems


def _cared_for(system: PathwaySpec, category: Category, rest, visit: VisitTrace, env: dict, pending, contra) -> bool:
    if rest.urgency < category.min_urgency:
        return False
    if rest.terminal:
        return _completed_work_up(system, category, visit, env) or category.met_by(visit.imaging, contra)
    soon = category.within_hours is None or (rest.within_hours or math.inf) <= category.within_hours
    return soon and category.met_by(pending, contra)


def _completed_work_up(system: PathwaySpec, category: Category, visit: VisitTrace, env: dict) -> bool:
    """The visit left an urgent work-up at least as urgent on its result (the result recorded)."""
    for step in visit.steps:
        source = system.state[step.source]
        if source.awaits and not step.escalation and source.urgency >= category.min_urgency \
                and env.get(source.awaits) != system.finding[source.awaits].default:
            return True
    return False


def _step_down(system: PathwaySpec, before: str, visit: VisitTrace, env: dict) -> list[str]:
    was, now = system.state[before], system.state[visit.state]
    if was.terminal or was.urgency < Urgency.URGENT or now.urgency >= was.urgency:
        return []
    if was.awaits and env.get(was.awaits) != system.finding[was.awaits].default:
        return []
    return [f"week {visit.week}: urgency went down from {was.urgency.value} ({was.id}) to {now.urgency.value} "
            f"({now.id}) before the work-up's result; once urgent, a patient steps down only on the result"]


def _hours(state) -> str:
    return f", within {state.within_hours} hours" if state.within_hours else ""


def _path(visit: VisitTrace) -> str:
    if not visit.entered:
        return f"nowhere (stayed in {visit.state})"
    return " -> ".join((visit.start, *visit.entered))
