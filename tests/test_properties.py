"""Property tests (Hypothesis): random courses through the shipped pathway keep the safety
properties, known presentations are pinned, and pathways broken on purpose are caught."""

import re

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pathway import (
    Engine, Patient, Visit, example_patients, load_pathway, load_patient, parse_patient,
    shipped_pathway,
)
from pathway.guards import Literal, Not, parse_guard
from pathway.testing import (
    courses, find_violation, findings, guard_thresholds, patient_data, presentation_courses,
    red_flag_categories_present, violations,
)
from pathway.validate import baseline

SPEC = load_pathway(shipped_pathway())
ENGINE = Engine(SPEC)
CALM = {name: value for name, value in baseline(SPEC).items() if not SPEC.finding[name].is_input}
STUCK = dict(trend="stuck", disabling=True)


def course(*visits, age=45):
    """A patient from (week, changes-from-calm) visits."""
    return Patient(age=age, visits=tuple(Visit(week, {**CALM, **changes}) for week, changes in visits))


# Known presentations: (course, the category it presents, where the patient must end up).
PINNED = {
    "cauda equina at the first visit": (
        course((0, dict(bladder_dysfunction=True, saddle_anaesthesia=True))),
        "cauda_equina", "emergency_ces"),
    "fever and IV drug use at a review": (
        course((1, STUCK), (4, dict(STUCK, fever=True, iv_drug_use=True))), "spinal_infection", "urgent_infection"),
    "cancer history with leg pain": (
        course((0, dict(cancer_history=True, pain_below_knee=True))), "spinal_cord_compression", "emergency_mscc"),
    "progressive weakness at reassessment": (
        course((1, STUCK), (6, dict(STUCK, conservative_care_weeks=6, weakness="progressive"))),
        "motor_deficit", "urgent_motor_deficit"),
    "two fracture risk factors at 75": (
        course((0, dict(minor_trauma=True, osteoporosis=True)), age=75), "suspected_fracture", "urgent_fracture"),
    "bladder dysfunction in urgent care for a motor deficit": (
        course((0, dict(weakness="progressive")), (1, dict(weakness="progressive", bladder_dysfunction=True))),
        "cauda_equina", "emergency_ces"),
    "saddle anaesthesia after discharge": (
        course((0, {}), (3, dict(symptoms_resolved=True, trend="improving")), (9, dict(saddle_anaesthesia=True))),
        "cauda_equina", "emergency_ces"),
}


def pinned(test):
    for patient, _, _ in PINNED.values():
        test = example(patient)(test)
    return test


@pinned
@given(courses(SPEC))
def test_random_courses_keep_the_safety_properties(patient):
    assert violations(SPEC, ENGINE, patient) == []


@pytest.mark.parametrize("name", PINNED)
def test_pinned_presentations_present_what_they_say(name):
    patient, category, destination = PINNED[name]
    last = patient.visits[-1]
    assert category in [c.name for c in red_flag_categories_present(SPEC, last.env(patient.age))]
    assert ENGINE.run(patient).final_state == destination


@pytest.mark.parametrize("path", example_patients(), ids=lambda p: p.stem)
def test_example_patients_keep_the_safety_properties(path):
    assert violations(SPEC, ENGINE, load_patient(path, SPEC)) == []


# -- the strategies --------------------------------------------------------------------------


@given(st.sampled_from(["some", "none", "any"]).flatmap(lambda mode: courses(SPEC, red_flags=mode)))
def test_drawn_courses_are_valid_patients(patient):
    assert parse_patient(patient_data(patient), SPEC) == patient
    weeks = [v.week for v in patient.visits]
    assert weeks == sorted(weeks) and 1 <= len(weeks) <= 6


@given(findings(SPEC, red_flags="none"))
def test_red_flags_none_answers_every_red_flag_no(answers):
    assert not any(answers[f.name] for f in SPEC.findings if f.red_flag)


