"""The shipped pathway: the vocabulary other tools rely on, citations, and red-flag safety rules."""

from pathlib import Path

import pathway
from pathway import Urgency, Waits

REPO = Path(__file__).resolve().parent.parent

BOOLEAN = ["true/false"]
VOCABULARY = {
    "pain_distribution": ["leg_dominant", "back_dominant"],
    **{name: BOOLEAN for name in (
        "pain_below_knee bilateral_leg_symptoms sensory_symptoms reflex_change foot_drop neurogenic_claudication "
        "disabling intervention_considered prior_lumbar_surgery hip_or_si_signs mri_contraindicated").split()},
    "weakness": ["none", "mild", "severe", "progressive"],
    "trend": ["improving", "stuck", "worse"],
    "conservative_care_weeks": ["0-520"],
    "mri_result": ["none", "concordant", "discordant", "normal"],
    "epidural_response": ["none", "lasting_relief", "temporary_relief", "no_relief"],
    "urgent_result": ["none", "confirmed", "excluded"],
    "specialist_opinion": ["none", "surgery", "no_surgery"],
}
RED_FLAG_QUESTIONS = (
    "bladder_dysfunction bowel_dysfunction saddle_anaesthesia sexual_dysfunction fever iv_drug_use immunosuppression "
    "recent_infection cancer_history unexplained_weight_loss night_pain major_trauma minor_trauma osteoporosis "
    "chronic_steroid_use"
).split()


def _domain(finding):
    if finding.type == "boolean":
        return BOOLEAN
    if finding.type == "enum":
        return list(finding.values)
    return [f"{finding.minimum}-{finding.maximum}"]


def test_the_import_names_resolve_inside_this_repository():
    # `pathway` is also the name of unrelated PyPI projects; a shadowing install must not go unnoticed.
    assert Path(pathway.__file__).resolve().parent == REPO / "pathway"


def test_vocabulary_has_exactly_the_agreed_names_and_values(spec):
    for name, values in VOCABULARY.items():
        assert _domain(spec.finding[name]) == values, name
    for name in RED_FLAG_QUESTIONS:
        finding = spec.finding[name]
        assert (_domain(finding), finding.red_flag, finding.required) == (BOOLEAN, True, True), name
    assert (spec.finding["age"].is_input, spec.finding["week"].is_input) == (True, True)


def test_every_finding_has_a_question_and_label(spec):
    assert [f.name for f in spec.findings if not (f.question and f.label)] == []


def test_every_state_and_transition_cites_a_known_reference(spec):
    cited = [s.citations for s in spec.states] + [t.citations for t in spec.transitions]
    assert all(cited)
    assert {c for cs in cited for c in cs} <= set(spec.reference)


def test_nine_escalations_screen_every_state_but_the_exits(spec):
    assert [c.name for c in spec.red_flags] == [
        "major_spinal_trauma", "suspected_cauda_equina", "infection_with_deficit", "spinal_cord_compression",
        "progressive_motor_deficit", "suspected_infection", "suspected_malignancy", "suspected_fracture", "fracture_risk",
    ]
    screening = {s.id for s in spec.states if not s.terminal}
    sources = {t.source for t in spec.transitions if t.escalation}
    # Every state but an exit screens; major trauma's work-up is already the most urgent care.
    assert sources == screening - {"emergency_trauma"}
    # the most urgent escalation screens every state but its own destination
    trauma = {t.source for t in spec.transitions if t.base_id == "escalate_major_trauma"}
    assert trauma == screening - {"emergency_trauma"}


def test_escalations_are_tried_before_every_other_transition(spec):
    for state in spec.states:
        kinds = [t.escalation for t in spec.outgoing(state.id)]
        assert kinds == sorted(kinds, reverse=True), state.id


def test_exits_are_handovers_naming_who_takes_over(spec):
    for state in spec.states:
        assert bool(state.receiving_service) == state.terminal, state.id
        if state.terminal:
            assert not spec.outgoing(state.id), state.id


def test_urgent_work_ups_have_a_timescale_and_step_down_only_on_their_result(spec):
    for state in spec.states:
        if state.urgency >= Urgency.URGENT and not state.terminal:
            assert state.within_hours and state.awaits == "urgent_result", state.id
            for t in spec.outgoing(state.id):
                if not t.escalation and spec.state[t.dest].urgency < state.urgency:
                    assert "urgent_result" in t.text, t.id


def test_states_that_wait_declare_how_long(spec):
    waiting = [s for s in spec.states if s.waits in (Waits.VISIT, Waits.RESULT) and s.urgency < Urgency.URGENT
               and not s.terminal and s.id != spec.initial]
    assert {s.id: s.review_within_weeks for s in waiting if not s.review_within_weeks or s.review_within_weeks > 4} == {}
    assert spec.state["discharged"].waits is Waits.RETURN


def test_the_safety_requirements_are_their_own_file_with_their_own_hash(spec):
    assert spec.safety is not None and spec.safety.source.endswith("safety.yaml")
    assert spec.safety.content_hash != spec.content_hash
    assert {c.name for c in spec.safety.categories} >= {"cauda_equina", "spinal_cord_compression", "spinal_infection"}


def test_content_hash_ignores_comments_and_layout(spec, tmp_path):
    import shutil

    copy = tmp_path / "pathway"
    shutil.copytree(pathway.shipped_pathway(), copy)
    states = copy / "states.yaml"
    states.write_text("# a reviewer's comment\n\n" + states.read_text())
    assert pathway.load_pathway(copy).content_hash == spec.content_hash
    states.write_text(states.read_text().replace("review in 2-4 weeks.", "review in 2 to 4 weeks."))
    assert pathway.load_pathway(copy).content_hash != spec.content_hash
    # The safety requirements are not part of the pathway's hash: they have their own.
    safety = copy / "safety.yaml"
    safety.write_text(safety.read_text().replace("    within_hours: 4\n", "    within_hours: 3\n"))
    changed = pathway.load_pathway(copy)
    assert changed.safety.content_hash != spec.safety.content_hash
    assert changed.content_hash == pathway.load_pathway(copy).content_hash
