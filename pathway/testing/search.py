"""The search for a course that breaks the safety properties: the red-flag presentations first,
then random courses, a failure shrunk within a budget."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as fixed_seed

from ..engine import Engine
from ..guards import compile_guard
from ..patients import Patient, Visit
from ..presentations import presentations
from ..spec import PathwaySpec
from ..validate import baseline
from .properties import violations
from .strategies import courses


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
