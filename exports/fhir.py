"""The validated pathway as a FHIR R4 `PlanDefinition` conforming to the HL7 CPG 2.0.0 pathway
profile (http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-pathwaydefinition), as JSON.

- metadata: a canonical `url` (base from `--url` or SCIATICA_FHIR_BASE), `version`, `status`
  draft, `publisher`, `useContext` (focus: sciatica; ages the pathway is for), a generated
  narrative (`text`, XHTML, `fhir_narrative`), the CQF knowledge-capability and
  knowledge-representation-level extensions (their current URLs), the content hash as an
  identifier. No `date`: the profile does not require one, and the pathway's data has none (an
  export taken from the clock would not be byte-identical);
- one top-level action per state (the initial state first, then file order): title, description,
  one `code` from the CPG common processes (exits and discharge: discharge-referral-of-patient;
  emergencies: emergency-care; ...) plus the care step, priority from the urgency, sources as
  `documentation`; its `textEquivalent` says how soon, what imaging it orders and what it waits
  for. An exit is a handover: its `participant` role names the receiving service. As the profile
  requires, no top-level action carries grouping, selection or related-action elements;
- inside a state that decides, one nested "decide" action (logical group, selecting
  `exactly-one` for a state that decides at once, `at-most-one` for one that waits and stays when
  none applies) holding one action per transition **in the order the engine tries them** (red
  flags R1.. first; `prefix` prints the tag): its guard as an applicability condition in FHIRPath
  over the visit's QuestionnaireResponse (`exports.fhirpath`; named conditions spelled out), the
  guard in words as its description, the destination's priority, the rationale and sources, and a
  `relatedAction` (`before-start`) to the destination state's action. FHIR has no "first
  applicable wins": the order of the nested actions is the order tried, and the words say so.
"""

from __future__ import annotations

import json

from diagrams.words import waits_words
from pathway.spec import CareStep, PathwaySpec, Phase, State, Transition, Urgency, Waits

from .fhirpath import to_fhirpath
from .fhir_meta import fhir_id, metadata, resource_id
from .fhir_narrative import narrative
from .wording import citation, exit_words, guard_words, imaging_rules_words, sentence, state_words, tag

PROFILE = "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-pathwaydefinition"
PLAN_TYPE = "http://terminology.hl7.org/CodeSystem/plan-definition-type"
PROCESS = "http://hl7.org/fhir/uv/cpg/CodeSystem/cpg-common-process-cs"  # CPG STU2
CARE_STEP = "urn:sciatica-pathway:care-step"

# request-priority: routine | urgent | asap | stat. "stat" is defined as highest priority, as in an
# emergency; "asap" lies between urgent and stat and no pathway urgency means that.
PRIORITY = {Urgency.NONE: "routine", Urgency.ROUTINE: "routine", Urgency.URGENT: "urgent", Urgency.EMERGENCY: "stat"}

# CPG common process (code, display): per phase, unless the state is an emergency or hands the patient on.
PHASE_PROCESS = {
    Phase.ONSET: ("history-and-physical", "History and Physical"),
    Phase.ASSESSMENT: ("history-and-physical", "History and Physical"),
    Phase.CONSERVATIVE_CARE: ("guideline-based-care", "Guideline-based Care"),
    Phase.REASSESSMENT: ("history-and-physical", "History and Physical"),
    Phase.IMAGING: ("diagnostic-testing", "Conduct Diagnostic Tests"),
    Phase.INTERVENTION: ("guideline-based-care", "Guideline-based Care"),
    Phase.REROUTING: ("determine-diagnosis", "Determine Diagnosis"),
    Phase.URGENT: ("local-urgent-care", "Local Urgent Care"),
    Phase.EXIT: ("discharge-referral-of-patient", "Discharge/Referral of Patient"),
}
EMERGENCY = ("emergency-care", "Emergency Care")
DISCHARGE = PHASE_PROCESS[Phase.EXIT]

__all__ = ["PROFILE", "fhir_id", "to_json", "to_plan_definition"]