@given(findings(SPEC, red_flags="some"))
def test_red_flags_some_raises_at_most_three(answers):
    assert sum(answers[f.name] is True for f in SPEC.findings if f.red_flag) <= 3


def test_thresholds_are_read_off_the_guards():
    thresholds = guard_thresholds(SPEC)
    assert {50, 70} <= set(thresholds["age"])  # age > 50 (malignancy), age > 70 (fracture)
    assert 6 in thresholds["conservative_care_weeks"]


def test_red_flag_categories_present():
    calm = {**CALM, "age": 45, "week": 0}
    assert red_flag_categories_present(SPEC, calm) == []
    present = red_flag_categories_present(SPEC, {**calm, "fever": True, "immunosuppression": True})
    assert [c.name for c in present] == ["spinal_infection"]


def test_presentation_courses_present_every_category_and_pair_they_name():
    named = []
    for patient in presentation_courses(SPEC):
        categories = re.sub(r" (at the first visit|at a review|after recovery)$", "", patient.id).split(" and ")
        present = [c.name for c in red_flag_categories_present(SPEC, patient.visits[-1].env(patient.age))]
        assert set(categories) <= set(present), patient.id
        assert patient.visits[0].findings == CALM or len(patient.visits) == 1
        named.append(tuple(categories))
    singles = {c for (c, *rest) in named if not rest}
    assert singles == {c.name for c in SPEC.safety.categories}
    assert len(set(named)) > len(singles)  # and pairs of them


# -- the properties catch broken pathways ------------------------------------------------------


def mutant(picks, change=None, spec=SPEC):
    """A new spec (so fresh caches) with the transitions ``picks`` accepts (by id) changed by
    ``change``, or removed when ``change`` is None."""
    kept = [t if not picks(t.id) else change(t) if change else None for t in spec.transitions]
    return attrs.evolve(spec, transitions=tuple(t for t in kept if t is not None))


def every_copy(escalation):
    return lambda transition_id: transition_id.startswith(f"{escalation}@")


def negate(t):
    return attrs.evolve(t, expr=Not(t.expr))


def to_conservative_care(t):
    return attrs.evolve(t, dest="conservative_care")


def after_own_transitions(t):
    return attrs.evolve(t, escalation=False, priority=99)


MUTANTS = {  # name: (broken pathway, the category a counterexample must name)
    "cauda equina escalation removed": (mutant(every_copy("escalate_cauda_equina")), "cauda_equina"),
    "malignancy escalation negated": (mutant(every_copy("escalate_malignancy"), negate), "malignancy_"),
    "infection escalation from onset retargeted": (
        mutant(lambda i: i == "escalate_infection@onset", to_conservative_care), "spinal_infection"),
    "fracture escalation tried last": (
        mutant(every_copy("escalate_suspected_fracture"), after_own_transitions), "suspected_fracture"),
    "trauma escalation removed": (mutant(every_copy("escalate_major_trauma")), "major_trauma"),
    "urgent motor deficit no longer screens": (
        mutant(lambda i: i.startswith("escalate_") and i.endswith("@urgent_motor_deficit")), "cauda_equina"),
    "discharge no longer screens": (mutant(lambda i: i.startswith("escalate_") and i.endswith("@discharged")), ""),
}


def test_the_shipped_pathway_has_no_violation():
    assert find_violation(SPEC) is None


# Random courses rarely recover and then meet a red flag while still well: the presentations
# (and the exhaustive check) find that one.
RARE_FOR_RANDOM_COURSES = {"discharge no longer screens"}


@pytest.mark.parametrize("name", MUTANTS)
@pytest.mark.parametrize("try_presentations", [True, False], ids=["presentations first", "random courses only"])
def test_find_violation_catches_the_mutant_and_names_the_category(name, try_presentations):
    if not try_presentations and name in RARE_FOR_RANDOM_COURSES:
        return
    broken, category = MUTANTS[name]
    found = find_violation(broken, try_presentations=try_presentations)
    assert found is not None, f"{name}: no counterexample"
    patient, problems = found
    assert any(f"red-flag category {category}" in p for p in problems), problems
    assert problems == violations(SPEC, Engine(broken), patient)  # the course replays


