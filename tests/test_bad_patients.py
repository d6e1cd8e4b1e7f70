"""Broken patient records: every problem is reported at once, as the exact `FILE: where: message`
(`visit 2 (week 6)`: visits counted from 1, with their week).

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
from said import problems as cli_problems

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
        [f"{SOURCE}: visit 1 (week 1): unknown finding `feverr`; did you mean `fever`?"],
        id="unknown-finding-did-you-mean",
    ),
    pytest.param(
        patient(calm_visit(1, shoe_size=9)),
        [f"{SOURCE}: visit 1 (week 1): unknown finding `shoe_size`"],
        id="unknown-finding-nothing-close",
    ),
    pytest.param(
        patient({"week": 1, "findings": calm_visit()["findings"], "notes": "seen by locum"}),
        [f"{SOURCE}: visit 1 (week 1): unknown field `notes`; allowed: week, findings"],
        id="unknown-visit-field",
    ),
    pytest.param(
        patient(calm_visit(1, trend="better")),
        [f'{SOURCE}: visit 1 (week 1): trend is "better"; allowed: improving, stuck, worse'],
        id="enum-value-outside-domain",
    ),
    pytest.param(
        patient(calm_visit(1, fever="yes")),
        [f'{SOURCE}: visit 1 (week 1): fever is "yes"; allowed: true or false'],
        id="boolean-given-yes",
    ),
    pytest.param(
        patient(calm_visit(1, disabling=1)),
        [f"{SOURCE}: visit 1 (week 1): disabling is 1; allowed: true or false"],
        id="boolean-given-1",
    ),
    pytest.param(
        patient(calm_visit(1, conservative_care_weeks=600)),
        [f"{SOURCE}: visit 1 (week 1): conservative_care_weeks is 600; "
         "allowed: a whole number from 0 to 520"],
        id="integer-out-of-range",
    ),
    pytest.param(
        patient(calm_visit(1, conservative_care_weeks=2.5)),
        [f"{SOURCE}: visit 1 (week 1): conservative_care_weeks is 2.5; "
         "allowed: a whole number from 0 to 520"],
        id="integer-not-whole",
    ),
    pytest.param(
        patient(calm_visit(1, conservative_care_weeks=True)),
        [f"{SOURCE}: visit 1 (week 1): conservative_care_weeks is true; "
         "allowed: a whole number from 0 to 520"],
        id="integer-given-true",
    ),
    pytest.param(
        patient(calm_visit(1, trend=ABSENT, disabling=ABSENT, pain_below_knee=ABSENT)),
        [f"{SOURCE}: visit 1 (week 1): missing findings (3): pain_below_knee, trend, disabling"],
        id="missing-findings-listed-at-once",
    ),
    pytest.param(
        patient(calm_visit(1, trend=None)),
        [f"{SOURCE}: visit 1 (week 1): missing findings (1): trend"],
        id="finding-given-null",
    ),
    pytest.param(
        patient(calm_visit(1, fever=None)),
        [f"{SOURCE}: visit 1 (week 1): unanswered red-flag questions (1): fever; {RED_FLAG_RULE}"],
        id="red-flag-null",
    ),
    pytest.param(
        patient(calm_visit(1, saddle_anaesthesia=ABSENT)),
        [f"{SOURCE}: visit 1 (week 1): unanswered red-flag questions (1): saddle_anaesthesia; {RED_FLAG_RULE}"],
        id="red-flag-absent",
    ),
    pytest.param(
        patient(calm_visit(1, fever=None, saddle_anaesthesia=ABSENT, trend=ABSENT)),
        [
            f"{SOURCE}: visit 1 (week 1): unanswered red-flag questions (2): saddle_anaesthesia, fever; {RED_FLAG_RULE}",
            f"{SOURCE}: visit 1 (week 1): missing findings (1): trend",
        ],
        id="red-flags-and-findings-unanswered",
    ),
    pytest.param(
        patient(calm_visit(4), calm_visit(2)),
        [f"{SOURCE}: visit 2 (week 2): week 2 comes after week 4 (visit 1); visits must be in week order"],
        id="visits-out-of-order",
    ),
    pytest.param(
        patient(calm_visit(-1)),
        [f"{SOURCE}: visit 1 (week -1): week is -1: weeks since onset cannot be negative"],
        id="negative-week",
    ),
    pytest.param(
        patient(calm_visit(521)),
        [f"{SOURCE}: visit 1 (week 521): week is 521; allowed: a whole number from 0 to 520"],
        id="week-out-of-range",
    ),
    pytest.param(
        patient({"findings": calm_visit()["findings"]}),
        [f"{SOURCE}: visit 1: week is missing; allowed: a whole number from 0 to 520"],
        id="week-missing",
    ),
    pytest.param(
        patient(calm_visit("3")),
        [f'{SOURCE}: visit 1: week is "3"; allowed: a whole number from 0 to 520'],
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
        [f"{SOURCE}: visit 1 (week 1): `age` is given with the patient or the visit, not as a finding"],
        id="age-inside-findings",
    ),
    pytest.param(
        patient({"week": 1, "findings": {**calm_visit()["findings"], "week": 1}}),
        [f"{SOURCE}: visit 1 (week 1): `week` is given with the patient or the visit, not as a finding"],
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
        [f'{SOURCE}: visit 2: a visit is an object: {{"week": ..., "findings": {{...}}}}'],
        id="visit-not-an-object",
    ),
    pytest.param(
        patient({"week": 1, "findings": ["fever"]}),
        [f"{SOURCE}: visit 1 (week 1): `findings` must be an object of finding: value"],
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
        f"{SOURCE}: visit 1 (week 1): unanswered red-flag questions ({len(flags)}): {', '.join(flags)}; {RED_FLAG_RULE}"
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
        f'{SOURCE}: visit 1 (week 6): fever is "yes"; allowed: true or false',
        f"{SOURCE}: visit 1 (week 6): missing findings (1): trend",
        f"{SOURCE}: visit 2 (week -2): week is -2: weeks since onset cannot be negative",
        f"{SOURCE}: visit 2 (week -2): unknown finding `weaknes`; did you mean `weakness`?",
        f"{SOURCE}: visit 3 (week 3): unanswered red-flag questions (1): bladder_dysfunction; {RED_FLAG_RULE}",
        f"{SOURCE}: visit 2 (week -2): week -2 comes after week 6 (visit 1); visits must be in week order",
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
    assert [str(p) for p in caught.value.problems] == [f"no such patient file: {path}"]
    assert caught.value.missing


def test_a_folder_given_as_the_patient_file(spec, tmp_path):
    with pytest.raises(PatientError) as caught:
        load_patient(tmp_path, spec)
    assert [str(p) for p in caught.value.problems] == [f"{tmp_path}: is a folder; give a patient file"]


# -- hostile files (issue 17): refused with the line, before the record is read ----------------------


def file_problems(spec, tmp_path, text: str) -> list[str]:
    path = tmp_path / "patient.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PatientError) as caught:
        load_patient(path, spec)
    return [str(p).replace(str(path), "patient.json") for p in caught.value.problems]


def one_visit(findings: str, age: str = "38") -> str:
    """A patient file, one key a line, with the calm visit's findings and `findings` added at the end."""
    calm = calm_visit()["findings"]
    lines = [f'        "{name}": {json.dumps(value)},' for name, value in calm.items()]
    return ('{\n  "age": ' + age + ',\n  "visits": [\n    {\n      "week": 1,\n      "findings": {\n'
            + "\n".join(lines) + "\n" + findings + "\n      }\n    }\n  ]\n}\n")


