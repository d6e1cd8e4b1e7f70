"""Patient input as FHIR: the visit Questionnaire (`sciatica export --format questionnaire`) and
`sciatica assess` reading QuestionnaireResponses (one visit, or a Bundle of visits) as strictly as a
JSON patient, with every problem named by its response and item (linkId).
"""

import json

import pytest
from click.testing import CliRunner

from exports import export
from exports.questionnaire import patient_bundle
from fhir_schema import validate
from pathway import example_patients, load_patient
from pathway.cli import main

CANONICAL = "http://example.org/fhir/sciatica-pathway/Questionnaire/sciatica-care-pathway-visit"


@pytest.fixture(scope="module")
def questionnaire(spec):
    return json.loads(export(spec, "questionnaire"))


@pytest.fixture
def bundle(spec):
    """The first example patient (three visits or more) as a Bundle of responses."""
    patient = load_patient(example_patients()[1], spec)
    return patient_bundle(spec, CANONICAL, patient)


def assess(tmp_path, data, *args):
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return CliRunner().invoke(main, ["assess", str(path), *args]), path


def item(response, link):
    return next(i for i in response["item"] if i["linkId"] == link)


# -- the Questionnaire ------------------------------------------------------------------------------


def test_the_questionnaire_validates_and_asks_every_finding(spec, questionnaire):
    assert validate(questionnaire) == []
    assert questionnaire["url"] == CANONICAL and questionnaire["version"] == spec.version
    links = [i["linkId"] for i in questionnaire["item"]]
    assert links == ["age", "week"] + [f.name for f in spec.findings if not f.is_input]
    for entry in questionnaire["item"]:
        finding = spec.finding[entry["linkId"]]
        assert entry["text"] == finding.question and entry["required"] == finding.required
        assert entry["type"] == {"boolean": "boolean", "integer": "integer", "enum": "choice"}[finding.type]
        if finding.type == "enum":
            assert [o["valueCoding"]["code"] for o in entry["answerOption"]] == list(finding.values)
        if finding.type == "integer":
            bounds = {e["url"].rsplit("/", 1)[1]: e["valueInteger"] for e in entry["extension"]}
            assert bounds == {"minValue": finding.minimum, "maxValue": finding.maximum}
        if finding.red_flag:  # asked at every visit, never answered by the form
            assert entry["required"] and "initial" not in entry
        elif not finding.required:
            [initial] = entry["initial"]
            assert list(initial.values())[0] in (finding.default, {**initial.get("valueCoding", {}), "code": finding.default})


# -- assess reads responses ------------------------------------------------------------------------


@pytest.mark.parametrize("path", example_patients(), ids=lambda p: p.stem)
def test_every_example_assessed_from_its_responses_gives_the_same_trace(spec, path, tmp_path):
    data = patient_bundle(spec, CANONICAL, load_patient(path, spec))
    assert validate(data) == [] and all(validate(e["resource"]) == [] for e in data["entry"])
    from_fhir, _ = assess(tmp_path, data, "--json")
    from_json = CliRunner().invoke(main, ["assess", str(path), "--json"])
    assert from_fhir.exit_code == 0, from_fhir.output
    assert from_fhir.stdout == from_json.stdout


def test_one_response_is_one_visit(spec, bundle, tmp_path):
    result, _ = assess(tmp_path, bundle["entry"][0]["resource"], "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["visits"]) == 1


def test_an_optional_question_left_out_takes_its_default(spec, bundle, tmp_path):
    response = bundle["entry"][0]["resource"]
    response["item"] = [i for i in response["item"] if i["linkId"] != "mri_contraindicated"]
    result, _ = assess(tmp_path, response)
    assert result.exit_code == 0, result.output


def _broken(bundle, change):
    change(bundle["entry"][0]["resource"])
    return bundle


def _drop(link):
    return lambda r: r.__setitem__("item", [i for i in r["item"] if i["linkId"] != link])


def _set(link, answer):
    return lambda r: item(r, link).__setitem__("answer", [answer])


BROKEN = {
    "missing red flag": (_drop("fever"), ["entry[0]: item: unanswered red-flag questions (1): fever",
                                          "never read as no"]),
    "unknown linkId": (lambda r: r["item"].append({"linkId": "feverish", "answer": [{"valueBoolean": True}]}),
                       ["(feverish): unknown linkId `feverish`"]),
    "wrong type": (_set("fever", {"valueInteger": 1}), ["(fever): valueInteger 1 is not an answer to `fever`",
                                                         "give valueBoolean: true or false"]),
    "string for a boolean": (_set("fever", {"valueBoolean": "no"}), ['(fever): valueBoolean "no" is not an answer']),
    "unknown code": (_set("trend", {"valueCoding": {"code": "better"}}), ["(trend): valueCoding",
                                                                          "improving, stuck, worse"]),
    "bare code": (_set("trend", {"valueCoding": "stuck"}), ['(trend): valueCoding "stuck" is not an answer']),
    "duplicate": (lambda r: r["item"].append({"linkId": "fever", "answer": [{"valueBoolean": True}]}),
                  ["(fever): `fever` is answered twice in one response"]),
    "two answers": (lambda r: item(r, "fever").__setitem__("answer", [{"valueBoolean": False}] * 2),
                    ["(fever): give exactly one answer"]),
    "contradiction": (lambda r: (_set("symptoms_resolved", {"valueBoolean": True})(r),
                                 _set("trend", {"valueCoding": {"code": "worse"}})(r)),
                      ["contradictory findings - symptoms resolved, yet the trend is worse"]),
    "out of range": (_set("week", {"valueInteger": -1}), ["(week): valueInteger -1 is not an answer to `week`"]),
    "no week": (_drop("week"), ["entry[0]: item week: no `week` item"]),
}


@pytest.mark.parametrize("case", BROKEN, ids=str)
def test_bad_responses_are_refused_naming_the_item(bundle, tmp_path, case):
    change, expected = BROKEN[case]
    result, path = assess(tmp_path, _broken(bundle, change))
    assert result.exit_code == 1 and "Traceback" not in result.output
    for words in expected:
        assert words in result.stderr, result.stderr
    problems = [line for line in result.stderr.splitlines() if line.startswith(str(path))]
    assert problems and all(line.startswith(f"{path}: entry[0]") for line in problems)


def test_visits_out_of_week_order_and_other_resources_are_refused(bundle, tmp_path):
    bundle["entry"].reverse()
    result, path = assess(tmp_path, bundle)
    assert result.exit_code == 1 and "responses must be in week order" in result.stderr
    bundle["entry"].append({"resource": {"resourceType": "Patient"}})
    result, _ = assess(tmp_path, bundle)
    assert f"{path}: entry[{len(bundle['entry']) - 1}]: each entry's resource must be a QuestionnaireResponse" in result.stderr
    result, _ = assess(tmp_path, {"resourceType": "Observation"})
    assert 'resourceType is "Observation"; allowed: QuestionnaireResponse, Bundle' in result.stderr
