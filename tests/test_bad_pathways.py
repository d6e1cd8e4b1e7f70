"""Broken pathways: every problem is reported, all at once, as the exact `file:line: message`.

Each case copies the shipped pathway into a temporary folder and makes one small, readable edit
(a textual replacement, an append, or a whole file from tests/fixtures/broken/). Expected lines
are found by searching the edited file for the line that was changed, so the tests keep working
when the shipped YAML moves around; the temporary folder is shown as `<pathway>`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pathway import PathwayError, load_pathway
from pathway.cli import main
from pathway.yamlwords import INDENTATION

from edits import Edit, append, broken_copy, replace, use_fixture

FOLDER = "<pathway>"  # stands for the temporary copy in messages


class At:
    """Where text is in the edited copy: ``at("states.yaml", "- id: orphan")`` gives
    ``<pathway>/states.yaml:224``; ``at.line(...)`` gives just the number. The needle must occur
    once, or say which occurrence (``nth``, from 1)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def line(self, file: str, needle: str, nth: int | None = None) -> int:
        text = (self.folder / file).read_text(encoding="utf-8")
        count = text.count(needle)
        if nth is None:
            assert count == 1, f"{needle!r} occurs {count} times in {file}; say which with nth"
            nth = 1
        assert count >= nth, f"{needle!r} occurs {count} times in {file}, not {nth}"
        index = -1
        for _ in range(nth):
            index = text.index(needle, index + 1)
        return text.count("\n", 0, index) + 1

    def __call__(self, file: str, needle: str, nth: int | None = None) -> str:
        return f"{FOLDER}/{file}:{self.line(file, needle, nth)}"


def reported(err: PathwayError, folder: Path) -> list[str]:
    return [str(problem).replace(str(folder), FOLDER) for problem in err.problems]


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(PathwayError) as caught:
        load_pathway(folder)
    return reported(caught.value, folder)


# -- appended entries -----------------------------------------------------------------------------

ORPHAN_STATE = """\
  - id: orphan
    label: Orphan
    phase: exit
    urgency: none
    imaging: none
    care_step: discharged
    terminal: true
    description: No transition leads here.
    citation: nice-ng59-1.1.1
"""

SECOND_CONSERVATIVE_CARE = """\
  - id: conservative_care
    label: Conservative care, defined again
    phase: conservative_care
    urgency: none
    imaging: none
    care_step: conservative_care
    waits: visit
    description: A second state with the same id.
    citation: nice-ng59-1.1.3
"""

SECOND_FEVER = """\
  fever:
    type: boolean
    red_flag: true
    escalates: in_combination
    label: fever, defined again
    question: Fever?
"""

OUT_OF_DISCHARGE = """\
  - id: relapse
    from: discharged
    to: onset
    when: "true"
    priority: 1
    rationale: A terminal state may not lead anywhere.
    citation: nice-ng59-1.1.1
"""

BACK_TO_REASSESSMENT = """\
  - id: back_to_reassessment
    from: imaging_review
    to: reassessment
    when: "true"
    priority: 8
    rationale: Goes back to reassessment, which can come straight back here in the same visit.
    citation: nice-ng59-1.1.1
"""

# The guard of `improving_continue` (reassessment -> conservative care), a handy place to break a guard.
IMPROVING = 'when: trend == "improving"\n    priority: 2\n    rationale: Improving week to week'
TRANSITIONS = "transitions.yaml"


def improving_guard(guard: str) -> Edit:
    return replace(TRANSITIONS, IMPROVING, IMPROVING.replace('trend == "improving"', guard))


Expected = Callable[[At], list[str]]

