"""Hypothesis strategies for a pathway's patients: one visit's findings, ages, visits in week
order and whole courses; and a patient as the JSON data `pathway.parse_patient` reads."""

from __future__ import annotations

from typing import Literal

from hypothesis import strategies as st

from ..answers import edges, guard_thresholds
from ..patients import Patient, Visit
from ..spec import PathwaySpec
from ..visit_bytes import VisitReader

RedFlags = Literal["some", "none", "any"]


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
