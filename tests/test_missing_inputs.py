"""A file or folder that is not there is said to be missing, never "not valid" (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pathway.cli import main
from said import problems

REPO = Path(__file__).resolve().parent.parent
PATIENT = REPO / "examples" / "patients" / "01-improving-then-recovered.json"


@pytest.mark.parametrize("args, said", [
    (["validate", "{missing}"], "no such folder: {missing}"),
    (["assess", str(PATIENT), "--pathway", "{missing}"], "no such folder: {missing}"),
    (["tables", "{missing}"], "no such folder: {missing}"),
    (["assess", "{missing}"], "no such patient file: {missing}"),
    (["simulate", "--patients", "10", "--parameters", "{missing}", "--out", "{tmp}/out"], "no such parameter file: {missing}"),
    (["calibrate", "--parameters", "{missing}"], "no such parameter file: {missing}"),
    (["sweep", "{missing}"], "no such sweep file: {missing}"),
], ids=["validate", "assess-pathway", "tables", "assess-patient", "simulate-parameters", "calibrate", "sweep"])
def test_a_missing_input_is_said_to_be_missing(tmp_path, args, said):
    missing = tmp_path / "nowhere"
    args = [a.format(missing=missing, tmp=tmp_path) for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert problems(result) == [said.format(missing=missing)]
    assert not (tmp_path / "out").exists()


def test_a_file_given_for_the_pathway_folder(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(PATIENT)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{PATIENT}: is a file, not a folder; a pathway is a folder holding pathway.yaml, references.yaml, "
        "findings.yaml, conditions.yaml, imaging.yaml, states.yaml, transitions.yaml, safety.yaml"]


def test_a_name_too_long_for_the_system(tmp_path):
    long = str(tmp_path / ("a" * 5000))
    result = CliRunner().invoke(main, ["validate", long])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stderr.startswith(f"{long}: cannot be opened: File name too long")