CASES = [
    # -- YAML ----------------------------------------------------------------------------------
    pytest.param(
        replace("findings.yaml", "values: [none, mild, stable, progressive]", "values: [none, mild, stable, progressive"),
        # The parser notices on the next line; the message also names the line the [ was opened on.
        lambda at: [
            f"{at('findings.yaml', 'label: weakness')}: the `[` opened at line "
            f"{at.line('findings.yaml', 'values: [none, mild, stable, progressive')} is not closed by `]` before this "
            "point (or a comma is missing between its items)"
        ],
        id="malformed-yaml-unclosed-bracket",
    ),
    pytest.param(
        use_fixture("pathway.yaml", "pathway-unclosed-quote.yaml"),
        # The parser notices only at the end of the file: the message names the line the quote opens on.
        lambda at: [f"{at('pathway.yaml', 'name: ')}: this quote is never closed (the file ends inside it)"],
        id="malformed-yaml-unclosed-quote",
    ),
    pytest.param(
        use_fixture("pathway.yaml", "pathway-tab-indented.yaml"),
        lambda at: [f"{at('pathway.yaml', chr(9) + 'Adults')}: tabs are not allowed for indentation; use spaces"],
        id="malformed-yaml-tab",
    ),
    pytest.param(
        use_fixture("references.yaml", "comments-only.yaml"),
        lambda at: [f"{FOLDER}/references.yaml: file is empty"],
        id="empty-file",
    ),
    pytest.param(
        Edit("conditions.yaml", delete=True),
        lambda at: [
            f"{FOLDER}/conditions.yaml: missing file: a pathway folder holds pathway.yaml, references.yaml, "
            "findings.yaml, conditions.yaml, states.yaml, transitions.yaml"
        ],
        id="missing-file",
    ),
    pytest.param(
        append("findings.yaml", SECOND_FEVER),
        lambda at: [
            f"{at('findings.yaml', '  fever:', nth=2)}: duplicate key `fever` "
            f"(first at line {at.line('findings.yaml', '  fever:', nth=1)})"
        ],
        id="duplicate-key-finding-defined-twice",
    ),
    pytest.param(
        replace("states.yaml", "    citation: nice-ng41\n", "    citation: nice-ng41\n    citation: nice-ng41\n"),
        lambda at: [
            f"{at('states.yaml', 'citation: nice-ng41', nth=2)}: duplicate key `citation` "
            f"(first at line {at.line('states.yaml', 'citation: nice-ng41', nth=1)})"
        ],
        id="duplicate-key-in-a-state",
    ),
    # -- layout, in plain words ------------------------------------------------------------------
    pytest.param(
        replace("pathway.yaml", "version: 1.0.0\n", "  version: 1.0.0\n"),
        lambda at: [f"{at('pathway.yaml', '  version: 1.0.0')}: {INDENTATION}"],
        id="indentation-key-deeper-than-its-siblings",
    ),
    pytest.param(
        replace("states.yaml", "    phase: onset\n", "   phase: onset\n"),
        lambda at: [f"{at('states.yaml', '   phase: onset')}: {INDENTATION}"],
        id="indentation-key-shallower-than-its-siblings",
    ),
    pytest.param(
        replace("pathway.yaml", "name: Sciatica care pathway", "name: Sciatica: care pathway"),
        lambda at: [f"{at('pathway.yaml', 'name: Sciatica')}: a value holds `: `; put the value in quotes "
                    "(a colon then a space starts a key)"],
        id="colon-inside-a-value",
    ),
    # -- hostile input (issue 17): refused while reading, with the line ------------------------------
    pytest.param(
        replace("findings.yaml", "  pain_below_knee:\n    type: boolean\n",
                "  pain_below_knee:\n    type: boolean\n    type: enum  # again\n"),
        lambda at: [f"{at('findings.yaml', '# again')}: duplicate key `type` "
                    f"(first at line {at.line('findings.yaml', '# again') - 1})"],
        id="duplicate-key-nested",
    ),
    pytest.param(
        replace("findings.yaml", "values: [leg_dominant, back_dominant]", "values: {a: 1, a: 2}"),
        lambda at: [f"{at('findings.yaml', 'values: {a: 1, a: 2}')}: duplicate key `a` "
                    f"(first at line {at.line('findings.yaml', 'values: {a: 1, a: 2}')})"],
        id="duplicate-key-in-a-flow-mapping",
    ),
    pytest.param(
        replace("pathway.yaml", "initial: onset", "initial: !!str onset"),
        lambda at: [f"{at('pathway.yaml', 'initial: ')}: `initial`: explicit YAML tags are not allowed (`!!str`); "
                    "write the value plainly (in quotes if it is text)"],
        id="explicit-tag-on-a-value",
    ),
    pytest.param(
        replace("findings.yaml", "    type: boolean\n    label: pain below the knee",
                "    type: !!bool yes\n    label: pain below the knee"),
        lambda at: [f"{at('findings.yaml', '!!bool')}: `type`: explicit YAML tags are not allowed (`!!bool`); "
                    "write the value plainly (in quotes if it is text)"],
        id="explicit-tag-that-would-not-convert",
    ),
    pytest.param(
        replace("pathway.yaml", "initial: onset", "!custom initial: onset"),
        lambda at: [f"{at('pathway.yaml', '!custom')}: explicit YAML tags are not allowed (`!custom`); "
                    "write the value plainly (in quotes if it is text)"],
        id="custom-tag-on-a-key",
    ),
    pytest.param(
        replace("pathway.yaml", "initial: onset", "initial: &start onset\nalso: *start"),
        lambda at: [
            f"{at('pathway.yaml', '&start')}: `initial`: anchors (`&start`) are not allowed; write each value out in full",
            f"{at('pathway.yaml', '*start')}: `also`: aliases (`*start`) are not allowed; write the value out in full",
        ],
        id="anchor-and-alias",
    ),
    pytest.param(
        replace("states.yaml", "    label: New episode of sciatica", '    label: "New episode \\ud800"'),
        lambda at: [f"{at('states.yaml', 'New episode')}: `label`: the text holds U+D800, half of a surrogate pair, "
                    "which is not valid Unicode text"],
        id="lone-surrogate-in-a-label",
    ),
    pytest.param(
        replace("states.yaml", "    label: New episode of sciatica", '    label: "New episode\\0"'),
        lambda at: [f"{at('states.yaml', 'New episode')}: `label`: the text holds the control character U+0000; "
                    "text may hold tabs and line breaks, but no other control characters"],
        id="nul-in-a-label",
    ),
    pytest.param(
        replace("findings.yaml", "    max: 120\n", f"    max: {'9' * 5000}\n"),
        lambda at: [f"{at('findings.yaml', '    max: 999')}: `max`: the number 999999999999...999999 is 5,000 digits "
                    "long; allowed: whole numbers of at most 18 digits"],
        id="integer-thousands-of-digits",
    ),
    pytest.param(
        replace("pathway.yaml", "initial: onset", "initial: " + "[" * 300 + "]" * 300),
        lambda at: [f"{at('pathway.yaml', 'initial: ')}: nested more than 20 levels deep; a pathway file needs at most 4"],
        id="flow-nesting-300-deep",
    ),
    # -- shape ---------------------------------------------------------------------------------
    pytest.param(
        replace("states.yaml", "    waits: visit\n    description: A new episode", "    waits: visit\n    colour: blue\n    description: A new episode"),
        lambda at: [
            f"{at('states.yaml', 'colour: blue')}: unknown key `colour` in state `onset`; allowed: id, label, phase, "
            "urgency, imaging, care_step, description, citation, terminal, waits, review_within_weeks"
        ],
        id="unknown-key",
    ),
    pytest.param(
        replace("findings.yaml", "    label: fever\n", "    label: fever\n    colour: red\n"),
        lambda at: [
            f"{at('findings.yaml', 'colour: red')}: unknown key `colour` in finding `fever`; allowed: type, label, "
            "question, values, min, max, default, red_flag, escalates, when_false, citation"
        ],
        id="unknown-key-in-a-finding",
    ),
    pytest.param(
        replace("references.yaml", "nice-ng41:\n", "nice-ng41:\n    url: https://www.nice.org.uk/guidance/ng41\n"),
        lambda at: [
            f"{at('references.yaml', 'url: ')}: unknown key `url` in reference `nice-ng41`; allowed: source, detail, status"
        ],
        id="unknown-key-in-a-reference",
    ),
    pytest.param(
        replace("findings.yaml", "    escalates: in_combination\n    label: fever\n", "    escalates: sometimes\n    label: fever\n"),
        lambda at: [
            f"{at('findings.yaml', 'escalates: sometimes')}: `escalates` of finding `fever` is `sometimes`; "
            "allowed: alone, in_combination"
        ],
        id="value-not-allowed",
    ),
    pytest.param(
        replace("states.yaml", "    description: Symptoms resolved; discharged with self-management advice and safety-netting.\n"
                               "    citation: [acp-2011-no-imaging, nice-qs155-st3]\n",
                "    description: Symptoms resolved; discharged with self-management advice and safety-netting.\n"),
        lambda at: [f"{at('states.yaml', '- id: discharged')}: state `discharged` is missing `citation`"],
        id="state-without-citation",
    ),
    # -- duplicates and cross-references ------------------------------------------------------
    pytest.param(
        append("states.yaml", SECOND_CONSERVATIVE_CARE),
        lambda at: [
            f"{at('states.yaml', '- id: conservative_care', nth=2)}: duplicate state id `conservative_care` "
            f"(first at {at('states.yaml', '- id: conservative_care', nth=1)})"
        ],
        id="duplicate-state-id",
    ),
    pytest.param(
        replace(TRANSITIONS, "    outranks: [imaging_would_not_change_plan]\n  - id: hip_or_si_at_review",
                "    outranks: [recovered]\n  - id: hip_or_si_at_review"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: scan_in_hand')}: transition `scan_in_hand` says it outranks `recovered`, "
            "which is not tried after it; `outranks` names later transitions of the same state"
        ],
        id="outranks-an-earlier-transition",
    ),
    pytest.param(
        replace(TRANSITIONS, "    outranks: [awaiting_scan]\n", "    outranks: [awaiting_scna]\n"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: recovered_before_scan')}: transition `recovered_before_scan` says it outranks "
            "unknown transition `awaiting_scna`; did you mean `awaiting_scan`?"
        ],
        id="outranks-an-unknown-transition",
    ),
    pytest.param(
        replace(TRANSITIONS, "- id: continue_conservative_care\n", "- id: hip_or_si_at_assessment\n"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: hip_or_si_at_assessment', nth=2)}: duplicate transition id `hip_or_si_at_assessment` "
            f"(first at {at(TRANSITIONS, '- id: hip_or_si_at_assessment', nth=1)})"
        ],
        id="duplicate-transition-id",
    ),
    pytest.param(
        replace(TRANSITIONS, "    to: reroute_hip_or_si\n    when: hip_or_si_source\n    priority: 1\n",
                "    to: reroute_hip_or_sj\n    when: hip_or_si_source\n    priority: 1\n"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: hip_or_si_at_assessment')}: transition `hip_or_si_at_assessment` `to` unknown state "
            "`reroute_hip_or_sj`; did you mean `reroute_hip_or_si`?"
        ],
        id="unknown-destination-state",
    ),
    pytest.param(
        replace(TRANSITIONS, "    from: reassessment\n    to: reroute_hip_or_si\n", "    from: reasessment\n    to: reroute_hip_or_si\n"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: hip_or_si_at_review')}: transition `hip_or_si_at_review` `from` unknown state "
            "`reasessment`; did you mean `reassessment`?"
        ],
        id="unknown-source-state",
    ),
    pytest.param(
        replace("states.yaml", "    citation: nice-ng41\n", "    citation: nice-ng14\n"),
        lambda at: [
            f"{at('states.yaml', '- id: emergency_trauma')}: state `emergency_trauma` cites unknown reference "
            "`nice-ng14`; did you mean `nice-ng41`?"
        ],
        id="unknown-reference",
    ),
    # -- guards --------------------------------------------------------------------------------
    pytest.param(
        replace(TRANSITIONS, "    when: symptoms_resolved\n    priority: 1\n    rationale: Symptoms resolved - discharge",
                "    when: symptom_resolved\n    priority: 1\n    rationale: Symptoms resolved - discharge"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: recovered' + chr(10))}: guard of transition `recovered`: unknown name "
            "`symptom_resolved`; did you mean `symptoms_resolved`?"
        ],
        id="guard-unknown-finding",
    ),
    pytest.param(
        replace(TRANSITIONS, "when: hip_or_si_source\n    priority: 1\n", "when: hip_or_si_sorce\n    priority: 1\n"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: hip_or_si_at_assessment')}: guard of transition `hip_or_si_at_assessment`: "
            "unknown name `hip_or_si_sorce`; did you mean `hip_or_si_source`?"
        ],
        id="guard-unknown-condition",
    ),
    pytest.param(
        replace(TRANSITIONS, "when: hip_or_si_source\n    priority: 1\n", "when: zebra_stripes\n    priority: 1\n"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: hip_or_si_at_assessment')}: guard of transition `hip_or_si_at_assessment`: "
            "unknown name `zebra_stripes`; it is neither a finding nor a condition"
        ],
        id="guard-unknown-name-nothing-close",
    ),
    pytest.param(
        improving_guard("weakness >= 3"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: improving_continue')}: guard of transition `improving_continue`: 3 is not a value "
            "of `weakness`; allowed: none, mild, stable, progressive",
            f"{at(TRANSITIONS, '- id: improving_continue')}: guard of transition `improving_continue`: `>=` is not "
            "defined for `weakness`, a choice without order (none, mild, stable, progressive); use ==, !=, in or not in",
        ],
        id="guard-type-error-ordering-a-choice",
    ),
    pytest.param(
        improving_guard('trend == "better"'),
        lambda at: [
            f"{at(TRANSITIONS, '- id: improving_continue')}: guard of transition `improving_continue`: \"better\" is not "
            "a value of `trend`; allowed: improving, stuck, worse"
        ],
        id="guard-type-error-value-not-a-choice",
    ),
    pytest.param(
        improving_guard("weakness"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: improving_continue')}: guard of transition `improving_continue`: `weakness` is a "
            'choice (none, mild, stable, progressive), not true/false: compare it, e.g. `weakness == "none"`'
        ],
        id="guard-type-error-bare-choice",
    ),
    pytest.param(
        improving_guard("conservative_care_weeks"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: improving_continue')}: guard of transition `improving_continue`: "
            "`conservative_care_weeks` is a number (a whole number from 0 to 520), not true/false: compare it, "
            "e.g. `conservative_care_weeks >= 0`"
        ],
        id="guard-type-error-bare-number",
    ),
    pytest.param(
        improving_guard('trend = "stuck"'),
        # Syntax errors name the `when:` line itself.
        lambda at: [
            f"{at(TRANSITIONS, 'when: trend = ')}: guard of transition `improving_continue`: column 7: invalid guard "
            'syntax at `= "stuck"`; write `==`, not `=`'
        ],
        id="guard-syntax-single-equals",
    ),
    pytest.param(
        improving_guard("disabling &&"),
        lambda at: [
            f"{at(TRANSITIONS, 'when: disabling &&')}: guard of transition `improving_continue`: column 12: invalid "
            "guard syntax at `&`; write `and`, not `&&`"
        ],
        id="guard-syntax-double-ampersand",
    ),
    # -- red flags -----------------------------------------------------------------------------
    pytest.param(
        replace("findings.yaml", "    escalates: in_combination\n    label: fever\n",
                "    escalates: in_combination\n    default: false  # a red flag with a default\n    label: fever\n"),
        lambda at: [
            f"{at('findings.yaml', '# a red flag with a default')}: red-flag question `fever` may not have a default: an "
            "unanswered red flag is never read as no",
        ],
        id="red-flag-question-with-default",
    ),
    pytest.param(
        replace("findings.yaml", "    label: foot drop\n", "    label: foot drop\n    default: false\n"),
        lambda at: [
            f"{at('findings.yaml', '  foot_drop:')}: finding `foot_drop` is read by red-flag categories suspected_cauda_equina, "
            "cancer_with_neuro_signs, progressive_motor_deficit and so may not have a default: it must be answered at every visit",
        ],
        id="finding-read-by-a-red-flag-category-with-default",
    ),
    pytest.param(
        replace("findings.yaml", "    escalates: in_combination\n    label: fever\n", "    escalates: alone\n    label: fever\n"),
        lambda at: [
            f"{at('findings.yaml', '  fever:')}: finding `fever` is declared to escalate alone, but no red-flag "
            "category fires when it is the only thing present"
        ],
        id="escalates-alone-contradicted",
    ),
    pytest.param(
        replace("findings.yaml", "    escalates: alone\n    label: history of cancer\n",
                "    escalates: in_combination\n    label: history of cancer\n"),
        lambda at: [
            f"{at('findings.yaml', '  cancer_history:')}: finding `cancer_history` is declared to escalate only in "
            "combination, but `cancer_with_neuro_signs` fires when it is the only thing present"
        ],
        id="escalates-in-combination-contradicted",
    ),
    pytest.param(
        replace("conditions.yaml", "    min_urgency: urgent\n    allowed_imaging: [mri, ct]\n",
                "    min_urgency: emergency\n    allowed_imaging: [mri, ct]\n"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: escalate_motor_deficit')}: escalation `escalate_motor_deficit` sends "
            "`progressive_motor_deficit` to `urgent_motor_deficit` (urgency urgent); the category demands at least emergency"
        ],
        id="escalation-below-min-urgency",
    ),
    pytest.param(
        replace("conditions.yaml", "    allowed_imaging: [ct, mri]\n", "    allowed_imaging: [mri]\n"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: escalate_major_trauma')}: escalation `escalate_major_trauma` sends "
            "`major_spinal_trauma` to `emergency_trauma`, which orders ct; the category allows mri"
        ],
        id="escalation-imaging-not-allowed",
    ),
    # -- graph ---------------------------------------------------------------------------------
    pytest.param(
        append("states.yaml", ORPHAN_STATE),
        lambda at: [f"{at('states.yaml', '- id: orphan')}: state `orphan` is unreachable: no transitions lead to it from `onset`"],
        id="unreachable-state",
    ),
    pytest.param(
        # A non-urgent state has the red-flag escalations, but they are not a way on.
        replace("states.yaml", "    care_step: surgical_referral\n    terminal: true\n", "    care_step: surgical_referral\n    waits: visit\n"),
        lambda at: [
            f"{at('states.yaml', '- id: surgical_referral')}: state `surgical_referral` is not terminal but no transition "
            "of its own leads on from it (a dead end); add transitions or mark it `terminal: true`"
        ],
        id="dead-end",
    ),
    pytest.param(
        replace("states.yaml", "    terminal: true\n    description: X-ray first", "    waits: visit\n    description: X-ray first"),
        lambda at: [
            f"{at('states.yaml', '- id: urgent_fracture')}: state `urgent_fracture` is not terminal but no transition "
            "of its own leads on from it (a dead end); add transitions or mark it `terminal: true`"
        ],
        id="dead-end-urgent-state",
    ),
    pytest.param(
        append(TRANSITIONS, OUT_OF_DISCHARGE),
        lambda at: [
            f"{at('states.yaml', '- id: discharged')}: terminal state `discharged` has transitions out of it (to onset); "
            "a terminal state ends the pathway"
        ],
        id="transition-out-of-terminal-state",
    ),
    pytest.param(
        append(TRANSITIONS, BACK_TO_REASSESSMENT),
        lambda at: [
            f"{at('states.yaml', '- id: imaging_review')}: a loop that could be taken within one visit: imaging_review -> "
            "reassessment -> imaging_review; one of these states must wait for a visit or result"
        ],
        id="loop-within-one-visit",
    ),
    pytest.param(
        replace(TRANSITIONS, "    to: reroute_hip_or_si\n    when: hip_or_si_source\n    priority: 4\n",
                "    to: reroute_hip_or_si\n    when: hip_or_si_source\n    priority: 3\n"),
        lambda at: [
            f"{at(TRANSITIONS, '- id: scan_in_hand')}: transition `scan_in_hand` shares priority 3 with another transition "
            "from `reassessment`; priorities must be unique per state",
            f"{at(TRANSITIONS, '- id: hip_or_si_at_review')}: transition `hip_or_si_at_review` shares priority 3 with "
            "another transition from `reassessment`; priorities must be unique per state",
        ],
        id="shared-priority",
    ),
]


