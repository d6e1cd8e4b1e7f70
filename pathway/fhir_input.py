"""Patients as FHIR: one QuestionnaireResponse per visit (or a Bundle of them), read as strictly as
a JSON patient.

The conventions, shared with `sciatica export --format questionnaire` (which writes the
Questionnaire) and the FHIRPath conditions of the PlanDefinition:

- each finding is an item whose `linkId` is the finding's name; the inputs are items too: `age`
  (years) and `week` (weeks since onset: the visit's week; it dates the visit);
- one answer per item: `valueBoolean` (true/false questions), `valueInteger` (numbers) or
  `valueCoding` (choices; system `urn:sciatica-pathway:finding:<name>`, code the value);
- a Bundle holds one response per visit, in week order; every response gives the same `age`.

Every problem is named by the response (`entry[i]`) and the item (`item[j]`, its linkId): an
unknown linkId, a duplicate, a wrong type or code, several answers; then the visit's findings go
through the checks a JSON patient's do (`checked_findings`): a missing red-flag answer is an error
naming its linkId, never a "no"; contradictions are named with their values.
"""

from __future__ import annotations

import json

from .errors import PatientError, Problem
from .patients import Patient, Visit, checked_findings
from .spec import Finding, PathwaySpec

INPUTS = ("age", "week")


def answer_system(name: str) -> str:
    """The Coding system of a choice finding's answers."""
    return f"urn:sciatica-pathway:finding:{name}"


def value_key(finding: Finding) -> str:
    return {"boolean": "valueBoolean", "integer": "valueInteger", "enum": "valueCoding"}[finding.type]


def is_fhir(data: object) -> bool:
    return isinstance(data, dict) and "resourceType" in data


def parse_fhir_patient(data: dict, spec: PathwaySpec, source: str) -> Patient:
    """A QuestionnaireResponse or a Bundle of them, as a Patient; PatientError lists every problem."""
    problems: list[Problem] = []
    responses = _responses(data, source, problems)
    read = [_visit(r, where, spec, problems) for where, r in responses]
    ages = {age for age, _ in read if age is not None}
    if len(ages) > 1:
        problems.append(Problem(source, f"the responses give different ages: {', '.join(map(str, sorted(ages)))}"))
    weeks = [(where, visit.week) for (where, _), (_, visit) in zip(responses, read) if visit is not None]
    for (_, earlier), (where, later) in zip(weeks, weeks[1:]):
        if later < earlier:
            problems.append(Problem(f"{where}: item week", f"week {later} comes after week {earlier}; "
                                                           "responses must be in week order"))
    if problems:
        raise PatientError(problems)
    return Patient(age=ages.pop(), visits=tuple(v for _, v in read), id=str(data.get("id", "")))


def _responses(data: dict, source: str, problems: list[Problem]) -> list[tuple[str, dict]]:
    kind = data.get("resourceType")
    if kind == "QuestionnaireResponse":
        return [(source, data)]
    if kind != "Bundle":
        problems.append(Problem(f"{source}: resourceType", f"resourceType is {json.dumps(kind)}; "
                                                           "allowed: QuestionnaireResponse, Bundle"))
        return []
    entries = data.get("entry")
    if not isinstance(entries, list) or not entries:
        problems.append(Problem(f"{source}: entry", "a Bundle of visits needs entries, one QuestionnaireResponse each"))
        return []
    found = []
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "QuestionnaireResponse":
            problems.append(Problem(f"{source}: entry[{i}]", "each entry's resource must be a QuestionnaireResponse"))
        else:
            found.append((f"{source}: entry[{i}]", resource))
    return found


def _visit(response: dict, where: str, spec: PathwaySpec, problems: list[Problem]) -> tuple[int | None, Visit | None]:
    """One response's age and visit (None where its problems are reported)."""
    items = response.get("item")
    if not isinstance(items, list) or not items:
        problems.append(Problem(f"{where}: item", "a response needs items, one per finding (linkId: the finding's name)"))
        return None, None
    answers = _answers(items, where, spec, problems)
    inputs = {name: answers.pop(name, None) for name in INPUTS}
    for name, value in inputs.items():
        if value is None:
            problems.append(Problem(f"{where}: item {name}", f"no `{name}` item: {spec.finding[name].question}"))
    try:
        findings = checked_findings(answers, spec, where)
    except PatientError as err:
        problems.extend(Problem(p.where.replace(f"{where}: findings", f"{where}: item"), p.message) for p in err.problems)
        return inputs["age"], None
    if inputs["week"] is None:
        return inputs["age"], None
    return inputs["age"], Visit(week=inputs["week"], findings=findings)


def _answers(items: list, where: str, spec: PathwaySpec, problems: list[Problem]) -> dict:
    answers: dict = {}
    for j, item in enumerate(items):
        link = item.get("linkId") if isinstance(item, dict) else None
        at = f"{where}: item[{j}]" + (f" ({link})" if isinstance(link, str) else "")
        if not isinstance(link, str):
            problems.append(Problem(at, "an item needs a linkId (the finding's name)"))
        elif link not in spec.finding:
            problems.append(Problem(at, f"unknown linkId `{link}`; each linkId is a finding's name, `age` or `week`"))
        elif link in answers:
            problems.append(Problem(at, f"`{link}` is answered twice in one response"))
        else:
            value = _value(item, spec.finding[link], at, problems)
            if value is not None:
                answers[link] = value
    return answers


def _value(item: dict, finding: Finding, at: str, problems: list[Problem]) -> object:
    found = item.get("answer")
    if not isinstance(found, list) or len(found) != 1 or not isinstance(found[0], dict):
        problems.append(Problem(at, "give exactly one answer" if found else "no answer"))
        return None
    answer, key = found[0], value_key(finding)
    others = sorted(k for k in answer if k.startswith("value") and k != key)
    value = answer.get(key)
    if finding.type == "enum":  # a Coding, never a bare code
        if isinstance(value, dict) and value.get("system") not in (None, answer_system(finding.name)):
            problems.append(Problem(at, f"answer system {json.dumps(value.get('system'))}; expected {answer_system(finding.name)}"))
            return None
        value = value.get("code") if isinstance(value, dict) else None
    if others or not finding.allows(value):
        given = others[0] if others else key
        problems.append(Problem(at, f"{given} {json.dumps(answer.get(given))} is not an answer to `{finding.name}`; "
                                    f"give {key}: {finding.domain_text()}"))
        return None
    return value