def line_of(text: str, needle: str, nth: int = 1) -> int:
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    return text.count("\n", 0, index) + 1


def test_a_red_flag_answered_twice_is_refused_with_both_lines(spec, tmp_path):
    """The fuzz campaign's reproducer: json keeps the last answer, so a "yes" then "no" read as "no"."""
    calm = one_visit("").replace('        "bladder_dysfunction": false,\n', "")
    text = calm.replace('"findings": {\n', '"findings": {\n        "bladder_dysfunction": true, "bladder_dysfunction": false,\n')
    line = line_of(text, "bladder_dysfunction")
    assert file_problems(spec, tmp_path, text) == [f'patient.json:{line}: duplicate key "bladder_dysfunction" (first at line {line})']
    text = one_visit('        "bladder_dysfunction": true')
    first, again = line_of(text, '"bladder_dysfunction"'), line_of(text, '"bladder_dysfunction"', 2)
    assert first < again
    assert file_problems(spec, tmp_path, text) == [f'patient.json:{again}: duplicate key "bladder_dysfunction" (first at line {first})']


def test_a_key_repeated_at_the_top_is_refused(spec, tmp_path):
    text = one_visit("").replace('  "age": 38,\n', '  "age": 38,\n  "age": 70,\n')
    assert file_problems(spec, tmp_path, text) == ['patient.json:3: duplicate key "age" (first at line 2)']


@pytest.mark.parametrize("nested", ["[" * 5000 + "]" * 5000, '{"a": ' * 5000 + "1" + "}" * 5000], ids=["arrays", "objects"])
def test_nesting_thousands_deep_is_refused_before_parsing(spec, tmp_path, nested):
    assert file_problems(spec, tmp_path, nested) == [
        "patient.json:1: nested more than 20 levels deep; a patient file needs at most 4"]


