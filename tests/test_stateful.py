"""Stateful property test (Hypothesis): one patient, visit after visit, through the incremental
engine (`Engine.start`); after every visit the red-flag and urgency invariants must hold."""

import attrs
import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test,
)

from pathway import Engine, FellThrough, Urgency, example_patients, load_pathway, load_patient, shipped_pathway
from pathway.testing import ages, findings, red_flag_categories_present

SPEC = load_pathway(shipped_pathway())
ENGINE = Engine(SPEC)
HANDED_OVER = (Urgency.URGENT, Urgency.EMERGENCY)
GAPS = st.integers(min_value=0, max_value=8)  # weeks between visits


class PatientCourse(RuleBasedStateMachine):
    """Each rule is a visit with new findings; the invariants check where it left the patient."""

    engine = ENGINE  # the pathway under test; the red-flag categories (SPEC's) are the oracle

    def __init__(self):
        super().__init__()
        self.course = None
        self.week = 0
        self.last = None  # the last visit's trace
        self.env = None  # what the guards read at the last visit
        self.highest = None  # the most urgent state rested in so far, once urgent or emergency

    @initialize(age=ages(SPEC))
    def first_contact(self, age):
        self.course = self.engine.start(age)

    def ended(self):
        return self.engine.spec.state[self.course.state].terminal

    @precondition(lambda self: not self.ended())
    @rule(gap=GAPS, answers=findings(SPEC, red_flags="some"))
    def review(self, gap, answers):
        self._visit(gap, answers)

    @precondition(lambda self: not self.ended())
    @rule(gap=GAPS, answers=findings(SPEC, red_flags="none"))
    def review_without_red_flags(self, gap, answers):
        self._visit(gap, answers)

    @precondition(lambda self: self.ended())
    @rule(gap=GAPS, answers=findings(SPEC, red_flags="any"))
    def visit_after_the_pathway_ended(self, gap, answers):
        ended_in = self.course.state
        self._visit(gap, answers)
        assert self.course.state == ended_in and self.last.steps == ()

    def _visit(self, gap, answers):
        self.week += gap
        self.last = self.course.visit(self.week, answers)  # a FellThrough fails the test too
        self.env = {**answers, "age": self.course.age, "week": self.week}

    @invariant()
    def the_course_rests_where_the_last_visit_left_it(self):
        if self.last is not None:
            assert self.course.state == self.last.state

    @invariant()
    def red_flags_send_the_patient_urgently_with_allowed_imaging(self):
        if self.last is None:
            return
        start = self.engine.spec.state[self.last.start]
        if start.terminal or start.urgency in HANDED_OVER:
            return  # already handed over to another service
        now = self.engine.spec.state[self.course.state]
        for category in red_flag_categories_present(SPEC, self.env):
            assert now.urgency.rank >= category.min_urgency.rank, (
                f"week {self.week}: {category.name} needs {category.min_urgency.value}; "
                f"the patient rests in {now.id} ({now.urgency.value})")
            assert now.imaging in category.allowed_imaging, (
                f"week {self.week}: {category.name} allows {[i.value for i in category.allowed_imaging]}; "
                f"{now.id} orders {now.imaging.value}")

    @invariant()
    def urgency_never_goes_back_down(self):
        if self.last is None:
            return
        now = self.engine.spec.state[self.course.state].urgency
        if self.highest is not None:
            assert now.rank >= self.highest.rank, f"week {self.week}: from {self.highest.value} down to {now.value}"
        if now in HANDED_OVER and (self.highest is None or now.rank > self.highest.rank):
            self.highest = now

    def teardown(self):
        if self.course is not None:
            self.course.close()


# Real courses are a handful of visits, not the default fifty.
PatientCourse.TestCase.settings = settings(settings(), stateful_step_count=12)
TestPatientCourse = PatientCourse.TestCase


class WithoutInfectionEscalation(PatientCourse):
    engine = Engine(attrs.evolve(SPEC, transitions=tuple(
        t for t in SPEC.transitions if not t.id.startswith("escalate_infection@"))))


def test_the_machine_fails_on_a_pathway_without_the_infection_escalation():
    # Only that it fails matters here: no database, no shrinking.
    quick = settings(max_examples=300, database=None, derandomize=True, stateful_step_count=12, deadline=None,
                     phases=[Phase.generate])
    with pytest.raises(AssertionError, match="suspected_infection needs urgent"):
        run_state_machine_as_test(WithoutInfectionEscalation, settings=quick)


def test_an_incremental_course_matches_run_and_leaves_no_model_behind():
    patient = load_patient(example_patients()[3], SPEC)
    before = len(ENGINE.machine.models)
    with ENGINE.start(patient.age, patient.id) as course:
        assert course.state == SPEC.initial
        for visit in patient.visits:
            assert course.visit(visit.week, visit.findings).state == course.state
        assert len(ENGINE.machine.models) == before + 1
        trace = course.trace()
    assert trace == ENGINE.run(patient)
    assert len(ENGINE.machine.models) == before
    with pytest.raises(RuntimeError, match="closed"):
        course.visit(99, patient.visits[-1].findings)


def test_a_run_that_falls_through_still_removes_its_model():
    catch_all = "start_conservative_care"  # initial_assessment's "otherwise"
    gap = Engine(attrs.evolve(SPEC, transitions=tuple(t for t in SPEC.transitions if t.id != catch_all)))
    patient = load_patient(example_patients()[0], SPEC)
    with pytest.raises(FellThrough):
        gap.run(patient)
    assert gap.machine.models == []
