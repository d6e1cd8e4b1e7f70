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

T, S, C = "transitions.yaml", "states.yaml", "conditions.yaml"

# (edit(s), property number, words the failure message must contain, words the story must contain)
BROKEN = [
    pytest.param(
        [replace(T, "    to: urgent_infection\n    when: suspected_infection\n",
                 "    to: urgent_infection\n    when: suspected_infection and not immunosuppression\n")],
        1, "suspected spinal infection at a visit from `onset`", ["fever; immunosuppression", "`start_conservative_care`"],
        id="1-red-flag-guard-weakened",
    ),
    pytest.param(
        [replace(T, "    when: progressive_motor_deficit\n    priority: 4\n", "    when: progressive_motor_deficit\n    priority: 8\n")],
        1, "severe or progressive motor deficit in the leg at a visit from `onset` can end in `urgent_fracture`",
        ["weakness: progressive", "`escalate_fracture@onset`"],
        id="1-red-flag-priority-swapped",
    ),
    pytest.param(
        [replace(S, "    care_step: urgent_specialist\n    terminal: true\n    description: X-ray first",
                 "    care_step: urgent_specialist\n    waits: result\n    description: X-ray first"),
         replace(T, "\n  # -- X-ray for weaker",
                 "\n  - id: fracture_excluded\n    from: urgent_fracture\n    to: conservative_care\n"
                 "    when: xray_result == \"normal\"\n    priority: 1\n    rationale: No fracture.\n"
                 "    citation: acr-2021-v6\n\n  # -- X-ray for weaker")],
        2, "`fracture_excluded` leaves urgent state `urgent_fracture` for `conservative_care`",
        ["Urgent - suspected vertebral fracture -> Conservative care"],
        id="2-way-back-down",
    ),
    pytest.param(
        [replace(T, "    outranks:\n      - scan_in_hand\n", "    outranks:\n")],
        3, "at `reassessment`, `recovered` and `scan_in_hand` both hold",
        ["symptoms resolved; MRI result: concordant", "`recovered`"],
        id="3-undeclared-overlap",
    ),
    pytest.param(
        [replace(T, "    to: surgical_referral\n    when: \"true\"\n    priority: 7\n",
                 "    to: surgical_referral\n    when: trend == \"worse\"\n    priority: 7\n")],
        4, "`imaging_review` decides at once, but no transition applies",
        ["considering injection or surgery; MRI result: concordant",
         "the engine stops: week 0: no transition from `imaging_review` applies"],
        id="4-fall-through",
    ),
    pytest.param(
        [replace(T, "    to: stay\n    when: xray_result == \"none\"\n", "    to: stay\n    when: \"true\"\n")],
        5, "no patient ever reaches `urgent_abnormal_xray`", [],
        id="5-unreachable",
    ),
    pytest.param(
        [replace(S, "    waits: visit\n    review_within_weeks: 4\n", "    waits: visit\n    review_within_weeks: 6\n")],
        6, "`conservative_care` waits with review_within_weeks 6; it needs at most 4", [],
        id="6-review-too-late",
    ),
    pytest.param(
        [replace(T, "    to: reassessment\n    when: \"true\"\n    priority: 1\n    rationale: Conservative care is reviewed",
                 "    to: reassessment\n    when: trend != \"improving\"\n    priority: 1\n    rationale: Conservative care is reviewed")],
        6, "a visit to `conservative_care` passes without any decision",
        ["trend: improving", "path: Conservative care (no transition applied"],
        id="6-no-review",
    ),
    pytest.param(
        [replace(T, "    when: neurogenic_claudication\n    priority: 4\n", "    when: neurogenic_claudication\n    priority: 8\n")],
        7, "offers an epidural for neurogenic claudication", ["neurogenic claudication", "`epidural_for_acute_severe`"],
        id="7-epidural-for-claudication",
    ),
    pytest.param(
        [replace(C, "      and intervention_considered and mri_result == \"none\"\n", "      and mri_result == \"none\"\n")],
        7, "orders a scan for a patient without red flags who would not consider injection or surgery",
        ["`mri_persistent_radicular`"],
        id="7-scan-without-intervention",
    ),
]


@pytest.fixture(scope="module")
def shipped_report(spec):
    return check_pathway(spec)


def test_the_shipped_pathway_passes_every_property(shipped_report, spec):
    assert [(v.number, v.holds) for v in shipped_report.verdicts] == [(n, True) for n in range(1, 8)]
    assert all(v.cases > 0 for v in shipped_report.verdicts)
    certificate = shipped_report.certificate()
    assert spec.content_hash in certificate and "properties 1,2,3,4,5,6,7 hold" in certificate


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
    assert [n for n, v in last.items() if v is True] == ["fever", "immunosuppression"]
    assert story.trace.visits[-1].urgency.value == "none"  # the engine agrees: not escalated


def test_integers_are_cut_at_the_thresholds_the_guards_mention(spec):
    domains = abstract_domains(spec)
    assert [c.text for c in domains["age"].cells] == ["16 to 50", "51 to 70", "71 to 120"]
    assert [c.text for c in domains["week"].cells] == ["0 to 3", "4 to 12", "13 to 520"]
    assert [c.text for c in domains["conservative_care_weeks"].cells] == ["0 to 1", "2 to 5", "6 to 520"]


def test_cli_check_passes_and_prints_the_certificate(spec):
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert f"sha256:{spec.content_hash}" in result.output
    assert result.output.count(" holds ") == 7


def test_cli_check_fails_with_a_story_and_draws_it(tmp_path):
    folder = broken_copy(tmp_path, replace(T, "    when: progressive_motor_deficit\n    priority: 4\n",
                                           "    when: progressive_motor_deficit\n    priority: 8\n"))
    picture = tmp_path / "counterexample.dot"
    result = CliRunner().invoke(main, ["check", str(folder), "--diagram", str(picture)])
    assert result.exit_code == 1
    assert "Property 1 fails" in result.output and "smallest patient story" in result.output
    dot = picture.read_text()
    assert "escalate_fracture" in dot or "Urgent - suspected vertebral fracture" in dot


def test_cli_check_json(tmp_path):
    result = CliRunner().invoke(main, ["check", "--json"])
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["holds"] is True
    assert [p["number"] for p in data["properties"]] == [1, 2, 3, 4, 5, 6, 7]


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
    assert (visit.urgency, visit.imaging) == (MODEL.visits.urgency(outcome), MODEL.visits.imaging(outcome))