def test_the_shipped_pathway_is_valid(tmp_path):
    """The starting point of every case: an unedited copy loads, so each problem below is the edit's."""
    assert load_pathway(broken_copy(tmp_path)).initial == "onset"


@pytest.mark.parametrize("edit, expected", CASES)
def test_broken_pathway(tmp_path, edit: Edit, expected: Expected):
    folder = broken_copy(tmp_path, edit)
    assert problems_of(folder) == expected(At(folder))


# -- several problems in one run -------------------------------------------------------------------

SEVERAL = (
    replace("states.yaml", "    waits: visit\n    description: A new episode", "    waits: visit\n    colour: blue\n    description: A new episode"),
    replace(TRANSITIONS, "    when: symptoms_resolved\n    priority: 1\n    rationale: Symptoms resolved - discharge",
            "    when: symptom_resolved\n    priority: 1\n    rationale: Symptoms resolved - discharge"),
    replace(TRANSITIONS, "    to: reroute_hip_or_si\n    when: hip_or_si_source\n    priority: 4\n",
            "    to: reroute_hip_or_si\n    when: hip_or_si_source\n    priority: 3\n"),
    replace("findings.yaml", "    escalates: in_combination\n    label: fever\n", "    escalates: alone\n    label: fever\n"),
    replace("conditions.yaml", "    min_urgency: urgent\n    allowed_imaging: [mri, ct]\n",
            "    min_urgency: emergency\n    allowed_imaging: [mri, ct]\n"),
    replace("states.yaml", "    citation: nice-ng41\n", "    citation: nice-ng14\n"),
)


