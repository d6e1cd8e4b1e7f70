"""The hazard log and safety case: generated for the shipped pathway from the evidence, read live;
a control whose evidence breaks turns its hazard open; every link must point at real evidence."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from edits import broken_copy, replace

from pathway import load_pathway
from pathway.cli import main
from pathway.errors import PathwayError
from pathway.hazards import load_hazards
from review.hazards_cli import gather_all

# Consent no longer checked before the injection: property 7 fails and two vignettes break.
CONSENT_DROPPED = replace("transitions.yaml", '    when: not intervention_considered and epidural_response == "none"\n',
                          '    when: not intervention_considered and epidural_response == "none" and false\n')
REQUIRED = {  # what the shipped log must cover (issue 16), by a word of each hazard's title
    "missed": "H1", "together": "H2", "must not have": "H3", "does not change management": "H4",
    "discharged": "H5", "inconsistent": "H6", "words": "H7", "planner": "H8",
}


@pytest.fixture(scope="module")
def shipped(spec):
    log = load_hazards(spec)
    return log, *gather_all(spec, log)


def test_the_shipped_log_covers_the_hazards_a_safety_officer_expects(shipped):
    log, evidence, _ = shipped
    titles = {h.id: h.title.lower() for h in log.hazards}
    for word, hazard in REQUIRED.items():
        assert word in titles[hazard], (word, titles[hazard])
    assert all(h.controls and log.rating(h.residual) <= log.rating(h.initial) for h in log.hazards)


def test_every_control_holds_on_the_shipped_pathway(shipped):
    _, evidence, _ = shipped
    broken = [(c.control.id, i.name) for h in evidence for c in h.controls for i in c.items if i.verdict == "BROKEN"]
    assert broken == []
    assert {h.hazard.id: h.status for h in evidence}["H8"] == "open"  # the simulator's limits: still open, said so


def test_traceability_reaches_every_red_flag_recommendation(spec, shipped):
    _, _, traces = shipped
    by_ref = {t.reference: t for t in traces}
    for category in spec.safety.categories:
        for ref in category.citations:
            assert {"1", "8", "10"} <= set(by_ref[ref].properties), ref
    assert by_ref["girft-ces-2023"].transitions == ("escalate_cauda_equina",)
    assert "new-bladder-dysfunction" in by_ref["girft-ces-2023"].vignettes


def test_a_broken_control_opens_its_hazard(tmp_path):
    spec = load_pathway(broken_copy(tmp_path, CONSENT_DROPPED))
    evidence, _ = gather_all(spec, load_hazards(spec))
    status = {h.hazard.id: h.status for h in evidence}
    assert status["H10"] == "open (evidence broken)"
    h10 = next(h for h in evidence if h.hazard.id == "H10")
    broken = {(i.kind, i.name) for c in h10.controls for i in c.items if i.verdict == "BROKEN"}
    assert ("properties", "7") in broken and ("vignettes", "declines-before-the-epidural") in broken


def test_a_link_to_evidence_that_does_not_exist_is_refused(tmp_path):
    folder = broken_copy(tmp_path, replace("hazards.yaml", "vignettes: [declines-before-the-epidural,",
                                           "vignettes: [declines-before-the-epidurall,"))
    with pytest.raises(PathwayError, match="control H10.1 links to unknown vignette `declines-before-the-epidurall`"):
        load_hazards(load_pathway(folder))


@pytest.mark.parametrize("fmt", ["md", "html", "csv"])
def test_cli_writes_every_format(tmp_path, fmt):
    out = tmp_path / f"hazards.{fmt}"
    result = CliRunner().invoke(main, ["hazards", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {r["hazard"] for r in rows} >= {"H1", "H10"} and {r["verdict"] for r in rows} <= {"holds", "not run", "listed"}
    else:
        assert "H1" in text and "Traceability" in text


def test_cli_exits_1_when_evidence_broke(tmp_path):
    result = CliRunner().invoke(main, ["hazards", str(broken_copy(tmp_path, CONSENT_DROPPED))])
    assert result.exit_code == 1
    assert "evidence broken for control(s) H4.1, H10.1" in result.stderr or "H10.1" in result.stderr


def test_report_on_an_unsafe_pathway_exits_3_and_shows_the_open_hazard(tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(broken_copy(tmp_path, CONSENT_DROPPED)), "--out", str(out), "--quiet"])
    assert result.exit_code == 3, result.output
    page = out.read_text()
    assert 'class="hazard open" id="hazard-H10"' in page and "NOT SAFE TO SIGN" in page
    safe = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "safe.html"), "--quiet"])
    assert safe.exit_code == 0 and 'id="safety-case"' in (tmp_path / "safe.html").read_text()
