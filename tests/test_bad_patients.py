"""Broken patient records: every problem is reported at once, as the exact `FILE: field.path: message`.

Patients are built from one complete, calm visit (the first visit of the first example patient)
with one thing changed, so each case shows exactly what the change does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pathway import PatientError, example_patients, load_pathway, load_patient, parse_patient, shipped_pathway
from pathway.cli import main

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "examples" / "patients" / "01-improving-then-recovered.json"
SOURCE = "patient.json"  # the name parse_patient gives the record in messages
ABSENT = object()  # leave the finding out altogether

RED_FLAG_RULE = "every red-flag question must be answered at every visit - a missing answer is never read as no"
VISITS_SHAPE = '`visits` must be a non-empty list of {"week": ..., "findings": {...}}'


@pytest.fixture(scope="module")
def spec():
    return load_pathway(shipped_pathway())


def calm_visit(week: int = 1, **changes) -> dict:
    """A complete visit (every question answered, every red flag "no"), with some answers changed;
    a finding given as ABSENT is left out."""
    findings = dict(json.loads(TEMPLATE.read_text(encoding="utf-8"))["visits"][0]["findings"])
    for name, value in changes.items():
        if value is ABSENT:
            del findings[name]
        else:
            findings[name] = value
    return {"week": week, "findings": findings}


def patient(*visits: dict, age: object = 38, **fields) -> dict:
    record = {"age": age, "visits": list(visits) or [calm_visit()]}
    record.update(fields)
    return record


def problems(data: object, spec) -> list[str]:
    with pytest.raises(PatientError) as caught:
        parse_patient(data, spec, SOURCE)
    return [str(p) for p in caught.value.problems]


def test_the_calm_patient_is_accepted(spec):
    """The starting point of every case below: unchanged, it parses, so each problem is the change's."""
    parsed = parse_patient(patient(calm_visit(1), calm_visit(4)), spec, SOURCE)
    assert [v.week for v in parsed.visits] == [1, 4]
    assert parsed.visits[0].findings["fever"] is False
    assert parsed.visits[0].findings["mri_result"] == "none"  # a finding with a default may be left out


