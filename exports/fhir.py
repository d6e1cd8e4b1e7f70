"""The validated pathway as a FHIR R4 `PlanDefinition` (HL7 CPG pathway profile), as JSON.

Shape (profile http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-pathwaydefinition, whose
`type` is fixed to plan-definition-type `clinical-protocol`):

- one top-level action per state (the initial state first, then file order): title = label,
  description, code (a CPG common-process code where one fits, and the care step), priority
  from the urgency, the state's sources as `documentation` citations; its `textEquivalent` says
  in words how soon (urgent and emergency work-up), what imaging it orders (its purpose) and what
  it waits for. An exit is a handover: its `participant` role names the receiving service, and a
  later visit starts a new episode;
- the imaging rules, which fit every order to the findings wherever imaging is ordered, in words
  in the PlanDefinition's `usage` (FHIR has no element for them; a reader keeps them by the text);
- inside each state that decides, one nested action per transition, in the order the engine
  tries them (red-flag escalations R1.. first, then 1, 2, ...; `prefix` prints that tag), under
  `selectionBehavior` `exactly-one` (a state that decides at once) or `at-most-one` (a state that
  waits, and stays when none applies). Each carries its guard as an `applicability` condition, the
  destination's priority, the rationale and sources, and a `relatedAction` (`before-start`) to
  the destination state's action. Nested actions, not `after-end` links between states:
  FHIR ANDs all conditions of one action, so a state reached by several transitions could not
  hold their guards side by side.

FHIR has no "first applicable wins"; the order of the nested actions is the order tried, and
the state's `textEquivalent` says so in words.

Ids: `relatedAction.actionId` is a FHIR `id` (letters, digits, `-`, `.`, at most 64), so every
action id is the pathway id with `_` -> `-` and `@` -> `.` (`initial_assessment` ->
`initial-assessment`, `escalate_cord_compression@onset` -> `escalate-cord-compression.onset`); a clash is an error.
"""

from __future__ import annotations

import json
import re

from diagrams.words import handover_words, imaging_words, rules_text, starting_studies, timescale, waits_words
from pathway.guards import describe
from pathway.spec import (
    PathwaySpec,
    Phase,
    Reference,
    State,
    Transition,
    Urgency,
    Waits,
)

PROFILE = "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-pathwaydefinition"
PLAN_TYPE = "http://terminology.hl7.org/CodeSystem/plan-definition-type"
PROCESS = "http://hl7.org/fhir/uv/cpg/CodeSystem/cpg-common-process-cs"  # CPG STU2
LEVEL = "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-knowledgeRepresentationLevel"
CARE_STEP = "urn:sciatica-pathway:care-step"
CONTENT_HASH = "urn:sciatica-pathway:content-hash"
# Expression.language has an *extensible* binding (text/cql, text/fhirpath, ...). None of those
# is the guard language, so an experimental media type names it truthfully; a system that does
# not know it reads `description`, the guard in words.
GUARD_LANGUAGE = "text/x-sciatica-guard"

# request-priority: routine | urgent | asap | stat. "stat" is defined as highest priority, as in an
# emergency; "asap" lies between urgent and stat and no pathway urgency means that.
PRIORITY = {Urgency.NONE: "routine", Urgency.ROUTINE: "routine", Urgency.URGENT: "urgent", Urgency.EMERGENCY: "stat"}

# CPG common process (code, display) per phase; only codes the CPG code system defines. Exit
# (discharge) has none that fits, and the binding is extensible, so it carries the care step alone.
PHASE_PROCESS = {
    Phase.ONSET: ("history-and-physical", "History and Physical"),
    Phase.ASSESSMENT: ("history-and-physical", "History and Physical"),
    Phase.CONSERVATIVE_CARE: ("guideline-based-care", "Guideline-based Care"),
    Phase.REASSESSMENT: ("history-and-physical", "History and Physical"),
    Phase.IMAGING: ("diagnostic-testing", "Conduct Diagnostic Tests"),
    Phase.INTERVENTION: ("guideline-based-care", "Guideline-based Care"),
    Phase.REROUTING: ("determine-diagnosis", "Determine Diagnosis"),
    Phase.URGENT: ("local-urgent-care", "Local Urgent Care"),
}


def to_plan_definition(spec: PathwaySpec) -> dict:
    """The PlanDefinition as plain JSON data, keys in a fixed order."""
    states = sorted(spec.states, key=lambda s: s.id != spec.initial)  # stable: the initial first
    actions = [_state_action(spec, s) for s in states]
    _check_ids([s.id for s in spec.states] + [t.id for t in spec.transitions])
    return {
        "resourceType": "PlanDefinition",
        "id": _slug(spec.name),
        "meta": {"profile": [PROFILE]},
        "extension": [{"url": LEVEL, "valueCode": "structured"}],
        "identifier": [{"system": CONTENT_HASH, "value": spec.content_hash}],
        "version": spec.version,
        "name": _computable_name(spec.name),
        "title": spec.name,
        "type": {"coding": [{"system": PLAN_TYPE, "code": "clinical-protocol", "display": "Clinical Protocol"}]},
        "status": "draft",  # an export, not a publication: a publisher sets it active
        "description": spec.description or spec.name,
        **({"usage": imaging_rules_words(spec)} if spec.imaging_rules else {}),
        "relatedArtifact": [_citation(r) for r in spec.references],
        "action": actions,
    }


def to_json(spec: PathwaySpec) -> str:
    """Deterministic: fixed key order, indent 2, a trailing newline."""
    return json.dumps(to_plan_definition(spec), indent=2, ensure_ascii=False) + "\n"


