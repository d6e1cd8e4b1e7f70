"""`sciatica export`, the command: formats, files, errors, determinism. What each format holds is
tested in test_exports_fhir.py, test_exports_bpmn.py and test_exports_mermaid.py; the tools
integrators open them with run in test_consumers.py.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from edits import broken_copy, line_of, replace

import exports
from diagrams import build_model, to_mermaid
from exports import export
from pathway import load_pathway
from pathway.cli import main

REPO = Path(__file__).resolve().parent.parent
BPMN_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
# Written out here, not imported, so a wrong mapping in the exporter fails the test.
PRIORITY = {"none": "routine", "routine": "routine", "urgent": "urgent", "emergency": "stat"}
# Codes FHIR R4 requires; the R4B model checks the shape, not these value sets.
REQUEST_PRIORITY = {"routine", "urgent", "asap", "stat"}
RELATIONSHIP = {"before-start", "before", "before-end", "concurrent-with-start", "concurrent",
                "concurrent-with-end", "after-start", "after", "after-end"}
# The guard of `improving_continue` (reassessment -> conservative care), unique in transitions.yaml.
IMPROVING = 'to: conservative_care\n    when: trend == "improving"\n    priority: 2\n    rationale: Improving week'


# -- the command ----------------------------------------------------------------------------------


def test_cli_mermaid_is_the_diagrams_mermaid(spec, tmp_path):
    expected = to_mermaid(build_model(spec))
    result = CliRunner().invoke(main, ["export", "--format", "mermaid"])
    assert result.exit_code == 0 and result.stdout == expected
    out = tmp_path / "pathway.mmd"  # the suffix picks the format
    result = CliRunner().invoke(main, ["export", "--out", str(out)])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8") == expected


def test_an_edited_pathway_shows_in_every_export(tmp_path):
    folder = broken_copy(
        tmp_path,
        replace("transitions.yaml", IMPROVING, IMPROVING.replace('"improving"', '"improving" and week >= 3')),
        replace("states.yaml", "label: Re-route - look for another diagnosis\n    phase: rerouting\n    urgency: routine",
                "label: Re-route - look elsewhere\n    phase: rerouting\n    urgency: urgent"),
    )
    out = {fmt: tmp_path / f"edited.{fmt}" for fmt in exports.FORMATS}
    for fmt, path in out.items():
        result = CliRunner().invoke(main, ["export", str(folder), "--format", fmt, "--out", str(path)])
        assert result.exit_code == 0, result.output
    fhir = json.loads(out["fhir"].read_text(encoding="utf-8"))
    top = {a["id"]: a for a in fhir["action"]}
    assert (top["reroute-other-diagnosis"]["title"], top["reroute-other-diagnosis"]["priority"]) == (
        "Re-route - look elsewhere", "urgent")
    [improving] = [n for n in top["reassessment"]["action"][0]["action"] if n["id"] == "improving-continue"]
    assert improving["condition"][0]["expression"]["expression"] == (
        "%resource.item.where(linkId='trend').answer.value.code = 'improving' and "
        "%resource.item.where(linkId='week').answer.value >= 3")
    assert "at least 3" in improving["condition"][0]["expression"]["description"]
    assert '>trend == "improving" and week &gt;= 3</bpmn:conditionExpression>' in out["bpmn"].read_text(encoding="utf-8")
    mermaid = out["mermaid"].read_text(encoding="utf-8").replace("</b><br/><b>", " ")  # a wrapped name
    assert "Re-route - look elsewhere" in mermaid
    assert fhir["identifier"][0]["value"] == load_pathway(folder).content_hash


def test_an_invalid_pathway_exits_1_with_file_and_line(tmp_path):
    folder = broken_copy(tmp_path, replace("transitions.yaml", IMPROVING, IMPROVING.replace("==", "=<")))
    target = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["export", str(folder), "--format", "fhir", "--out", str(target)])
    line = line_of(folder / "transitions.yaml", 'when: trend =< "improving"')
    assert result.exit_code == 1 and f"transitions.yaml:{line}:" in result.output and "not valid" in result.output
    assert not target.exists()


@pytest.mark.parametrize("fmt", ["fhir", "bpmn"])
def test_ids_the_format_cannot_tell_apart_are_refused(tmp_path, fmt):
    """`escalate_cord_compression.onset` and the red flag's copy `escalate_cord_compression@onset` become one FHIR id and one
    XML id: refused with both named, rather than a file whose links point at the wrong action."""
    folder = broken_copy(tmp_path, replace("transitions.yaml", "  - id: recovered\n", "  - id: escalate_cord_compression.onset\n"))
    result = CliRunner().invoke(main, ["export", str(folder), "--format", fmt, "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and f"cannot export as {fmt.upper()}" in result.output
    assert "escalate" in result.output and "cord_compression.onset" in result.output
    assert not (tmp_path / "out").exists()


def test_exports_are_byte_identical_run_to_run(spec, tmp_path):
    for fmt in exports.FORMATS:
        assert export(spec, fmt) == export(spec, fmt)
        a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        for path in (a, b):
            assert CliRunner().invoke(main, ["export", "--format", fmt, "--out", str(path)]).exit_code == 0
        assert a.read_bytes() == b.read_bytes() == export(spec, fmt).encode()
    # Another process with another hash seed: no set or dict order leaks into the files.
    script = ("import hashlib; from exports import export, FORMATS; from pathway import load_pathway, shipped_pathway;"
              "s = load_pathway(shipped_pathway()); print([hashlib.sha256(export(s, f).encode()).hexdigest() for f in FORMATS])")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True, cwd=REPO)
    assert other.stdout.strip() == str([hashlib.sha256(export(spec, f).encode()).hexdigest() for f in exports.FORMATS])


def test_a_missing_folder_exits_1_and_writes_nothing(tmp_path):
    target = tmp_path / "no" / "such" / "pathway.json"
    result = CliRunner().invoke(main, ["export", "--format", "fhir", "--out", str(target)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == f"{target}: the folder {target.parent} does not exist"
    assert not (tmp_path / "no").exists()


def test_a_failed_write_exits_1_and_leaves_no_partial_file(tmp_path, monkeypatch):
    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pathway.files.os.fsync", disk_full)  # after the bytes went to the temporary file
    result = CliRunner().invoke(main, ["export", "--format", "bpmn", "--out", str(tmp_path / "pathway.bpmn")])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == f"{tmp_path / 'pathway.bpmn'}: cannot write: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_without_a_format_or_a_known_suffix_it_says_which_formats(tmp_path):
    result = CliRunner().invoke(main, ["export", "--out", str(tmp_path / "pathway.txt")])
    assert result.exit_code == 1 and "--format mermaid | fhir | questionnaire | bpmn" in result.output
    assert list(tmp_path.iterdir()) == []


def test_exports_resolves_inside_this_repository():
    """`exports` is also the name of an unrelated PyPI project; a shadowing install would show here."""
    assert Path(exports.__file__).resolve().parent == REPO / "exports"


def test_the_canonical_base_comes_from_url_then_the_environment(tmp_path, monkeypatch):
    def url(*args):
        result = CliRunner().invoke(main, ["export", "--format", "fhir", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["url"]

    assert url() == "http://example.org/fhir/sciatica-pathway/PlanDefinition/sciatica-care-pathway"
    monkeypatch.setenv("SCIATICA_FHIR_BASE", "https://fhir.example.nhs.uk/pathways/")
    assert url() == "https://fhir.example.nhs.uk/pathways/PlanDefinition/sciatica-care-pathway"
    assert url("--url", "urn:example:sciatica").startswith("urn:example:sciatica/PlanDefinition/")
    result = CliRunner().invoke(main, ["export", "--format", "questionnaire", "--url", "not a url",
                                       "--out", str(tmp_path / "q.json")])
    assert result.exit_code == 1 and "the canonical base `not a url` is not an absolute URL" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_publisher_comes_from_the_option_then_the_environment(monkeypatch):
    def publishers(*args):
        result = CliRunner().invoke(main, ["export", "--format", "fhir", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["publisher"]

    assert publishers() == "sciatica-pathway (generated by `sciatica export`)"
    monkeypatch.setenv("SCIATICA_FHIR_PUBLISHER", "NHS Example ICB")
    assert publishers() == "NHS Example ICB"
    assert publishers("--publisher", "Example Spinal Network") == "Example Spinal Network"
    questionnaire = CliRunner().invoke(main, ["export", "--format", "questionnaire", "--publisher", "X"])
    assert json.loads(questionnaire.stdout)["publisher"] == "X"
    blank = CliRunner().invoke(main, ["export", "--format", "fhir", "--publisher", " "])
    assert blank.exit_code == 1 and "the publisher is blank" in blank.stderr


def test_the_npm_lockfile_reaches_only_the_npm_registry():
    lock = json.loads((REPO / "tests/js/package-lock.json").read_text(encoding="utf-8"))
    resolved = [p["resolved"] for p in lock["packages"].values() if "resolved" in p]
    assert all(r.startswith("https://registry.npmjs.org/") for r in resolved)
    assert all("integrity" in p for name, p in lock["packages"].items() if name)  # every package pinned by hash