def to_plan_definition(spec: PathwaySpec, base: str | None = None, publisher: str | None = None) -> dict:
    """The PlanDefinition as plain JSON data, keys in a fixed order."""
    _check_ids([s.id for s in spec.states] + [t.id for t in spec.transitions])
    states = sorted(spec.states, key=lambda s: s.id != spec.initial)  # stable: the initial first
    meta = metadata(spec, base, publisher)
    return {
        "resourceType": "PlanDefinition",
        "id": resource_id(spec),
        "meta": {"profile": [PROFILE]},
        "text": narrative(spec),
        **meta["header"],
        "type": {"coding": [{"system": PLAN_TYPE, "code": "clinical-protocol", "display": "Clinical Protocol"}]},
        **meta["footer"],
        **({"usage": imaging_rules_words(spec)} if spec.imaging_rules else {}),
        "relatedArtifact": [citation(r) for r in spec.references],
        "action": [_state_action(spec, s) for s in states],
    }


def to_json(spec: PathwaySpec, base: str | None = None, publisher: str | None = None) -> str:
    """Deterministic: fixed key order, indent 2, a trailing newline."""
    return json.dumps(to_plan_definition(spec, base, publisher), indent=2, ensure_ascii=False) + "\n"


def process_code(state: State) -> tuple[str, str]:
    if state.terminal or state.care_step is CareStep.DISCHARGED:
        return DISCHARGE
    return EMERGENCY if state.urgency is Urgency.EMERGENCY else PHASE_PROCESS[state.phase]


def _state_action(spec: PathwaySpec, state: State) -> dict:
    code, display = process_code(state)
    coding = [{"system": PROCESS, "code": code, "display": display},
              {"system": CARE_STEP, "code": state.care_step.value}]
    action = {
        "id": fhir_id(state.id),
        "title": state.label,
        "description": state.description or state.label,
        "code": [{"coding": coding, "text": state.care_step.value.replace("_", " ")}],
        "priority": PRIORITY[state.urgency],
        "documentation": [citation(spec.reference[c]) for c in state.citations],
    }
    outgoing = spec.outgoing(state.id)
    if state.terminal or not outgoing:
        action["textEquivalent"] = " ".join([*state_words(spec, state), sentence(exit_words(spec, state))])
        if state.receiving_service:
            action["participant"] = [{"type": "practitioner", "role": {"text": state.receiving_service}}]
        return action
    # A state that decides at once always takes one transition (`sciatica check` proves none falls
    # through); one that waits stays put when none applies, as the engine does.
    decides = state.waits is Waits.DECIDES
    action["textEquivalent"] = " ".join(
        [*state_words(spec, state),
         sentence(f"{waits_words(spec, state)}; then the transitions are tried in the order listed (red flags R1, "
                  "R2, ... first) and the first whose condition holds is taken"
                  + ("" if decides else "; if none holds, the patient stays here"))])
    conditions = {c.name: c.expr for c in spec.conditions}
    action["action"] = [{
        "id": f"{fhir_id(state.id)}.decide",
        "title": f"Decide: the first transition whose condition holds ({'one always does' if decides else 'or stay'})",
        "groupingBehavior": "logical-group",
        "selectionBehavior": "exactly-one" if decides else "at-most-one",
        "action": [_transition_action(spec, t, conditions) for t in outgoing],
    }]
    return action


def _transition_action(spec: PathwaySpec, t: Transition, conditions) -> dict:
    dest = spec.state[t.dest]
    words = guard_words(spec, t)
    return {
        "id": fhir_id(t.id),
        "prefix": tag(t),
        "title": f"Stay: {dest.label}" if t.is_stay else f"To {dest.label}",
        "description": t.rationale or words,
        "priority": PRIORITY[dest.urgency],
        "documentation": [citation(spec.reference[c]) for c in t.citations],
        "condition": [{
            "kind": "applicability",
            "expression": {"description": words, "language": "text/fhirpath",
                           "expression": to_fhirpath(t.expr, conditions, spec.finding)},
        }],
        "relatedAction": [{"actionId": fhir_id(dest.id), "relationship": "before-start"}],
    }


def _check_ids(raw_ids: list[str]) -> None:
    """Action ids must be unique FHIR ids (at most 64 characters); name the pathway ids that are not."""
    first: dict[str, str] = {}
    problems = []
    for raw in raw_ids:
        safe = fhir_id(raw)
        if safe in first:
            problems.append(f"`{first[safe]}` and `{raw}` both become the id `{safe}`")
        elif len(safe) > 64 - len(".decide"):
            problems.append(f"`{raw}` is longer than a FHIR id (64 characters) allows")
        first.setdefault(safe, raw)
    if problems:
        raise ValueError("cannot export as FHIR: " + "; ".join(problems))