def several_expected(at: At) -> list[str]:
    """Sorted by file, then line, as the loader reports them."""
    return [
        f"{at('findings.yaml', '  fever:')}: finding `fever` is declared to escalate alone, but no red-flag category "
        "fires when it is the only thing present",
        f"{at('states.yaml', 'colour: blue')}: unknown key `colour` in state `onset`; allowed: id, label, phase, urgency, "
        "imaging, care_step, description, citation, terminal, waits, review_within_weeks",
        f"{at('states.yaml', '- id: emergency_trauma')}: state `emergency_trauma` cites unknown reference `nice-ng14`; "
        "did you mean `nice-ng41`?",
        f"{at(TRANSITIONS, '- id: escalate_motor_deficit')}: escalation `escalate_motor_deficit` sends "
        "`progressive_motor_deficit` to `urgent_motor_deficit` (urgency urgent); the category demands at least emergency",
        f"{at(TRANSITIONS, '- id: recovered' + chr(10))}: guard of transition `recovered`: unknown name `symptom_resolved`; "
        "did you mean `symptoms_resolved`?",
        f"{at(TRANSITIONS, '- id: scan_in_hand')}: transition `scan_in_hand` shares priority 3 with another transition "
        "from `reassessment`; priorities must be unique per state",
        f"{at(TRANSITIONS, '- id: hip_or_si_at_review')}: transition `hip_or_si_at_review` shares priority 3 with "
        "another transition from `reassessment`; priorities must be unique per state",
    ]


