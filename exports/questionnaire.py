"""Patient input as FHIR: the visit's SDC Questionnaire, and a patient as a Bundle of
QuestionnaireResponses (one per visit), laid out as `pathway.fhir_input` reads them.

The Questionnaire has an item per input (`age`, `week`) and per finding, in findings.yaml's order:
its question text, its type (boolean, integer with the minimum and maximum as SDC `minValue` and
`maxValue` extensions, choice with an answer option per value), `required` where the finding has
no default (every red-flag question: required, and never given an initial answer, so a form never
answers one for the clinician), and the default as the `initial` answer of an optional question.
"""

from __future__ import annotations

from pathway.fhir_input import answer_system, value_key
from pathway.patients import Patient
from pathway.spec import Finding, PathwaySpec

SDC_PROFILE = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ITEM_TYPE = {"boolean": "boolean", "integer": "integer", "enum": "choice"}


def questionnaire_id(spec_id: str) -> str:
    return f"{spec_id}-visit"


def to_questionnaire(spec: PathwaySpec, meta: dict, spec_id: str) -> dict:
    """The visit Questionnaire; ``meta`` holds the canonical url, version, status, publisher, ..."""
    items = [_item(f) for f in spec.findings if f.is_input] + [_item(f) for f in spec.findings if not f.is_input]
    return {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(spec_id),
        "meta": {"profile": [SDC_PROFILE]},
        "url": f"{meta['base']}/Questionnaire/{questionnaire_id(spec_id)}",
        "version": spec.version,
        "name": f"{meta['name']}Visit",
        "title": f"{spec.name}: one visit's findings",
        "status": meta["status"],
        "publisher": meta["publisher"],
        "description": "The findings recorded at one visit, as the pathway reads them. Every red-flag question "
                       "must be answered at every visit; an unanswered one is an error, never a no.",
        "subjectType": ["Patient"],
        "item": items,
    }


def _item(finding: Finding) -> dict:
    item = {"linkId": finding.name, "text": finding.question, "type": ITEM_TYPE[finding.type],
            "required": finding.required}
    if finding.type == "integer":
        item["extension"] = [{"url": MIN_VALUE, "valueInteger": finding.minimum},
                             {"url": MAX_VALUE, "valueInteger": finding.maximum}]
    if finding.type == "enum":
        item["answerOption"] = [{"valueCoding": _coding(finding, v)} for v in finding.values]
    if not finding.required and not finding.red_flag:
        item["initial"] = [_answer(finding, finding.default)]
    return {"linkId": item.pop("linkId"), **({"extension": item.pop("extension")} if "extension" in item else {}),
            **item}


def _coding(finding: Finding, value: str) -> dict:
    return {"system": answer_system(finding.name), "code": value, "display": value.replace("_", " ")}


def _answer(finding: Finding, value: object) -> dict:
    return {value_key(finding): _coding(finding, value) if finding.type == "enum" else value}


def visit_response(spec: PathwaySpec, canonical: str, age: int, week: int, findings: dict) -> dict:
    """One visit's findings as a completed QuestionnaireResponse (every finding answered)."""
    values = {"age": age, "week": week, **findings}
    items = [{"linkId": f.name, "answer": [_answer(f, values[f.name])]} for f in spec.findings]
    return {"resourceType": "QuestionnaireResponse", "questionnaire": canonical, "status": "completed", "item": items}


def patient_bundle(spec: PathwaySpec, canonical: str, patient: Patient) -> dict:
    """A patient as a Bundle (collection) of QuestionnaireResponses, one per visit, in week order."""
    entries = [{"resource": visit_response(spec, canonical, patient.age, v.week, v.findings)} for v in patient.visits]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
