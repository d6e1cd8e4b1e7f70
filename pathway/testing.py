"""Hypothesis strategies and safety properties for a pathway, for your own property tests.

    from hypothesis import given
    from pathway import Engine, load_pathway, shipped_pathway
    from pathway.testing import courses, violations

    spec = load_pathway(shipped_pathway())
    engine = Engine(spec)

    @given(courses(spec))
    def test_red_flags_always_escalate(patient):
        assert violations(spec, engine, patient) == []

The properties (see `violations`), judged by the safety requirements (``spec.safety``): a
red-flag category present at a visit, from any state, leaves the patient in care as urgent and
as soon as it demands, with imaging that meets it; no order holds a forbidden study; no visit
falls through a deciding state; urgent care steps down only on the work-up's result.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping
from typing import Literal

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as fixed_seed
from hypothesis import strategies as st

from .answers import VisitReader, edges, guard_thresholds, presentations
from .engine import Engine, FellThrough
from .guards import compile_guard
from .patients import Patient, Visit
from .safety import Category
from .spec import PathwaySpec, Urgency
from .studies import Order
from .trace import VisitTrace
from .validate import baseline

__all__ = [
    "RedFlags",
    "visit_problems",
    "ages",
    "courses",
    "find_violation",
    "findings",
    "guard_thresholds",
    "patient_data",
    "presentation_courses",
    "red_flag_categories_present",
    "violations",
    "visits",
]

RedFlags = Literal["some", "none", "any"]


# -- strategies --------------------------------------------------------------------------------


def findings(spec: PathwaySpec, *, red_flags: RedFlags = "some") -> st.SearchStrategy[dict]:
    """Complete findings for one visit: every non-input finding answered from its domain.

    ``red_flags``: ``"none"``, every red-flag question no; ``"some"``, all no except 0-3 (no red
    flag half the time, else a first one and up to two companions a category needs with it, such
    as fever with IV drug use); ``"any"``, each drawn freely. Under "none" and "some" the other
    findings red-flag categories read (foot drop, weakness, ...) are calm three times in four, so
    most visits are not escalations. Numbers favour the guards' thresholds (see `VisitReader`).

        @given(findings(spec, red_flags="none"))
        def test_calm_visits_are_not_urgent(answers): ...
    """
    reader = VisitReader(spec, red_flags)
    return st.binary(min_size=reader.size, max_size=reader.size).map(reader)


def ages(spec: PathwaySpec) -> st.SearchStrategy[int]:
    """Ages from the ``age`` input's domain, half the time one the guards mention (c-1, c, c+1) or an end."""
    age = spec.finding["age"]
    near = edges(age, guard_thresholds(spec).get("age", ()))
    return st.one_of(st.sampled_from(near), st.integers(age.minimum, age.maximum))


def visits(
    spec: PathwaySpec, *, max_visits: int = 6, red_flags: RedFlags = "some", max_gap: int = 8,
    follow_ups: bool = True,
) -> st.SearchStrategy[tuple[Visit, ...]]:
    """1..max_visits visits in week order: weeks start from 0 and grow by 0..max_gap each visit.

    With ``follow_ups`` (the default), a later visit keeps each answer of the visit before
    except one time in eight, as at a real review, while its red-flag answers are drawn afresh;
    so courses go on to the later states. Without, each visit is drawn as `findings` draws it.

        @given(visits(spec, max_visits=3))
        def test_runs(vs): engine.run(Patient(age=50, visits=vs))
    """
    reader = VisitReader(spec, red_flags)
    size = reader.follow_up_size
    week_cap = spec.finding["week"].maximum
    steps = st.tuples(st.integers(0, max_gap), st.binary(min_size=size, max_size=size))
    return st.lists(steps, min_size=1, max_size=max_visits).map(
        lambda drawn: _in_week_order(drawn, reader, week_cap, follow_ups)
    )


def _in_week_order(drawn, reader: VisitReader, week_cap: int, follow_ups: bool) -> tuple[Visit, ...]:
    week, previous, out = 0, None, []
    for gap, block in drawn:
        week = min(week + gap, week_cap)
        previous = reader(block, previous if follow_ups else None)
        out.append(Visit(week=week, findings=previous))
    return tuple(out)


def courses(spec: PathwaySpec, *, max_visits: int = 6, red_flags: RedFlags = "some") -> st.SearchStrategy[Patient]:
    """Whole patient courses (`pathway.Patient`): an age and 1..max_visits visits.

        @given(courses(spec, max_visits=4))
        def test_safe(patient):
            assert violations(spec, engine, patient) == []
    """
    return st.builds(Patient, age=ages(spec), visits=visits(spec, max_visits=max_visits, red_flags=red_flags))


