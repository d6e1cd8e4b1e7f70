"""Hypothesis strategies and safety properties for a pathway, for your own property tests.

    from hypothesis import given
    from pathway import Engine, load_pathway, shipped_pathway
    from pathway.testing import courses, violations

    spec = load_pathway(shipped_pathway())
    engine = Engine(spec)

    @given(courses(spec))
    def test_red_flags_always_escalate(patient):
        assert violations(spec, engine, patient) == []

The properties (see `violations`): a red-flag category present at a visit from a non-urgent
state sends the patient at least as urgently as the category demands, with imaging it allows;
no visit falls through a deciding state; urgency, once urgent, never goes back down.
"""

from __future__ import annotations

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
from .spec import Condition, PathwaySpec, Urgency
from .trace import VisitTrace
from .validate import baseline

__all__ = [
    "RedFlags",
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
_HANDED_OVER = (Urgency.URGENT, Urgency.EMERGENCY)


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


# -- properties --------------------------------------------------------------------------------

_CHECKS: dict[int, tuple[weakref.ref, list]] = {}


def _red_flag_checks(spec: PathwaySpec) -> list[tuple[Condition, object]]:
    # Keyed by identity: hashing a whole spec costs more than checking a visit. The weak
    # reference drops the entry with the spec, so mutant after mutant does not pile up.
    key = id(spec)
    hit = _CHECKS.get(key)
    if hit is None or hit[0]() is not spec:
        exprs = {c.name: c.expr for c in spec.conditions}
        checks = [(c, compile_guard(c.expr, exprs)) for c in spec.red_flags]
        hit = (weakref.ref(spec, lambda _: _CHECKS.pop(key, None)), checks)
        _CHECKS[key] = hit
    return hit[1]


def red_flag_categories_present(spec: PathwaySpec, env: Mapping[str, object]) -> list[Condition]:
    """The red-flag categories (``spec.red_flags``) that hold for a visit's env (findings, age, week)."""
    return [category for category, holds in _red_flag_checks(spec) if holds(env)]


def violations(spec: PathwaySpec, engine: Engine, patient: Patient) -> list[str]:
    """Run the course and say, in words, where it breaks the safety properties (``[]``: safe).

    ``spec`` holds the red-flag categories that define safety; ``engine`` runs the pathway under
    test (usually ``Engine(spec)``; a mutant's engine against the original spec also works).

    (a) At a visit that starts in a state neither terminal nor urgent/emergency, each red-flag
        category present needs the visit's urgency >= its ``min_urgency`` and the visit's
        imaging in its ``allowed_imaging``.
    (b) No visit falls through a deciding state (`FellThrough`).
    (c) Once the patient rests in an urgent or emergency state, no later visit rests in a
        less urgent one.
    """
    problems: list[str] = []
    with engine.start(patient.age, patient.id) as course:
        for visit in patient.visits:
            try:
                routed = course.visit(visit.week, visit.findings)
            except FellThrough as err:
                problems.append(f"{err} (FellThrough: the pathway has a gap there)")
                break
            problems += _escalation_problems(spec, engine.spec, visit.env(patient.age), routed)
        problems += _urgency_drops(engine.spec, course.trace().visits)
    return problems


def _escalation_problems(spec: PathwaySpec, system: PathwaySpec, env: dict, visit: VisitTrace) -> list[str]:
    start = system.state[visit.start]
    if start.terminal or start.urgency in _HANDED_OVER:
        return []  # already handed over: the escalations are not copied there
    problems = []
    for category in red_flag_categories_present(spec, env):
        slow = category.min_urgency is not None and visit.urgency.rank < category.min_urgency.rank
        imaging_wrong = bool(category.allowed_imaging) and visit.imaging not in category.allowed_imaging
        if slow or imaging_wrong:
            allowed = ", ".join(i.value for i in category.allowed_imaging) or "any"
            required = category.min_urgency.value if category.min_urgency else "any"
            problems.append(
                f"week {visit.week}: red-flag category {category.name} ({category.label}) held, "
                f"but the patient went {_path(visit)} with urgency {visit.urgency.value} and imaging "
                f"{visit.imaging.value}; required urgency {required} or higher and imaging one of: {allowed}"
            )
    return problems


def _path(visit: VisitTrace) -> str:
    if not visit.entered:
        return f"nowhere (stayed in {visit.state})"
    return " -> ".join((visit.start, *visit.entered))


def _urgency_drops(system: PathwaySpec, routed: tuple[VisitTrace, ...]) -> list[str]:
    problems, high = [], None  # high: the most urgent resting state so far, once urgent
    for visit in routed:
        urgency = system.state[visit.state].urgency
        if high is not None and urgency.rank < high[0].rank:
            problems.append(
                f"week {visit.week}: urgency went down from {high[0].value} ({high[2]}, week {high[1]}) "
                f"to {urgency.value} ({visit.state}); once urgent, a patient must not be stepped down"
            )
        if urgency in _HANDED_OVER and (high is None or urgency.rank > high[0].rank):
            high = (urgency, visit.week, visit.state)
    return problems


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
    """Two short courses for each of the `presentations` (each red-flag category once for every
    finding or comparison its guard reads, then each pair of categories): at the first visit, and
    at a review after a calm visit. Each course's id names what it presents.

    `find_violation` tries these first, so every category is checked however the dice fall.
    """
    calm = baseline(spec)
    asked = [name for name in calm if not spec.finding[name].is_input]
    out = []
    for categories, changes in presentations(spec):
        env = {**calm, **changes}
        answers, label = {n: env[n] for n in asked}, " and ".join(categories)
        out.append(Patient(env["age"], (Visit(env["week"], answers),), id=f"{label} at the first visit"))
        review = (Visit(0, {n: calm[n] for n in asked}), Visit(max(env["week"], 2), answers))
        out.append(Patient(env["age"], review, id=f"{label} at a review"))
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
