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

from ..answers import guard_thresholds
from .properties import red_flag_categories_present, violations, visit_problems
from .search import find_violation, presentation_courses
from .strategies import RedFlags, ages, courses, findings, patient_data, visits

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
