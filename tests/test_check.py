"""`sciatica check`: the shipped pathway passes every property, and a broken copy of it fails the
property it breaks, with the smallest patient story that shows it.

Each broken pathway is the shipped one with one readable edit (tests/edits.py).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from edits import broken_copy, replace

from pathway import Engine, FellThrough, load_pathway, shipped_pathway
from pathway.cli import main
from pathway.testing import ages, findings
from pathway.verify import Model, check_pathway, find_story, report_text
from pathway.verify.domains import abstract_domains

T, S, C, I, R = "transitions.yaml", "states.yaml", "conditions.yaml", "imaging.yaml", "safety.yaml"
ALL = "1,2,3,4,5,6,7,8,9,10"

# The hazards the clinical safety audit found in the earlier pathway, each as a fixture: the edit
# that brings it back. (edit(s), property, words the failure must contain, words the story must contain)
HAZARDS = [
    pytest.param(
        # Cauda equina tried last among the escalations: urgent care for a motor deficit, which
        # escalations tried later do not screen, no longer sends a new cauda equina onwards.
        [replace(T, "    priority: 2\n    rationale: Suspected cauda equina syndrome - immediate emergency department referral "
                    "for MRI within 4 hours.\n    citation: [girft-ces-2023, girft-ces-mri-4h]\n    outranks: [escalate_motor_deficit, "
                    "escalate_infection, escalate_malignancy, escalate_suspected_fracture, escalate_fracture_risk]\n",
                 "    priority: 12\n    rationale: Suspected cauda equina syndrome - immediate emergency department referral "
                 "for MRI within 4 hours.\n    citation: [girft-ces-2023, girft-ces-mri-4h]\n")],
        1, "suspected cauda equina syndrome at a visit from `urgent_motor_deficit` can end in",
        ["saddle anaesthesia", "Urgent - severe or progressive motor deficit (stays)"],
        id="urgent-care-ignores-a-new-red-flag",
    ),
    pytest.param(
        [replace(T, "    when: infection_with_deficit\n", "    when: infection_with_deficit and false\n")],
        1, "suspected spinal infection with an objective neurological deficit at a visit from `onset` can end in",
        ["recent infection", "needs emergency care within 12 hours"],
        id="infection-with-a-deficit-routed-as-urgent",
    ),
    pytest.param(
        [replace(I, "    when: mri_contraindicated\n    becomes: ct\n", "    when: mri_contraindicated and false\n    becomes: ct\n")],
        9, "although no MRI when MRI is contraindicated",
        ["MRI contraindicated"],
        id="mri-ordered-when-contraindicated",
    ),
    pytest.param(
        [replace(I, "    when: suspected_infection or suspected_malignancy or spinal_cord_compression or prior_lumbar_surgery\n",
                 "    when: suspected_malignancy or spinal_cord_compression or prior_lumbar_surgery\n")],
        1, "suspected spinal infection with an objective neurological deficit at a visit from `onset` can end in `emergency_ces`",
        ["recent infection", "MRI without and with contrast"],
        id="contrast-missing-where-required",
    ),
    pytest.param(
        [replace(T, "    when: not intervention_considered and epidural_response == \"none\"\n",
                 "    when: not intervention_considered and epidural_response == \"none\" and false\n")],
        7, "goes on towards an injection or surgery for a patient who no longer considers them",
        ["not considering injection or surgery", "Epidural steroid injection"],
        id="consent-ignored",
    ),
    pytest.param(
        [replace(R, "  severe_deficit: weakness in [\"severe\", \"progressive\"] or foot_drop\n",
                 "  severe_deficit: weakness in [\"severe\", \"progressive\"]\n"),
         replace(R, "Severe or progressive weakness or foot drop needs", "Severe or progressive weakness needs")],
        10, "no longer demanded in full", ["foot drop"],
        id="safety-requirement-weakened",
    ),
]

# Each property can fail: one readable edit apiece.
BROKEN = HAZARDS + [
    pytest.param(
        [replace(T, "    when: urgent_result == \"excluded\"\n", "    when: \"true\"\n")],
        2, "`work_up_excluded` leaves emergency state `emergency_trauma` for `reassessment`", [],
        id="2-way-back-down",
    ),
    pytest.param(
        [replace(T, "    outranks:\n      - scan_in_hand\n", "    outranks:\n")],
        3, "at `reassessment`, `recovered` and `scan_in_hand` both hold",
        ["symptoms resolved; MRI result: concordant", "`recovered`"],
        id="3-undeclared-overlap",
    ),
    pytest.param(
        [replace(T, "    to: surgical_referral\n    when: \"true\"\n    priority: 11\n",
                 "    to: surgical_referral\n    when: trend == \"worse\"\n    priority: 11\n")],
        4, "`imaging_review` decides at once, but no transition applies",
        ["MRI result: concordant", "the engine stops: week"],
        id="4-fall-through",
    ),
    pytest.param(
        [replace(T, "    to: stay\n    when: xray_result == \"none\"\n    priority: 1\n    rationale: The X-ray result is not back yet.",
                 "    to: stay\n    when: \"true\"\n    priority: 1\n    rationale: Waits.")],
        5, "no patient ever reaches `urgent_abnormal_xray`", [],
        id="5-unreachable",
    ),
    pytest.param(
        [replace(S, "    waits: visit\n    review_within_weeks: 4\n", "    waits: visit\n    review_within_weeks: 6\n")],
        6, "`conservative_care` waits with review_within_weeks 6; a routine review is due within 4 weeks", [],
        id="6-review-too-late",
    ),
    pytest.param(
        [replace(S, "    awaits: urgent_result\n    within_hours: 4\n", "    awaits: urgent_result\n")],
        6, "`emergency_ces` is emergency care with no timescale", [],
        id="6-no-timescale",
    ),
    pytest.param(
        [replace(T, "    to: reassessment\n    when: \"true\"\n    priority: 1\n    rationale: Conservative care is reviewed",
                 "    to: reassessment\n    when: trend != \"improving\"\n    priority: 1\n    rationale: Conservative care is reviewed")],
        6, "a visit to `conservative_care` passes without any decision",
        ["trend: improving", "path: Conservative care (no transition applied"],
        id="6-no-review",
    ),
    pytest.param(
        [replace(T, "    when: neurogenic_claudication\n    priority: 8\n", "    when: neurogenic_claudication\n    priority: 12\n")],
        7, "offers an epidural for neurogenic claudication", ["neurogenic claudication", "`epidural_for_acute_severe`"],
        id="7-epidural-for-claudication",
    ),
    pytest.param(
        [replace(C, "      and intervention_considered and mri_result == \"none\"\n", "      and mri_result == \"none\"\n"),
         replace(C, "      disabling leg-dominant or claudicant symptoms, considering injection or surgery, no scan yet)",
                 "      disabling leg-dominant or claudicant symptoms, no scan yet)")],
        7, "orders a scan for a patient without red flags who would not consider injection or surgery",
        ["`scan_would_change_management`"],
        id="7-scan-without-intervention",
    ),
]


@pytest.fixture(scope="module")
def shipped_report(spec):
    return check_pathway(spec)


def test_the_shipped_pathway_passes_every_property(shipped_report, spec):
    assert [(v.number, v.holds) for v in shipped_report.verdicts] == [(n, True) for n in range(1, 11)]
    assert all(v.cases > 0 for v in shipped_report.verdicts if v.number != 10)
    certificate = shipped_report.certificate()
    assert spec.content_hash in certificate and f"properties {ALL} hold" in certificate
    assert f"safety requirements sha256:{spec.safety.content_hash} (the baseline's)" in certificate


def test_every_overlap_is_listed_with_its_reason(shipped_report):
    overlaps = shipped_report.verdicts[2].overlaps
    assert {o.status for o in overlaps} == {"declared", "otherwise", "red flags outrank", "same urgency"}
    recovered = next(o for o in overlaps if (o.first, o.second) == ("recovered", "scan_in_hand"))
    assert recovered.status == "declared"
    assert recovered.example["symptoms_resolved"] is True and recovered.example["mri_result"] != "none"


@pytest.mark.parametrize(("edits", "number", "message", "story_words"), BROKEN)
def test_a_broken_pathway_fails_its_property_with_a_story(tmp_path, edits, number, message, story_words):
    report = check_pathway(load_pathway(broken_copy(tmp_path, *edits)))
    verdict = report.verdicts[number - 1]
    assert not verdict.holds and not report.holds
    failure = next((f for f in verdict.failures if message in f.message), None)
    assert failure is not None, [f.message for f in verdict.failures]
    text = report_text(report, stories=len(verdict.failures))
    assert "DO NOT all hold" in text
    for words in story_words:
        assert words in text
    if story_words:  # the story is a real course: the engine, run on it, does what the checker says
        story = find_story(report.model, failure)
        assert story is not None and len(story.patient.visits) >= 1


def test_a_red_flag_story_is_the_smallest_course(tmp_path):
    edit = replace(T, "    to: urgent_infection\n    when: suspected_infection\n",
                   "    to: urgent_infection\n    when: suspected_infection and not immunosuppression\n")
    report = check_pathway(load_pathway(broken_copy(tmp_path, edit)))
    failure = report.verdicts[0].failures[0]
    story = find_story(report.model, failure)
    last = story.patient.visits[-1].findings
    assert len(story.patient.visits) == 1  # from onset: the first visit already shows it
    assert [n for n, v in last.items() if v is True] == ["immunosuppression"]
    assert story.trace.visits[-1].urgency.value == "none"  # the engine agrees: not escalated


def test_a_weakened_requirement_never_passes_and_a_stronger_one_is_noted(tmp_path):
    weaker = broken_copy(tmp_path / "weaker", replace(R, "    min_urgency: urgent\n    within_hours: 24\n    imaging: [mri, mri_with_contrast]\n",
                                                      "    min_urgency: routine\n    within_hours: 24\n    imaging: [mri, mri_with_contrast]\n"))
    report = check_pathway(load_pathway(weaker))
    assert not report.holds and report.requirements_changed and "CHANGED from baseline" in report.certificate()
    stronger = broken_copy(tmp_path / "stronger", replace(R, "    within_hours: 168\n    imaging: [xray, ct, ct_with_contrast",
                                                          "    within_hours: 24\n    imaging: [xray, ct, ct_with_contrast"))
    report = check_pathway(load_pathway(stronger))
    assert report.requirements_changed and not report.verdicts[9].failures
    assert "demand no less: the change needs sign-off" in report.verdicts[9].notes[0]
    assert not report.verdicts[0].holds  # the pathway does not yet give what the stronger requirement asks


def test_integers_are_cut_at_the_thresholds_the_guards_mention(spec):
    domains = abstract_domains(spec)
    assert [c.text for c in domains["age"].cells] == ["16 to 50", "51 to 70", "71 to 120"]
    assert [c.text for c in domains["week"].cells] == ["0 to 2", "3 only", "4 to 12", "13 to 520"]
    assert [c.text for c in domains["conservative_care_weeks"].cells] == ["0 to 1", "2 to 5", "6 to 520"]


def test_cli_check_passes_and_prints_the_certificate(spec):
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert f"sha256:{spec.content_hash}" in result.output
    assert result.output.count(" holds ") == 10


def test_cli_check_fails_with_a_story_and_draws_it(tmp_path):
    folder = broken_copy(tmp_path, replace(T, "    when: infection_with_deficit\n", "    when: infection_with_deficit and false\n"))
    picture = tmp_path / "counterexample.dot"
    result = CliRunner().invoke(main, ["check", str(folder), "--diagram", str(picture)])
    assert result.exit_code == 1
    assert "Property 1 fails" in result.output and "smallest patient story" in result.output
    assert "Urgent - severe or progressive motor deficit" in picture.read_text()


def test_cli_check_json(tmp_path):
    result = CliRunner().invoke(main, ["check", "--json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["holds"] is True
    assert [p["number"] for p in data["properties"]] == list(range(1, 11))
    assert data["safety_requirements"]["content_hash"] == load_pathway(shipped_pathway()).safety.content_hash


def test_cli_check_reports_a_pathway_that_does_not_load(tmp_path):
    folder = broken_copy(tmp_path, replace(T, "    outranks:\n      - scan_in_hand\n", "    outranks:\n      - scan_in_hnd\n"))
    result = CliRunner().invoke(main, ["check", str(folder)])
    assert result.exit_code == 1
    assert "says it outranks unknown transition `scan_in_hnd`; did you mean `scan_in_hand`?" in result.output


# -- the checker models the engine -----------------------------------------------------------------

SHIPPED = load_pathway(shipped_pathway())
MODEL, ENGINE = Model(SHIPPED), Engine(SHIPPED)
STARTS = [s.id for s in SHIPPED.states]


@given(st.sampled_from(STARTS), findings(SHIPPED, red_flags="some"), ages(SHIPPED), st.integers(0, 40))
def test_every_visit_the_engine_makes_is_the_one_outcome_the_checker_predicts(start, answers, age, week):
    sym = MODEL.sym
    point = sym.all_of(sym.value_is(name, value) for name, value in {**answers, "age": age, "week": week}.items())
    predicted = [o for o in MODEL.visits.outcomes(start) if not sym.empty(o.region & point)]
    assert len(predicted) == 1  # the outcomes partition every case
    outcome = predicted[0]
    with ENGINE.start(age, at=start) as course:
        try:
            visit = course.visit(week, answers)
        except FellThrough:
            assert outcome.fell_through
            return
    assert not outcome.fell_through
    assert (visit.state, visit.entered) == (outcome.rest, outcome.entered)
    assert visit.urgency == MODEL.visits.urgency(outcome)
    orders = [order for region, order in MODEL.visits.orders(visit.state) if not sym.empty(region & point)]
    assert course.pending == (orders[0] if orders else course.pending) and len(orders) <= 1
    if visit.state in visit.entered:  # a new order: the one the checker predicts for these findings
        assert visit.imaging == (orders[0] if orders else visit.imaging)