def test_every_problem_is_reported_in_one_run(tmp_path):
    folder = broken_copy(tmp_path, *SEVERAL)
    problems = problems_of(folder)
    assert len(problems) == 7
    assert problems == several_expected(At(folder))


def test_yaml_errors_in_two_files_are_both_reported(tmp_path):
    folder = broken_copy(
        tmp_path,
        use_fixture("pathway.yaml", "pathway-tab-indented.yaml"),
        append("findings.yaml", SECOND_FEVER),
    )
    at = At(folder)
    # YAML problems come in the order the files are read: pathway.yaml first.
    assert problems_of(folder) == [
        f"{at('pathway.yaml', chr(9) + 'Adults')}: tabs are not allowed for indentation; use spaces",
        f"{at('findings.yaml', '  fever:', nth=2)}: duplicate key `fever` "
        f"(first at line {at.line('findings.yaml', '  fever:', nth=1)})",
    ]


def test_every_repeated_key_in_a_file_is_reported(tmp_path):
    folder = broken_copy(
        tmp_path,
        append("findings.yaml", SECOND_FEVER),
        replace("findings.yaml", "    label: foot drop\n", "    label: foot drop\n    label: dropped foot\n"),
    )
    at = At(folder)
    assert problems_of(folder) == [
        f"{at('findings.yaml', 'label: dropped foot')}: duplicate key `label` "
        f"(first at line {at.line('findings.yaml', 'label: foot drop')})",
        f"{at('findings.yaml', '  fever:', nth=2)}: duplicate key `fever` "
        f"(first at line {at.line('findings.yaml', '  fever:', nth=1)})",
    ]