CASES = [
    pytest.param(
        [calm_visit()],
        [f'{SOURCE}: a patient is a JSON object: {{"age": ..., "visits": [...]}}'],
        id="not-an-object",
    ),
    pytest.param(
        patient(sex="female"),
        [f"{SOURCE}: sex: unknown field `sex`; allowed: id, age, visits"],
        id="unknown-top-level-field",
    ),
    pytest.param(
        patient(calm_visit(1, feverr=True)),
        [f"{SOURCE}: visits[0].findings.feverr: unknown finding `feverr`; did you mean `fever`?"],
        id="unknown-finding-did-you-mean",
    ),
    pytest.param(
        patient(calm_visit(1, shoe_size=9)),
        [f"{SOURCE}: visits[0].findings.shoe_size: unknown finding `shoe_size`"],
        id="unknown-finding-nothing-close",
    ),
    pytest.param(
        patient({"week": 1, "findings": calm_visit()["findings"], "notes": "seen by locum"}),
        [f"{SOURCE}: visits[0].notes: unknown field `notes`; allowed: week, findings"],
        id="unknown-visit-field",
    ),
    pytest.param(
        patient(calm_visit(1, trend="better")),
        [f'{SOURCE}: visits[0].findings.trend: trend is "better"; allowed: improving, stuck, worse'],
        id="enum-value-outside-domain",
    ),
    pytest.param(
        patient(calm_visit(1, fever="yes")),
        [f'{SOURCE}: visits[0].findings.fever: fever is "yes"; allowed: true or false'],
        id="boolean-given-yes",
    ),
    pytest.param(
        patient(calm_visit(1, disabling=1)),
        [f"{SOURCE}: visits[0].findings.disabling: disabling is 1; allowed: true or false"],
        id="boolean-given-1",
    ),
    pytest.param(
        patient(calm_visit(1, conservative_care_weeks=600)),
        [f"{SOURCE}: visits[0].findings.conservative_care_weeks: conservative_care_weeks is 600; "
         "allowed: a whole number from 0 to 520"],
        id="integer-out-of-range",
    ),
    pytest.param(
        patient(calm_visit(1, conservative_care_weeks=2.5)),
        [f"{SOURCE}: visits[0].findings.conservative_care_weeks: conservative_care_weeks is 2.5; "
         "allowed: a whole number from 0 to 520"],
        id="integer-not-whole",
    ),
    pytest.param(
        patient(calm_visit(1, conservative_care_weeks=True)),
        [f"{SOURCE}: visits[0].findings.conservative_care_weeks: conservative_care_weeks is true; "
         "allowed: a whole number from 0 to 520"],
        id="integer-given-true",
    ),
    pytest.param(
        patient(calm_visit(1, trend=ABSENT, disabling=ABSENT, pain_below_knee=ABSENT)),
        [f"{SOURCE}: visits[0].findings: missing findings (3): pain_below_knee, trend, disabling"],
        id="missing-findings-listed-at-once",
    ),
    pytest.param(
        patient(calm_visit(1, trend=None)),
        [f"{SOURCE}: visits[0].findings: missing findings (1): trend"],
        id="finding-given-null",
    ),
    pytest.param(
        patient(calm_visit(1, fever=None)),
        [f"{SOURCE}: visits[0].findings: unanswered red-flag questions (1): fever; {RED_FLAG_RULE}"],
        id="red-flag-null",
    ),
    pytest.param(
        patient(calm_visit(1, saddle_anaesthesia=ABSENT)),
        [f"{SOURCE}: visits[0].findings: unanswered red-flag questions (1): saddle_anaesthesia; {RED_FLAG_RULE}"],
        id="red-flag-absent",
    ),
    pytest.param(
        patient(calm_visit(1, fever=None, saddle_anaesthesia=ABSENT, trend=ABSENT)),
        [
            f"{SOURCE}: visits[0].findings: unanswered red-flag questions (2): saddle_anaesthesia, fever; {RED_FLAG_RULE}",
            f"{SOURCE}: visits[0].findings: missing findings (1): trend",
        ],
        id="red-flags-and-findings-unanswered",
    ),
    pytest.param(
        patient(calm_visit(4), calm_visit(2)),
        [f"{SOURCE}: visits[1].week: week 2 comes after week 4 (visits[0]); visits must be in week order"],
        id="visits-out-of-order",
    ),
    pytest.param(
        patient(calm_visit(-1)),
        [f"{SOURCE}: visits[0].week: week is -1: weeks since onset cannot be negative"],
        id="negative-week",
    ),
    pytest.param(
        patient(calm_visit(521)),
        [f"{SOURCE}: visits[0].week: week is 521; allowed: a whole number from 0 to 520"],
        id="week-out-of-range",
    ),
    pytest.param(
        patient({"findings": calm_visit()["findings"]}),
        [f"{SOURCE}: visits[0].week: week is missing; allowed: a whole number from 0 to 520"],
        id="week-missing",
    ),
    pytest.param(
        patient(calm_visit("3")),
        [f'{SOURCE}: visits[0].week: week is "3"; allowed: a whole number from 0 to 520'],
        id="week-given-as-text",
    ),
    pytest.param(
        patient(age=15),
        [f"{SOURCE}: age: age is 15; allowed: a whole number from 16 to 120"],
        id="age-below-range",
    ),
    pytest.param(
        patient(age=121),
        [f"{SOURCE}: age: age is 121; allowed: a whole number from 16 to 120"],
        id="age-above-range",
    ),
    pytest.param(
        patient(age=None),
        [f"{SOURCE}: age: age is missing; allowed: a whole number from 16 to 120"],
        id="age-null",
    ),
    pytest.param(
        {"visits": [calm_visit()]},
        [f"{SOURCE}: age: age is missing; allowed: a whole number from 16 to 120"],
        id="age-absent",
    ),
    pytest.param(
        patient(calm_visit(1, age=38)),
        [f"{SOURCE}: visits[0].findings.age: `age` is given with the patient or the visit, not as a finding"],
        id="age-inside-findings",
    ),
    pytest.param(
        patient({"week": 1, "findings": {**calm_visit()["findings"], "week": 1}}),
        [f"{SOURCE}: visits[0].findings.week: `week` is given with the patient or the visit, not as a finding"],
        id="week-inside-findings",
    ),
    pytest.param(
        {"age": 38, "visits": []},
        [f"{SOURCE}: visits: {VISITS_SHAPE}"],
        id="empty-visits",
    ),
    pytest.param(
        {"age": 38},
        [f"{SOURCE}: visits: {VISITS_SHAPE}"],
        id="no-visits",
    ),
    pytest.param(
        patient(calm_visit(1), 7),
        [f'{SOURCE}: visits[1]: a visit is an object: {{"week": ..., "findings": {{...}}}}'],
        id="visit-not-an-object",
    ),
    pytest.param(
        patient({"week": 1, "findings": ["fever"]}),
        [f"{SOURCE}: visits[0].findings: `findings` must be an object of finding: value"],
        id="findings-not-an-object",
    ),
]


@pytest.mark.parametrize("data, expected", CASES)
def test_bad_patient(spec, data, expected):
    assert problems(data, spec) == expected


def test_an_unanswered_red_flag_is_never_read_as_no(spec):
    """The same visit with every red flag answered "no" is accepted; unanswered, it is refused."""
    flags = [f.name for f in spec.findings if f.red_flag]
    assert parse_patient(patient(calm_visit(1)), spec, SOURCE).visits[0].findings["fever"] is False
    unanswered = calm_visit(1, **{name: None for name in flags})
    assert problems(patient(unanswered), spec) == [
        f"{SOURCE}: visits[0].findings: unanswered red-flag questions ({len(flags)}): {', '.join(flags)}; {RED_FLAG_RULE}"
    ]