def patient_data(patient: Patient) -> dict:
    """The patient as the JSON data `pathway.parse_patient` reads (e.g. to save a counterexample)."""
    data = {"age": patient.age, "visits": [{"week": v.week, "findings": dict(v.findings)} for v in patient.visits]}
    return {"id": patient.id, **data} if patient.id else data


# -- properties ---------------------------------------------------------------------------------


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


# -- search ------------------------------------------------------------------------------------


class _Found(Exception):
    def __init__(self, patient: Patient, problems: list[str]):
        super().__init__(problems[0])
        self.patient, self.problems = patient, problems


class _Probe:
    """Checks one course; after the first failure, spends at most ``budget`` runs on shrinking.

    Once the budget is spent, courses not yet seen count as passing and known failures still
    fail, so the shrinker stops at once yet Hypothesis sees consistent answers (no Flaky).
    """

    def __init__(self, spec: PathwaySpec, engine: Engine, budget: int):
        self.spec, self.engine, self.budget = spec, engine, budget
        self.failing: dict[str, list[str]] = {}
        self.shrink_runs = 0

    def check(self, patient: Patient) -> None:
        key = repr(patient) if self.failing else ""  # nothing to remember before the first failure
        problems = self.failing.get(key)
        if problems is None:
            if self.failing and self.shrink_runs >= self.budget:
                return
            self.shrink_runs += bool(self.failing)
            problems = violations(self.spec, self.engine, patient)
        if problems:
            self.failing[key or repr(patient)] = problems
            raise _Found(patient, problems)


def presentation_courses(spec: PathwaySpec) -> list[Patient]:
    """Short courses for each of the `presentations` (each red-flag category once for every
    finding or comparison its guard reads, then each pair of categories): at the first visit, at
    a review after a calm visit, and (where the vocabulary has `symptoms_resolved`) after the
    patient recovered, when a red flag brings them back. Each course's id names what it presents.

    `find_violation` tries these first, so every category is checked however the dice fall.
    """
    calm = baseline(spec)
    asked = [name for name in calm if not spec.finding[name].is_input]
    contradicts = [compile_guard(c.expr, {}) for c in spec.contradictions]
    out = []
    for categories, changes in presentations(spec):
        env = {**calm, **changes}
        answers, label = {n: env[n] for n in asked}, " and ".join(categories)
        week = max(env["week"], 2)
        out.append(Patient(env["age"], (Visit(env["week"], answers),), id=f"{label} at the first visit"))
        review = (Visit(0, {n: calm[n] for n in asked}), Visit(week, answers))
        out.append(Patient(env["age"], review, id=f"{label} at a review"))
        if "symptoms_resolved" in answers and not answers["symptoms_resolved"]:
            recovered = {**answers, "symptoms_resolved": True}
            if not any(c({**env, **recovered}) for c in contradicts):
                well = {**{n: calm[n] for n in asked}, "symptoms_resolved": True}
                out.append(Patient(env["age"], (*review[:1], Visit(1, well), Visit(week, recovered)),
                                   id=f"{label} after recovery"))
    return out


def find_violation(
    spec: PathwaySpec, *, max_examples: int = 200, seed: int = 0, max_visits: int = 4,
    reference: PathwaySpec | None = None, shrink_budget: int = 300, try_presentations: bool = True,
) -> tuple[Patient, list[str]] | None:
    """Search courses for one that breaks the properties of `violations`; None if none is found.

    Tries `presentation_courses` first (unless ``try_presentations`` is False), then
    ``max_examples`` random `courses` (0: none) of up to ``max_visits`` visits. Deterministic (same
    arguments, same answer) and uses no example database. A random course found is shrunk,
    within ``shrink_budget`` more runs, so it reads as a short story. ``reference`` gives the
    red-flag categories to judge by (default: ``spec``'s own), so that a mutant which weakens a
    category's definition is judged by the original's.

        found = find_violation(mutant, reference=spec)
        if found:
            patient, problems = found
    """
    oracle, engine = reference or spec, Engine(spec)
    for patient in presentation_courses(oracle) if try_presentations else ():
        problems = violations(oracle, engine, patient)  # already minimal: no need to shrink
        if problems:
            return patient, problems
    if max_examples < 1:
        return None  # presentations only
    probe = _Probe(oracle, engine, shrink_budget)
    config = settings(
        max_examples=max_examples, database=None, derandomize=True, deadline=None,
        suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
        phases=(Phase.generate, Phase.shrink) if shrink_budget > 0 else (Phase.generate,),
        verbosity=Verbosity.quiet, print_blob=False,
    )
    try:
        fixed_seed(seed)(config(given(courses(spec, max_visits=max_visits))(probe.check)))()
    except _Found as found:
        return found.patient, found.problems
    return None