# -- through the command line ----------------------------------------------------------------------


def test_cli_validate_prints_every_problem_and_exits_1(tmp_path):
    folder = broken_copy(tmp_path, *SEVERAL)
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = [line.replace(str(folder), FOLDER) for line in result.stderr.splitlines()]
    assert lines == several_expected(At(folder)) + ["7 problems found; the pathway is not valid."]


def test_cli_validate_one_problem(tmp_path):
    folder = broken_copy(tmp_path, append("states.yaml", ORPHAN_STATE))
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    assert result.stderr.replace(str(folder), FOLDER).splitlines() == [
        f"{At(folder)('states.yaml', '- id: orphan')}: state `orphan` is unreachable: no transitions lead to it from `onset`",
        "1 problem found; the pathway is not valid.",
    ]


def test_cli_validate_the_shipped_pathway_exits_0(tmp_path):
    folder = broken_copy(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith(f"{folder}: valid - Sciatica care pathway ")


@pytest.mark.parametrize("command", [["validate"], ["diagram", "--format", "dot"], ["tables"]])
def test_a_lone_surrogate_is_refused_by_every_command_that_loads_the_pathway(tmp_path, command):
    """Before: `validate` passed it (exit 0), then `diagram` and `tables` crashed writing it out."""
    folder = broken_copy(tmp_path, replace("states.yaml", "    label: New episode of sciatica",
                                           '    label: "New episode \\ud800"'))
    result = CliRunner().invoke(main, [command[0], str(folder), *command[1:]])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr.replace(str(folder), FOLDER).splitlines() == [
        f"{At(folder)('states.yaml', 'New episode')}: `label`: the text holds U+D800, half of a surrogate pair, "
        "which is not valid Unicode text",
        "1 problem found; the pathway is not valid.",
    ]


@pytest.mark.parametrize("command", [["check"], ["export", "--format", "fhir"]])
def test_a_guard_nested_hundreds_deep_is_refused_before_check_or_export_recurse(tmp_path, command):
    """Found by the fuzz campaign: `validate` accepted it, then `check` and the FHIR export overflowed the stack."""
    deep = "not " * 490 + 'not (trend == "improving")'
    folder = broken_copy(tmp_path, improving_guard(deep))
    result = CliRunner().invoke(main, [command[0], str(folder), *command[1:]])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stderr.replace(str(folder), FOLDER).splitlines() == [
        f"{At(folder)(TRANSITIONS, 'when: not not')}: guard of transition `improving_continue`: column 133: guard is nested "
        "more than 32 levels deep (`and`, `or`, `not` and parentheses); name a part of it as a condition",
        "1 problem found; the pathway is not valid.",
    ]
