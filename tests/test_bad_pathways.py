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
    receiving_service: nobody
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
    label: fever, defined again
    question: Fever?
"""

OUT_OF_DISCHARGE = """\
  - id: relapse
    from: handover_spinal_surgery
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
    priority: 12
    rationale: Goes back to reassessment, which can come straight back here in the same visit.
    citation: nice-ng59-1.1.1
"""

# The guard of `improving_continue` (reassessment -> conservative care), a handy place to break a guard.
IMPROVING = 'when: trend == "improving"\n    priority: 2\n    rationale: Improving week to week'
TRANSITIONS, SAFETY, IMAGING = "transitions.yaml", "safety.yaml", "imaging.yaml"


def improving_guard(guard: str) -> Edit:
    return replace(TRANSITIONS, IMPROVING, IMPROVING.replace('trend == "improving"', guard))


# Where a second finding is slotted in: just before `iv_drug_use`, among the findings.
def second_fever() -> Edit:
    return replace("findings.yaml", "  iv_drug_use:\n", SECOND_FEVER + "  iv_drug_use:\n")


Expected = Callable[[At], list[str]]

CASES = [
    # -- YAML ----------------------------------------------------------------------------------
    pytest.param(
        replace("findings.yaml", "values: [none, mild, severe, progressive]", "values: [none, mild, severe, progressive"),
        # The parser notices on the next line; the message also names the line the [ was opened on.
        lambda at: [
            f"{at('findings.yaml', 'label: weakness')}: the `[` opened at line "
            f"{at.line('findings.yaml', 'values: [none, mild, severe, progressive')} is not closed by `]` before this "
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
            "findings.yaml, conditions.yaml, imaging.yaml, states.yaml, transitions.yaml, safety.yaml"
        ],
        id="missing-file",
    ),
    pytest.param(
        second_fever(),
        lambda at: [
            f"{at('findings.yaml', '  fever:', nth=2)}: duplicate key `fever` "
            f"(first at line {at.line('findings.yaml', '  fever:', nth=1)})"
        ],
        id="duplicate-key-finding-defined-twice",
    ),
    pytest.param(
        replace("states.yaml", "    within_hours: 1\n", "    within_hours: 1\n    within_hours: 99\n"),
        lambda at: [
            f"{at('states.yaml', 'within_hours: 99')}: duplicate key `within_hours` "
            f"(first at line {at.line('states.yaml', 'within_hours: 1' + chr(10))})"
        ],
        id="duplicate-key-in-a-state",
    ),
    # -- layout, in plain words ------------------------------------------------------------------
    pytest.param(
        replace("pathway.yaml", "version: 2.1.1\n", "  version: 2.1.1\n"),
        lambda at: [f"{at('pathway.yaml', '  version: 2.1.1')}: {INDENTATION}"],
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
            "urgency, imaging, care_step, description, citation, terminal, waits, awaits, review_within_weeks, "
            "within_hours, receiving_service"
        ],
        id="unknown-key",
    ),
    pytest.param(
        replace("findings.yaml", "    label: fever\n", "    label: fever\n    colour: red\n"),
        lambda at: [
            f"{at('findings.yaml', 'colour: red')}: unknown key `colour` in finding `fever`; allowed: type, label, "
            "question, values, min, max, default, red_flag, when_false, citation"
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
        replace("states.yaml", "    waits: decides\n    description: History", "    waits: sometimes\n    description: History"),
        lambda at: [
            f"{at('states.yaml', 'waits: sometimes')}: `waits` of state `initial_assessment` is `sometimes`; "
            "allowed: decides, visit, result, return"
        ],
        id="value-not-allowed",
    ),
    pytest.param(
        replace("states.yaml", "    description: Vertebral fracture confirmed; fracture and bone health care.\n"
                               "    citation: [acr-2021-v6, downie-2013]\n",
                "    description: Vertebral fracture confirmed; fracture and bone health care.\n"),
        lambda at: [f"{at('states.yaml', '- id: handover_fracture_service')}: state `handover_fracture_service` is missing `citation`"],
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
        replace("states.yaml", "    citation: [girft-ces-2023, girft-ces-mri-4h, ces-mri-yield]\n",
                "    citation: [girft-ces-2023, girft-ces-mri-4h, ces-mri-yeild]\n"),
        lambda at: [
            f"{at('states.yaml', '- id: emergency_ces')}: state `emergency_ces` cites unknown reference "
            "`ces-mri-yeild`; did you mean `ces-mri-yield`?"
        ],
        id="unknown-reference",
    ),
    # -- guards --------------------------------------------------------------------------------
    pytest.param(
        replace(TRANSITIONS, "    when: symptoms_resolved\n    priority: 1\n    rationale: Symptoms resolved - discharge with self-management",
                "    when: symptom_resolved\n    priority: 1\n    rationale: Symptoms resolved - discharge with self-management"),
        lambda at: [
            f"{at(TRANSITIONS, 'when: symptom_resolved')}: guard of transition `recovered`: unknown name "
            "`symptom_resolved`; did you mean `symptoms_resolved`?"
        ],
        id="guard-unknown-finding",
    ),
    pytest.param(
        replace(TRANSITIONS, "when: hip_or_si_source\n    priority: 1\n", "when: hip_or_si_sorce\n    priority: 1\n"),
        lambda at: [
            f"{at(TRANSITIONS, 'when: hip_or_si_sorce')}: guard of transition `hip_or_si_at_assessment`: "
            "unknown name `hip_or_si_sorce`; did you mean `hip_or_si_source`?"
        ],
        id="guard-unknown-condition",
    ),
    pytest.param(
        replace(TRANSITIONS, "when: hip_or_si_source\n    priority: 1\n", "when: zebra_stripes\n    priority: 1\n"),
        lambda at: [
            f"{at(TRANSITIONS, 'when: zebra_stripes')}: guard of transition `hip_or_si_at_assessment`: "
            "unknown name `zebra_stripes`; it is neither a finding nor a condition"
        ],
        id="guard-unknown-name-nothing-close",
    ),
    pytest.param(
        improving_guard("weakness >= 3"),
        lambda at: [
            f"{at(TRANSITIONS, 'when: weakness >= 3')}: guard of transition `improving_continue`: 3 is not a value "
            "of `weakness`; allowed: none, mild, severe, progressive",
            f"{at(TRANSITIONS, 'when: weakness >= 3')}: guard of transition `improving_continue`: `>=` is not "
            "defined for `weakness`, a choice without order (none, mild, severe, progressive); use ==, !=, in or not in",
        ],
        id="guard-type-error-ordering-a-choice",
    ),
    pytest.param(
        improving_guard('trend == "better"'),
        lambda at: [
            f"{at(TRANSITIONS, 'when: trend == ' + chr(34) + 'better')}: guard of transition `improving_continue`: \"better\" is not "
            "a value of `trend`; allowed: improving, stuck, worse"
        ],
        id="guard-type-error-value-not-a-choice",
    ),
    pytest.param(
        improving_guard("weakness"),
        lambda at: [
            f"{at(TRANSITIONS, 'when: weakness' + chr(10))}: guard of transition `improving_continue`: `weakness` is a "
            'choice (none, mild, severe, progressive), not true/false: compare it, e.g. `weakness == "none"`'
        ],
        id="guard-type-error-bare-choice",
    ),
    pytest.param(
        improving_guard("conservative_care_weeks"),
        lambda at: [
            f"{at(TRANSITIONS, 'when: conservative_care_weeks' + chr(10))}: guard of transition `improving_continue`: "
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
    # -- red flags and the safety requirements ----------------------------------------------------
    pytest.param(
        replace("findings.yaml", "    red_flag: true\n    label: fever\n",
                "    red_flag: true\n    default: false  # a red flag with a default\n    label: fever\n"),
        lambda at: [
            f"{at('findings.yaml', '# a red flag with a default')}: red-flag question `fever` may not have a default: an "
            "unanswered red flag is never read as no",
        ],
        id="red-flag-question-with-default",
    ),
    pytest.param(
        replace("findings.yaml", "    label: foot drop\n", "    label: foot drop\n    default: false\n"),
        lambda at: [
            f"{at('findings.yaml', '  foot_drop:')}: finding `foot_drop` is read by safety categories cauda_equina, "
            "infection_with_deficit, spinal_cord_compression, motor_deficit and so may not have a default: it must be "
            "answered at every visit",
        ],
        id="finding-read-by-a-safety-category-with-default",
    ),
    pytest.param(
        replace(SAFETY, "  sexual_dysfunction:\n    alone: none\n", "  sexual_dysfunction:\n    alone: cauda_equina\n"),
        lambda at: [
            f"{at(SAFETY, '  sexual_dysfunction:')}: red-flag question `sexual_dysfunction` is declared to demand "
            "`cauda_equina` alone, but that category does not hold when it is the only thing present"
        ],
        id="escalates-alone-contradicted",
    ),
    pytest.param(
        replace(SAFETY, "  cancer_history: {alone: malignancy_known_cancer, citation: [acp-2011-immediate, nice-ng234-mscc]}",
                "  cancer_history: {alone: none, because: assumed, citation: acp-2011-immediate}"),
        lambda at: [
            f"{at(SAFETY, '  cancer_history:')}: red-flag question `cancer_history` is declared to escalate nowhere alone, "
            "but `spinal_cord_compression` holds when it is the only thing present"
        ],
        id="escalates-nowhere-contradicted",
    ),
    pytest.param(
        replace(SAFETY, "  major_trauma: {alone: major_trauma, citation: nice-ng41}\n", ""),
        lambda at: [
            f"{at('findings.yaml', '  major_trauma:')}: red-flag question `major_trauma` is not in safety.yaml "
            "`red_flag_questions`: say what it demands alone (a category, or none and why)"
        ],
        id="red-flag-question-unaccounted-for",
    ),
    pytest.param(
        replace(SAFETY, "    when: infection_suspected and objective_deficit\n", "    when: suspected_infection and objective_deficit\n"),
        lambda at: [
            f"{at(SAFETY, '  infection_with_deficit:')}: guard of safety category `infection_with_deficit`: unknown name "
            "`suspected_infection`; safety requirements read the findings and their own terms only, never the pathway's "
            "conditions"
        ],
        id="safety-requirement-reads-a-pathway-condition",
    ),
    pytest.param(
        replace(SAFETY, "    note: No timescale is given for suspected osteoporotic fracture; one week is assumed.\n", ""),
        lambda at: [
            f"{at(SAFETY, '  suspected_fracture:')}: safety category `suspected_fracture` cites `project-assumption`: add "
            "a `note` saying what is assumed and why"
        ],
        id="assumption-without-a-note",
    ),
    # -- states, exits and imaging ------------------------------------------------------------------
    pytest.param(
        replace("states.yaml", "    receiving_service: the fracture and bone health service\n", ""),
        lambda at: [
            f"{at('states.yaml', '- id: handover_fracture_service')}: state `handover_fracture_service` is an exit "
            "(terminal) but does not name its `receiving_service`: an exit is a handover to someone"
        ],
        id="exit-without-receiving-service",
    ),
    pytest.param(
        replace("states.yaml", "    waits: result\n    awaits: epidural_response\n", "    waits: result\n"),
        lambda at: [
            f"{at('states.yaml', '- id: epidural_injection')}: state `epidural_injection` waits for a result but does not "
            "say which: add `awaits: <finding>` (e.g. mri_result)"
        ],
        id="result-state-without-awaits",
    ),
    pytest.param(
        replace("states.yaml", "    imaging: persistent_radiculopathy\n", "    imaging: persistent_radiculopathies\n"),
        lambda at: [
            f"{at('states.yaml', '- id: lumbar_imaging')}: state `lumbar_imaging` orders unknown imaging purpose "
            "`persistent_radiculopathies`; known (imaging.yaml): abnormal_xray, deferred_xray, emergency_cauda_equina, "
            "fracture_xray, hip_or_si_xray, major_trauma, malignancy, motor_deficit, persistent_radiculopathy, "
            "spinal_cord_compression, spinal_infection, urgent_fracture_xray, none"
        ],
        id="unknown-imaging-purpose",
    ),
    pytest.param(
        replace(IMAGING, "    becomes: ct\n", "    becomes: pet\n"),
        lambda at: [
            f"{at(IMAGING, 'becomes: pet')}: `becomes` of imaging rule `ct_when_mri_contraindicated` is 'pet'; allowed "
            "(what MRI becomes): ct, ct_myelography"
        ],
        id="imaging-rule-bad-effect",
    ),
    # -- graph ---------------------------------------------------------------------------------
    pytest.param(
        append("states.yaml", ORPHAN_STATE),
        lambda at: [f"{at('states.yaml', '- id: orphan')}: state `orphan` is unreachable: no transitions lead to it from `onset`"],
        id="unreachable-state",
    ),
    pytest.param(
        # A state that screens has the red-flag escalations, but they are not a way on.
        replace("states.yaml", "    care_step: spinal_surgery\n    terminal: true\n    receiving_service: the spinal surgical team, "
                               "for decompression\n", "    care_step: spinal_surgery\n    waits: visit\n"),
        lambda at: [
            f"{at('states.yaml', '- id: handover_spinal_surgery')}: state `handover_spinal_surgery` is not terminal but no "
            "transition of its own leads on from it (a dead end); add transitions or mark it `terminal: true`"
        ],
        id="dead-end",
    ),
    pytest.param(
        append(TRANSITIONS, OUT_OF_DISCHARGE),
        lambda at: [
            f"{at('states.yaml', '- id: handover_spinal_surgery')}: terminal state `handover_spinal_surgery` has "
            "transitions out of it (to onset); a terminal state ends the pathway"
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
    replace(TRANSITIONS, "    when: symptoms_resolved\n    priority: 1\n    rationale: Symptoms resolved - discharge with self-management",
            "    when: symptom_resolved\n    priority: 1\n    rationale: Symptoms resolved - discharge with self-management"),
    replace(TRANSITIONS, "    to: reroute_hip_or_si\n    when: hip_or_si_source\n    priority: 4\n",
            "    to: reroute_hip_or_si\n    when: hip_or_si_source\n    priority: 3\n"),
    replace(SAFETY, "  sexual_dysfunction:\n    alone: none\n", "  sexual_dysfunction:\n    alone: cauda_equina\n"),
    replace("states.yaml", "    receiving_service: the fracture and bone health service\n", ""),
    replace("states.yaml", "    citation: [girft-ces-2023, girft-ces-mri-4h, ces-mri-yield]\n",
            "    citation: [girft-ces-2023, girft-ces-mri-4h, ces-mri-yeild]\n"),
)


def several_expected(at: At) -> list[str]:
    """Sorted by file, then line, as the loader reports them."""
    return [
        f"{at(SAFETY, '  sexual_dysfunction:')}: red-flag question `sexual_dysfunction` is declared to demand "
        "`cauda_equina` alone, but that category does not hold when it is the only thing present",
        f"{at('states.yaml', 'colour: blue')}: unknown key `colour` in state `onset`; allowed: id, label, phase, urgency, "
        "imaging, care_step, description, citation, terminal, waits, awaits, review_within_weeks, within_hours, "
        "receiving_service",
        f"{at('states.yaml', '- id: emergency_ces')}: state `emergency_ces` cites unknown reference `ces-mri-yeild`; "
        "did you mean `ces-mri-yield`?",
        f"{at('states.yaml', '- id: handover_fracture_service')}: state `handover_fracture_service` is an exit "
        "(terminal) but does not name its `receiving_service`: an exit is a handover to someone",
        f"{at(TRANSITIONS, 'when: symptom_resolved')}: guard of transition `recovered`: unknown name `symptom_resolved`; "
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
        second_fever(),
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
        second_fever(),
        replace("findings.yaml", "    label: foot drop\n", "    label: foot drop\n    label: dropped foot\n"),
    )
    at = At(folder)
    assert problems_of(folder) == [
        f"{at('findings.yaml', 'label: dropped foot')}: duplicate key `label` "
        f"(first at line {at.line('findings.yaml', 'label: foot drop' + chr(10))})",
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


# -- words that cannot lie -------------------------------------------------------------------------


def test_a_threshold_edit_is_caught_until_the_words_follow_it(tmp_path):
    # A clinician changes MRI from 6 to 4 weeks of conservative care in the guard only.
    edit = replace("conditions.yaml", '(conservative_care_weeks >= 6 and trend != "improving")',
                   '(conservative_care_weeks >= 4 and trend != "improving")')
    folder = broken_copy(tmp_path / "guard-only", edit)
    at = At(folder)
    assert problems_of(folder) == [
        f"{at('conditions.yaml', 'label: persisting after 6 weeks')}: the words of condition `persisting_despite_care` "
        'say "after 6", a threshold the guard does not have (its numbers: 4, 2)',
        f"{at(TRANSITIONS, 'rationale: Disabling radicular symptoms persisting after 6 weeks')}: the words of transition "
        '`scan_would_change_management` say "after 6", a threshold the guard does not have (its numbers: 4, 2)',
    ]
    words = [replace("conditions.yaml", "label: persisting after 6 weeks", "label: persisting after 4 weeks"),
             replace(TRANSITIONS, "rationale: Disabling radicular symptoms persisting after 6 weeks",
                     "rationale: Disabling radicular symptoms persisting after 4 weeks")]
    assert load_pathway(broken_copy(tmp_path / "words-too", edit, *words)).name


def test_words_naming_a_finding_the_guard_does_not_read(tmp_path):
    folder = broken_copy(tmp_path, replace(TRANSITIONS, "rationale: No red flags - advice, self-management",
                                           "rationale: No red flags and no foot drop - advice, self-management"))
    at = At(folder)
    assert problems_of(folder) == [
        f"{at(TRANSITIONS, 'rationale: No red flags and no foot drop')}: the words of transition "
        "`start_conservative_care` name 'foot drop' (`foot_drop`), which the guard does not read"
    ]
