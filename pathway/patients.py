"""Patient records (``{"age": 47, "visits": [{"week": 6, "findings": {...}}]}``), checked strictly.

Every problem is named by its JSON field and reported together; a missing red-flag answer is
an error, never a "no".
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import attrs

from .errors import PatientError, Problem
from .inputs import missing_file
from .jsonread import read_json
from .spec import PathwaySpec


@attrs.frozen
class Visit:
    """One visit: the week since onset, and every finding (defaults filled in)."""

    week: int
    findings: dict  # every finding answered, defaults filled in

    def env(self, age: int) -> dict:
        """What guards read at this visit: the findings plus the inputs age and week."""
        return {**self.findings, "age": age, "week": self.week}


@attrs.frozen
class Patient:
    """A patient: the age and the visits, in week order."""

    age: int
    visits: tuple[Visit, ...]
    id: str = ""


def load_patient(path: str | Path, spec: PathwaySpec) -> Patient:
    """Read a patient file strictly (pathway.jsonread: a key given twice, deep nesting, an
    over-long number or invalid text is refused with its line), then check the record."""
    path = Path(path)
    missing = missing_file(path, "patient file")
    if missing is not None:
        raise PatientError([missing], missing=True)
    problems: list[Problem] = []
    data = read_json(path, problems, "patient", {f.name: f.domain_text() for f in spec.findings})
    if data is None:
        raise PatientError(problems)
    from .fhir_input import is_fhir, parse_fhir_patient  # a QuestionnaireResponse, or a Bundle of them

    if is_fhir(data):
        return parse_fhir_patient(data, spec, str(path))
    return parse_patient(data, spec, str(path))


def parse_patient(data: object, spec: PathwaySpec, source: str = "patient") -> Patient:
    """Check a patient given as JSON data (``{"age": ..., "visits": [...]}``) against the pathway's
    findings; raise PatientError naming every problem, by field (``source`` prefixes each)."""
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(f"{source}: {field}" if field else source, message))

    if not isinstance(data, dict):
        raise PatientError([Problem(source, 'a patient is a JSON object: {"age": ..., "visits": [...]}')])
    for key in data:
        if key not in ("id", "age", "visits", "_questions"):  # `_questions`: the template's words, ignored
            bad(key, f"unknown field `{key}`; allowed: id, age, visits")
    age_spec = spec.finding["age"]
    age = data.get("age")
    if not age_spec.allows(age):
        bad("age", f"age is {_shown(age)}; allowed: {age_spec.domain_text()}")
    visits_raw = data.get("visits")
    if not isinstance(visits_raw, list) or not visits_raw:
        bad("visits", "`visits` must be a non-empty list of {\"week\": ..., \"findings\": {...}}")
        visits_raw = []
    visits = [_visit(v, _visit_name(i, v), spec, bad) for i, v in enumerate(visits_raw)]
    _check_order(visits_raw, bad)
    if problems:
        raise PatientError(problems)
    return Patient(age=age, visits=tuple(visits), id=str(data.get("id", "")))


def checked_findings(answers: dict, spec: PathwaySpec, source: str) -> dict:
    """One visit's findings, checked as strictly as a patient file's, with defaults filled in;
    raises PatientError naming each problem (for findings made by a program, e.g. the simulator)."""
    problems: list[Problem] = []
    values = _findings(answers, "findings", spec, lambda field, message: problems.append(Problem(f"{source}: {field}", message)))
    if problems:
        raise PatientError(problems)
    return values


def _visit_name(index: int, raw: object) -> str:
    """How a visit is named in messages: counted from 1, with its week when it has one."""
    week = raw.get("week") if isinstance(raw, dict) else None
    return f"visit {index + 1}" + (f" (week {week})" if isinstance(week, int) and not isinstance(week, bool) else "")


def _visit(raw: object, field: str, spec: PathwaySpec, bad) -> Visit | None:
    if not isinstance(raw, dict):
        bad(field, "a visit is an object: {\"week\": ..., \"findings\": {...}}")
        return None
    for key in raw:
        if key not in ("week", "findings"):
            bad(field, f"unknown field `{key}`; allowed: week, findings")
    week, week_spec = raw.get("week"), spec.finding["week"]
    if isinstance(week, int) and not isinstance(week, bool) and week < 0:
        bad(field, f"week is {week}: weeks since onset cannot be negative")
    elif not week_spec.allows(week):
        bad(field, f"week is {_shown(week)}; allowed: {week_spec.domain_text()}")
    answers = raw.get("findings")
    if not isinstance(answers, dict):
        bad(field, "`findings` must be an object of finding: value")
        return None
    findings = _findings(answers, field, spec, bad)
    return Visit(week=week, findings=findings)


def _findings(answers: dict, field: str, spec: PathwaySpec, bad) -> dict:
    known = {f.name: f for f in spec.findings if not f.is_input}
    values = {}
    for name, value in answers.items():
        finding = known.get(name)
        if finding is None:
            if name in spec.finding:
                bad(field, f"`{name}` is given with the patient or the visit, not as a finding")
                continue
            close = difflib.get_close_matches(name, list(known), n=1)
            bad(field, f"unknown finding `{name}`" + (f"; did you mean `{close[0]}`?" if close else ""))
        elif value is None:
            continue  # reported below as unanswered
        elif not finding.allows(value):
            bad(field, f"{name} is {_shown(value)}; allowed: {finding.domain_text()}")
        else:
            values[name] = value
    missing = [f for f in known.values() if f.required and answers.get(f.name) is None]
    _contradictions(answers, field, spec, bad)
    flags = [f.name for f in missing if f.red_flag]
    others = [f.name for f in missing if not f.red_flag]
    if flags:
        bad(field, f"unanswered red-flag questions ({len(flags)}): {', '.join(flags)}; "
                   "every red-flag question must be answered at every visit - a missing answer is never read as no")
    if others:
        bad(field, f"missing findings ({len(others)}): {', '.join(others)}")
    for f in known.values():
        values.setdefault(f.name, f.default)
    return values


def _contradictions(answers: dict, field: str, spec: PathwaySpec, bad) -> None:
    """Answers that cannot be true together (findings.yaml `contradictions`), named with their values."""
    from .guards import compile_guard, names_in

    for c in spec.contradictions:
        names = list(dict.fromkeys(names_in(c.expr)))
        if not all(isinstance(answers.get(n), (bool, str, int)) for n in names):
            continue  # a missing or ill-typed answer is reported on its own
        if all(spec.finding[n].allows(answers[n]) for n in names) and compile_guard(c.expr, {})(answers):
            given = ", ".join(f"{n}: {_shown(answers[n])}" for n in names)
            bad(field, f"contradictory findings - {c.label} ({given}); correct the visit's answers")


def _check_order(visits: list, bad) -> None:
    weeks = [(i, v.get("week")) for i, v in enumerate(visits) if isinstance(v, dict)]
    weeks = [(i, w) for i, w in weeks if isinstance(w, int) and not isinstance(w, bool)]
    for (i, earlier), (j, later) in zip(weeks, weeks[1:], strict=False):
        if later < earlier:
            bad(_visit_name(j, visits[j]), f"week {later} comes after week {earlier} (visit {i + 1}); "
                                           "visits must be in week order")


def _shown(value: object) -> str:
    if value is None:
        return "missing"
    return json.dumps(value)
