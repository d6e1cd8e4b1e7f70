"""Stateful property test (Hypothesis): one patient, visit after visit, through the incremental
engine (`Engine.start`); after every visit the safety invariants of `pathway.testing` must hold,
whatever state the patient was in: urgent care, discharge and the visit after a handover included."""

import attrs
import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test,
)

from pathway import Engine, FellThrough, example_patients, load_pathway, load_patient, shipped_pathway
from pathway.testing import ages, findings, visit_problems

SPEC = load_pathway(shipped_pathway())
ENGINE = Engine(SPEC)
GAPS = st.integers(min_value=0, max_value=8)  # weeks between visits


class PatientCourse(RuleBasedStateMachine):
    """Each rule is a visit with new findings; the invariants check where it left the patient."""

    engine = ENGINE  # the pathway under test; the red-flag categories (SPEC's) are the oracle

    def __init__(self):
        super().__init__()
        self.course = None
        self.week = 0
        self.before = None  # where the patient rested before the last visit
        self.last = None  # the last visit's trace
        self.env = None  # what the guards read at the last visit

    @initialize(age=ages(SPEC))
    def first_contact(self, age):
        self.course = self.engine.start(age)

    def handed_over(self):
        return self.engine.spec.state[self.course.state].terminal

    @precondition(lambda self: not self.handed_over())
    @rule(gap=GAPS, answers=findings(SPEC, red_flags="some"))
    def review(self, gap, answers):
        self._visit(gap, answers)

    @precondition(lambda self: not self.handed_over())
    @rule(gap=GAPS, answers=findings(SPEC, red_flags="none"))
    def review_without_red_flags(self, gap, answers):
        self._visit(gap, answers)

    @precondition(lambda self: self.handed_over())
    @rule(gap=GAPS, answers=findings(SPEC, red_flags="any"))
    def seen_again_after_a_handover(self, gap, answers):
        self._visit(gap, answers)
        assert self.last.new_episode and self.last.start == SPEC.initial

    def _visit(self, gap, answers):
        self.week += gap
        self.before = self.course.state
        self.last = self.course.visit(self.week, answers)  # a FellThrough fails the test too
        self.env = {**answers, "age": self.course.age, "week": self.week}

    @invariant()
    def the_course_rests_where_the_last_visit_left_it(self):
        if self.last is not None:
            assert self.course.state == self.last.state

    @invariant()
    def red_flags_get_the_care_they_need_and_urgent_care_steps_down_only_on_a_result(self):
        if self.last is not None:
            assert visit_problems(SPEC, self.engine, self.before, self.env, self.last, self.course.pending) == []

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
    with pytest.raises(AssertionError, match="red-flag category spinal_infection"):
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