def test_every_finding_a_category_reads_is_presented_as_the_one_that_tips_it():
    # The MSCC escalation without `pain_below_knee`: only a back-dominant pain below the knee,
    # with no neurology, tells it apart - three answers away from a calm visit.
    weakened = parse_guard('(cancer_history or cancer_suspected) and (pain_distribution == "leg_dominant" '
                           'or neuro_deficit or bilateral_leg_symptoms)')
    broken = mutant(every_copy("escalate_cord_compression"), lambda t: attrs.evolve(t, expr=weakened))
    patient, problems = find_violation(broken, max_examples=0)
    assert patient.id == "spinal_cord_compression at the first visit"
    assert {k for k, v in patient.visits[0].findings.items() if v != CALM[k]} == {
        "cancer_history", "pain_distribution", "pain_below_knee"}
    assert "red-flag category spinal_cord_compression" in problems[0]


def test_a_random_counterexample_is_shrunk_to_a_short_story():
    broken, _ = MUTANTS["malignancy escalation negated"]
    patient, problems = find_violation(broken, try_presentations=False)
    assert len(patient.visits) == 1
    changed = {k for k, v in patient.visits[0].findings.items() if v != CALM[k]}
    assert len(changed) <= 3, changed
    assert problems[0].startswith(f"week {patient.visits[0].week}: red-flag category malignancy_")
    assert "required urgent care within 7 days" in problems[0] and "conservative_care" in problems[0]


def test_find_violation_is_deterministic():
    broken, _ = MUTANTS["fracture escalation tried last"]
    assert find_violation(broken, try_presentations=False) == find_violation(broken, try_presentations=False)


def test_escalations_at_deciding_states_are_a_second_line():
    # A visit never starts in a deciding state such as the initial assessment: every state it is
    # entered from tries the same escalations first, with the same findings. So a broken copy
    # there alone changes nothing any course can show (an equivalent mutant) ...
    retargeted = mutant(lambda i: i == "escalate_infection@initial_assessment", to_conservative_care)
    assert find_violation(retargeted) is None
    # ... until the first line fails too: then that copy is what the patient meets.
    both = mutant(lambda i: i == "escalate_infection@onset", spec=retargeted)
    _, problems = find_violation(both)
    assert "red-flag category spinal_infection" in problems[0]
    assert "onset -> initial_assessment -> conservative_care" in problems[0]


def test_violations_names_a_fall_through():
    gap = mutant(lambda i: i == "start_conservative_care")  # the catch-all of initial_assessment
    problems = violations(SPEC, Engine(gap), course((0, {})))
    assert problems == [
        "week 0: no transition from `initial_assessment` applies to these findings "
        "(FellThrough: the pathway has a gap there)"
    ]


def test_violations_names_a_step_down_in_urgency():
    # Urgent care for infection with a way back to conservative care before the result is in.
    back = attrs.evolve(next(t for t in SPEC.transitions if t.id == "scheduled_review"),
                        id="back_to_care", source="urgent_infection", dest="conservative_care", expr=Literal(True),
                        priority=0)
    relapsing = attrs.evolve(SPEC, transitions=SPEC.transitions + (back,))
    patient = course((0, dict(fever=True, recent_infection=True)), (3, {}))
    assert violations(SPEC, Engine(relapsing), patient) == [
        ("week 3: urgency went down from urgent (urgent_infection) to none (conservative_care) before the work-up's "
         "result; once urgent, a patient steps down only on the result")
    ]
    result_in = course((0, dict(fever=True)), (3, dict(urgent_result="excluded")))
    assert violations(SPEC, ENGINE, result_in) == []
