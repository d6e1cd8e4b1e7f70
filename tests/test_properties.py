"""Property tests (Hypothesis): random courses through the shipped pathway keep the safety
properties, known presentations are pinned, and pathways broken on purpose are caught."""

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pathway import (
    Engine, Patient, Visit, example_patients, load_pathway, load_patient, parse_patient,
    shipped_pathway,
)
from pathway.guards import Literal, Not, parse_guard
from pathway.spec import Waits
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
        "suspected_cauda_equina", "emergency_ces"),
    "fever and IV drug use at a review": (
        course((1, STUCK), (4, dict(STUCK, fever=True, iv_drug_use=True))), "suspected_infection", "urgent_infection"),
    "cancer history with leg pain": (
        course((0, dict(cancer_history=True, pain_below_knee=True))), "cancer_with_neuro_signs", "emergency_mscc"),
    "progressive weakness at reassessment": (
        course((1, STUCK), (6, dict(STUCK, conservative_care_weeks=6, weakness="progressive"))),
        "progressive_motor_deficit", "urgent_motor_deficit"),
    "two fracture risk factors at 75": (
        course((0, dict(minor_trauma=True, osteoporosis=True)), age=75), "fracture_risk", "urgent_fracture"),
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
    assert [c.name for c in present] == ["suspected_infection"]


def test_presentation_courses_present_every_category_and_pair_they_name():
    named = []
    for patient in presentation_courses(SPEC):
        categories = patient.id.rsplit(" at ", 1)[0].split(" and ")
        present = [c.name for c in red_flag_categories_present(SPEC, patient.visits[-1].env(patient.age))]
        assert set(categories) <= set(present), patient.id
        assert patient.visits[0].findings == CALM or len(patient.visits) == 1
        named.append(tuple(categories))
    singles = {c for (c, *rest) in named if not rest}
    assert singles == {c.name for c in SPEC.red_flags}
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
    "cauda equina escalation removed": (mutant(every_copy("escalate_cauda_equina")), "suspected_cauda_equina"),
    "malignancy escalation negated": (mutant(every_copy("escalate_malignancy"), negate), "suspected_malignancy"),
    "infection escalation from onset retargeted": (
        mutant(lambda i: i == "escalate_infection@onset", to_conservative_care), "suspected_infection"),
    "fracture escalation tried last": (mutant(every_copy("escalate_fracture"), after_own_transitions), "fracture_risk"),
    "trauma escalation removed": (mutant(every_copy("escalate_major_trauma")), "major_spinal_trauma"),
}


def test_the_shipped_pathway_has_no_violation():
    assert find_violation(SPEC) is None


@pytest.mark.parametrize("name", MUTANTS)
@pytest.mark.parametrize("try_presentations", [True, False], ids=["presentations first", "random courses only"])
def test_find_violation_catches_the_mutant_and_names_the_category(name, try_presentations):
    broken, category = MUTANTS[name]
    found = find_violation(broken, try_presentations=try_presentations)
    assert found is not None, f"{name}: no counterexample"
    patient, problems = found
    assert any(f"red-flag category {category} " in p for p in problems), problems
    assert problems == violations(SPEC, Engine(broken), patient)  # the course replays


def test_every_finding_a_category_reads_is_presented_as_the_one_that_tips_it():
    # The MSCC escalation without `pain_below_knee`: only a back-dominant pain below the knee,
    # with no neurology, tells it apart - three answers away from a calm visit.
    weakened = parse_guard('cancer_history and (pain_distribution == "leg_dominant" or neuro_deficit)')
    broken = mutant(every_copy("escalate_mscc"), lambda t: attrs.evolve(t, expr=weakened))
    patient, problems = find_violation(broken, max_examples=0)
    assert patient.id == "cancer_with_neuro_signs at the first visit"
    assert {k for k, v in patient.visits[0].findings.items() if v != CALM[k]} == {
        "cancer_history", "pain_distribution", "pain_below_knee"}
    assert "red-flag category cancer_with_neuro_signs" in problems[0]


def test_a_random_counterexample_is_shrunk_to_a_short_story():
    broken, _ = MUTANTS["malignancy escalation negated"]
    patient, problems = find_violation(broken, try_presentations=False)
    assert len(patient.visits) == 1
    changed = {k for k, v in patient.visits[0].findings.items() if v != CALM[k]}
    assert len(changed) <= 3, changed
    assert problems[0].startswith(f"week {patient.visits[0].week}: red-flag category suspected_malignancy")
    assert "required urgency urgent or higher" in problems[0] and "conservative_care" in problems[0]


def test_find_violation_is_deterministic():
    broken, _ = MUTANTS["fracture escalation tried last"]
    assert find_violation(broken, try_presentations=False) == find_violation(broken, try_presentations=False)


def test_escalations_at_deciding_states_are_a_second_line():
    # A visit never starts in a deciding state such as reassessment: the state it starts in
    # tries the same escalations first, with the same findings. So a broken copy at
    # reassessment alone changes nothing any course can show (an equivalent mutant) ...
    retargeted = mutant(lambda i: i == "escalate_infection@reassessment", to_conservative_care)
    assert find_violation(retargeted) is None
    # ... until the first line fails too: then that copy is what the patient meets.
    both = mutant(lambda i: i == "escalate_infection@conservative_care", spec=retargeted)
    _, problems = find_violation(both)
    assert "red-flag category suspected_infection" in problems[0]
    assert "conservative_care -> reassessment -> conservative_care" in problems[0]


def test_violations_names_a_fall_through():
    gap = mutant(lambda i: i == "start_conservative_care")  # the catch-all of initial_assessment
    problems = violations(SPEC, Engine(gap), course((0, {})))
    assert problems == [
        "week 0: no transition from `initial_assessment` applies to these findings "
        "(FellThrough: the pathway has a gap there)"
    ]


def test_violations_names_a_step_down_in_urgency():
    # An urgent state made non-terminal with a way back to conservative care.
    states = tuple(attrs.evolve(s, terminal=False, waits=Waits.VISIT) if s.id == "urgent_infection" else s
                   for s in SPEC.states)
    back = attrs.evolve(next(t for t in SPEC.transitions if t.id == "scheduled_review"),
                        id="back_to_care", source="urgent_infection", dest="conservative_care", expr=Literal(True))
    relapsing = attrs.evolve(SPEC, states=states, transitions=SPEC.transitions + (back,))
    patient = course((0, dict(fever=True, recent_infection=True)), (3, {}))
    assert violations(SPEC, Engine(relapsing), patient) == [
        ("week 3: urgency went down from urgent (urgent_infection, week 0) to none (conservative_care); "
         "once urgent, a patient must not be stepped down")
    ]
