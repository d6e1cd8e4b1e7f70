"""The `sciatica` command line, as a user runs it."""

import json
from pathlib import Path

from click.testing import CliRunner

from pathway import example_patients
from pathway.cli import main

REPO = Path(__file__).resolve().parent.parent


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_validate_the_shipped_pathway(spec):
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert f"content hash {spec.content_hash}" in result.output
    assert "31 states (11 exits)" in result.output
    assert f"safety.yaml sha256:{spec.safety.content_hash}" in result.output


def test_demo_assesses_every_example(spec):
    result = run("demo")
    assert result.exit_code == 0, result.output
    for path in example_patients():
        assert path.stem in result.output
    assert "Emergency - suspected cauda equina syndrome" in result.output


def test_assess_json_gives_the_decision_at_the_last_visit():
    patient = REPO / "examples/patients/03-cauda-equina-at-review.json"
    result = run("assess", str(patient), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {k: out[k] for k in ("urgency", "imaging", "care_step", "final_state")} == {
        "urgency": "emergency", "imaging": "mri", "care_step": "emergency_department", "final_state": "emergency_ces",
    }
    escalation = out["visits"][-1]["steps"][0]
    assert escalation["red_flag_escalation"] is True
    assert escalation["because"] == {"bladder_dysfunction": True, "saddle_anaesthesia": True}
    assert escalation["citations"][0]["id"] == "girft-ces-2023"


def test_assess_text_tells_the_story_with_citations():
    result = run("assess", str(REPO / "examples/patients/02-persistent-disabling-mri.json"))
    assert result.exit_code == 0, result.output
    assert "  imaging      MRI without contrast\n" in result.output
    assert "because  weeks of conservative care: 6; trend: stuck; disabling symptoms: yes;" in result.output
    assert "source   ACR Appropriateness Criteria Low Back Pain 2021, variant 3" in result.output


def test_assess_with_another_pathway(tmp_path):
    result = run("assess", str(REPO / "examples/patients/07-hip-mimic.json"), "--pathway", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "no such pathway" in result.output