def test_an_integer_thousands_of_digits_long_is_refused(spec, tmp_path):
    assert file_problems(spec, tmp_path, one_visit("", age="9" * 5000)) == [
        "patient.json:2: age: the number 999999999999...999999 is 5,000 digits long; allowed: a whole number from 16 to 120"]
    text = one_visit('        "conservative_care_weeks": ' + "1" * 30).replace('        "conservative_care_weeks": 0,\n', "")
    assert file_problems(spec, tmp_path, text) == [
        f"patient.json:{line_of(text, '111')}: conservative_care_weeks: the number 111111111111...111111 is 30 digits "
        "long; allowed: a whole number from 0 to 520"]


def test_nan_is_not_a_number(spec, tmp_path):
    assert file_problems(spec, tmp_path, one_visit("", age="NaN")) == [
        "patient.json:2: age: `NaN` is not a number in JSON; allowed: a whole number from 16 to 120"]


@pytest.mark.parametrize("escape, said", [
    ("\\ud800", "holds U+D800, half of a surrogate pair, which is not valid Unicode text"),
    ("\\u0000", "holds the control character U+0000; text may hold tabs and line breaks, but no other control characters"),
], ids=["lone-surrogate", "nul"])
def test_text_that_is_not_valid_unicode_is_refused(spec, tmp_path, escape, said):
    text = one_visit("").replace('  "age": 38,', f'  "id": "P{escape}",\n  "age": 38,')
    assert file_problems(spec, tmp_path, text) == [f"patient.json:2: id: the text {said}"]
    text = one_visit("").replace('  "age": 38,', f'  "P{escape}": 1,\n  "age": 38,')
    assert file_problems(spec, tmp_path, text) == [f"patient.json:2: this key {said}"]


def test_a_byte_order_mark_is_fine(spec, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + TEMPLATE.read_bytes())
    assert load_patient(path, spec).age == load_patient(TEMPLATE, spec).age


def test_problems_in_a_file_are_named_by_file_and_field(spec, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(patient(calm_visit(1, trend="better"), age=130)), encoding="utf-8")
    with pytest.raises(PatientError) as caught:
        load_patient(path, spec)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: age: age is 130; allowed: a whole number from 16 to 120",
        f'{path}: visit 1 (week 1): trend is "better"; allowed: improving, stuck, worse',
    ]


# -- through the command line ----------------------------------------------------------------------



@pytest.mark.parametrize("extra", [[], ["--json"]], ids=["text", "json"])
def test_cli_assess_prints_every_patient_problem_and_exits_1(tmp_path, extra):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(patient(calm_visit(4), calm_visit(2, fever=None))), encoding="utf-8")
    result = CliRunner().invoke(main, ["assess", str(path), *extra])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert cli_problems(result) == [
        f"{path}: visit 2 (week 2): unanswered red-flag questions (1): fever; {RED_FLAG_RULE}",
        f"{path}: visit 2 (week 2): week 2 comes after week 4 (visit 1); visits must be in week order",
    ]


def test_cli_assess_malformed_json(tmp_path):
    text = '{"age": 38, "visits": [\n  {"week": 1 "findings": {}}\n]}\n'
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    line, column = position(text, '"findings"')
    result = CliRunner().invoke(main, ["assess", str(path)])
    assert result.exit_code == 1, result.output
    assert cli_problems(result) == [f"{path}:{line}:{column}: malformed JSON: Expecting ',' delimiter"]


def test_cli_assess_accepts_the_template_patient():
    """The template the cases are built from is itself a good patient."""
    assert TEMPLATE in example_patients()
    result = CliRunner().invoke(main, ["assess", str(TEMPLATE)])
    assert result.exit_code == 0, result.output
    assert cli_problems(result) == []


def test_cli_assess_refuses_a_red_flag_answered_twice(tmp_path):
    """Before: exit 0, routed as if the bladder were fine (the last answer won)."""
    text = one_visit('        "bladder_dysfunction": true')
    path = tmp_path / "twice.json"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["assess", str(path)])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    first, again = line_of(text, '"bladder_dysfunction"'), line_of(text, '"bladder_dysfunction"', 2)
    assert cli_problems(result) == [f'{path}:{again}: duplicate key "bladder_dysfunction" (first at line {first})']


def test_cli_assess_a_missing_file_says_so(tmp_path):
    result = CliRunner().invoke(main, ["assess", str(tmp_path / "nobody.json")])
    assert result.exit_code == 1
    assert cli_problems(result) == [f"no such patient file: {tmp_path / 'nobody.json'}"]