def test_every_problem_in_a_record_is_reported_at_once(spec):
    data = patient(
        calm_visit(6, fever="yes", trend=ABSENT),
        calm_visit(-2, weaknes="mild"),
        calm_visit(3, bladder_dysfunction=None),
        age=12,
        sex="male",
    )
    assert problems(data, spec) == [
        f"{SOURCE}: sex: unknown field `sex`; allowed: id, age, visits",
        f"{SOURCE}: age: age is 12; allowed: a whole number from 16 to 120",
        f'{SOURCE}: visits[0].findings.fever: fever is "yes"; allowed: true or false',
        f"{SOURCE}: visits[0].findings: missing findings (1): trend",
        f"{SOURCE}: visits[1].week: week is -2: weeks since onset cannot be negative",
        f"{SOURCE}: visits[1].findings.weaknes: unknown finding `weaknes`; did you mean `weakness`?",
        f"{SOURCE}: visits[2].findings: unanswered red-flag questions (1): bladder_dysfunction; {RED_FLAG_RULE}",
        f"{SOURCE}: visits[1].week: week -2 comes after week 6 (visits[0]); visits must be in week order",
    ]


# -- files -----------------------------------------------------------------------------------------


def position(text: str, marker: str) -> tuple[int, int]:
    """(line, column), both from 1, of the marker's first character."""
    index = text.index(marker)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def test_malformed_json_names_file_line_and_column(spec, tmp_path):
    text = '{\n  "age": 38,\n  "visits": [\n    {"week": 1, "findings": {},}\n  ]\n}\n'
    path = tmp_path / "trailing-comma.json"
    path.write_text(text, encoding="utf-8")
    line, column = position(text, "}\n  ]")  # the } after the stray comma
    with pytest.raises(PatientError) as caught:
        load_patient(path, spec)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:{line}:{column}: malformed JSON: Expecting property name enclosed in double quotes"
    ]


def test_malformed_json_unquoted_value(spec, tmp_path):
    text = '{"age": 38, "visits": [{"week": 1, "findings": {"fever": no}}]}'
    path = tmp_path / "unquoted.json"
    path.write_text(text, encoding="utf-8")
    line, column = position(text, "no}")
    with pytest.raises(PatientError) as caught:
        load_patient(path, spec)
    assert [str(p) for p in caught.value.problems] == [f"{path}:{line}:{column}: malformed JSON: Expecting value"]


def test_a_patient_file_that_is_not_an_object(spec, tmp_path):
    path = tmp_path / "list.json"
    path.write_text(json.dumps([calm_visit()]), encoding="utf-8")
    with pytest.raises(PatientError) as caught:
        load_patient(path, spec)
    assert [str(p) for p in caught.value.problems] == [f'{path}: a patient is a JSON object: {{"age": ..., "visits": [...]}}']


def test_a_missing_patient_file(spec, tmp_path):
    path = tmp_path / "nobody.json"
    with pytest.raises(PatientError) as caught:
        load_patient(path, spec)
    assert [str(p) for p in caught.value.problems] == [f"{path}: cannot read patient file: No such file or directory"]


def test_problems_in_a_file_are_named_by_file_and_field(spec, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(patient(calm_visit(1, trend="better"), age=130)), encoding="utf-8")
    with pytest.raises(PatientError) as caught:
        load_patient(path, spec)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: age: age is 130; allowed: a whole number from 16 to 120",
        f'{path}: visits[0].findings.trend: trend is "better"; allowed: improving, stuck, worse',
    ]


# -- through the command line ----------------------------------------------------------------------


def stderr_problems(result) -> list[str]:
    """stderr without the first line, which names the pathway every command used."""
    first, *rest = result.stderr.splitlines()
    assert first.startswith("pathway: "), first
    return rest


@pytest.mark.parametrize("extra", [[], ["--json"]], ids=["text", "json"])
def test_cli_assess_prints_every_patient_problem_and_exits_1(tmp_path, extra):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(patient(calm_visit(4), calm_visit(2, fever=None))), encoding="utf-8")
    result = CliRunner().invoke(main, ["assess", str(path), *extra])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert stderr_problems(result) == [
        f"{path}: visits[1].findings: unanswered red-flag questions (1): fever; {RED_FLAG_RULE}",
        f"{path}: visits[1].week: week 2 comes after week 4 (visits[0]); visits must be in week order",
    ]


def test_cli_assess_malformed_json(tmp_path):
    text = '{"age": 38, "visits": [\n  {"week": 1 "findings": {}}\n]}\n'
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    line, column = position(text, '"findings"')
    result = CliRunner().invoke(main, ["assess", str(path)])
    assert result.exit_code == 1, result.output
    assert stderr_problems(result) == [f"{path}:{line}:{column}: malformed JSON: Expecting ',' delimiter"]


def test_cli_assess_accepts_the_template_patient():
    """The template the cases are built from is itself a good patient."""
    assert TEMPLATE in example_patients()
    result = CliRunner().invoke(main, ["assess", str(TEMPLATE)])
    assert result.exit_code == 0, result.output
    assert stderr_problems(result) == []