def fhir_id(raw: str) -> str:
    """A pathway id as a FHIR `id`: `_` -> `-`, `@` -> `.`, anything else not allowed -> `-`."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", raw.replace("@", "."))


def _state_action(spec: PathwaySpec, state: State) -> dict:
    process = PHASE_PROCESS.get(state.phase)
    coding = [{"system": PROCESS, "code": process[0], "display": process[1]}] if process else []
    coding.append({"system": CARE_STEP, "code": state.care_step.value})
    action = {
        "id": fhir_id(state.id),
        "title": state.label,
        "description": state.description or state.label,
        "code": [{"coding": coding, "text": state.care_step.value.replace("_", " ")}],
        "priority": PRIORITY[state.urgency],
        "documentation": [_citation(spec.reference[c]) for c in state.citations],
    }
    outgoing = spec.outgoing(state.id)
    if state.terminal or not outgoing:
        action["textEquivalent"] = " ".join([*state_words(spec, state), _sentence(exit_words(spec, state))])
        if state.receiving_service:
            action["participant"] = [{"type": "practitioner", "role": {"text": state.receiving_service}}]
        return action
    # A state that decides at once always takes one transition (`sciatica check` proves none falls
    # through); one that waits stays put when none applies, as the engine does.
    decides = state.waits is Waits.DECIDES
    action["textEquivalent"] = " ".join(
        [*state_words(spec, state),
         _sentence(f"{waits_words(spec, state)}; then the transitions are tried in the order listed (red flags R1, "
                   "R2, ... first) and the first whose condition holds is taken"
                   + ("" if decides else "; if none holds, the patient stays here"))])
    action["groupingBehavior"] = "logical-group"
    action["selectionBehavior"] = "exactly-one" if decides else "at-most-one"
    action["action"] = [_transition_action(spec, t) for t in outgoing]
    return action


def _transition_action(spec: PathwaySpec, t: Transition) -> dict:
    dest = spec.state[t.dest]
    words = guard_words(spec, t)
    return {
        "id": fhir_id(t.id),
        "prefix": tag(t),
        "title": f"Stay: {dest.label}" if t.is_stay else f"To {dest.label}",
        "description": t.rationale or words,
        "priority": PRIORITY[dest.urgency],
        "documentation": [_citation(spec.reference[c]) for c in t.citations],
        "condition": [{
            "kind": "applicability",
            "expression": {"description": words, "language": GUARD_LANGUAGE, "expression": guard_text(t)},
        }],
        "relatedAction": [{"actionId": fhir_id(dest.id), "relationship": "before-start"}],
    }


# Wording shared with the BPMN export, so both say the same thing.

def guard_words(spec: PathwaySpec, t: Transition) -> str:
    """The guard in words, named conditions by their full labels (as `sciatica assess` words them)."""
    return describe(t.expr, spec.finding, {c.name: c.label for c in spec.conditions})


def guard_text(t: Transition) -> str:
    """The guard as written, on one line (a folded YAML guard may carry line breaks)."""
    return " ".join(t.text.split())


def tag(t: Transition) -> str:
    """The order as the diagrams print it: R1, R2, ... for red flags, then 1, 2, ..."""
    return f"R{t.priority}" if t.escalation else str(t.priority)


def state_words(spec: PathwaySpec, state: State) -> list[str]:
    """How soon (urgent and emergency work-up) and what imaging the state orders, as sentences."""
    words = [_sentence(f"Work-up {timescale(state)}")] if timescale(state) else []
    if state.purpose in spec.purpose:
        purpose = spec.purpose[state.purpose]
        words.append(_sentence(f"Orders imaging: {imaging_words(spec, state)} (starts from "
                               f"{starting_studies(purpose)}; the imaging rules fit it to the findings)"))
    return words


def exit_words(spec: PathwaySpec, state: State) -> str:
    """An exit in words: who it hands over to, and what a later visit does."""
    return (f"Ends this pathway: {handover_words(state)}; a later visit starts a new episode at "
            f"{spec.state[spec.initial].label}")


def imaging_rules_words(spec: PathwaySpec) -> str:
    """The imaging rules in words, numbered in the order they are applied, with their sources."""
    rules = rules_text(spec, {c.name: c.label for c in spec.conditions})
    return "Imaging rules, applied wherever imaging is ordered, in this order, each to the order as the rules " \
           "before it left it: " + " ".join(
               f"{r.number}. {r.label}: when {r.when}, {r.then} [{', '.join(r.citations)}]." for r in rules)


def _sentence(text: str) -> str:
    return f"{text[0].upper()}{text[1:]}."


def _citation(ref: Reference) -> dict:
    return {"type": "citation", "label": ref.id, "display": f"{ref.source} [{ref.status}]: {ref.detail}"}


def _computable_name(name: str) -> str:
    """cnl-0 wants a name usable as an identifier: `Sciatica care pathway` -> `SciaticaCarePathway`."""
    camel = re.sub(r"[^A-Za-z0-9]", "", name.title())
    return camel if camel[:1].isalpha() else f"Pathway{camel}"


def _slug(name: str) -> str:
    """The resource id: lower-case words joined by `-`, at most 64 characters."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower())[:64].strip("-") or "pathway"


def _check_ids(raw_ids: list[str]) -> None:
    """Action ids must be unique FHIR ids (at most 64 characters); name the pathway ids that are not."""
    first: dict[str, str] = {}
    problems = []
    for raw in raw_ids:
        safe = fhir_id(raw)
        if safe in first:
            problems.append(f"`{first[safe]}` and `{raw}` both become the id `{safe}`")
        elif len(safe) > 64:
            problems.append(f"`{raw}` is longer than the 64 characters of a FHIR id")
        first.setdefault(safe, raw)
    if problems:
        raise ValueError("cannot export as FHIR: " + "; ".join(problems))
