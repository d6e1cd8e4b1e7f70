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
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line[:2].isdigit()}
    assert "emergency (week 5)" in rows["03-cauda-equina-at-review"]
    # The emergency is over by the last visit (CT excluded it), but the demo does not hide it.
    assert "emergency (week 2)" in rows["09-pacemaker-suspected-cauda-equina"]
    assert all(len(line) <= 100 for line in result.stdout.splitlines())


def test_assess_json_gives_the_decision_at_the_last_visit():
    patient = REPO / "examples/patients/03-cauda-equina-at-review.json"
    result = run("assess", str(patient), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
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
    assert result.stderr.splitlines()[-1] == f"no such folder: {tmp_path / 'nowhere'}"  # missing, not "not valid"


def test_init_copies_the_shipped_pathway_to_edit(tmp_path):
    folder = tmp_path / "mine"
    result = run("init", str(folder))
    assert result.exit_code == 0, result.output
    assert {p.name for p in folder.glob("*.yaml")} >= {"states.yaml", "safety.yaml", "hazards.yaml"}
    assert run("validate", str(folder)).exit_code == 0
    again = run("init", str(folder))
    assert again.exit_code == 1 and "exists and is not empty" in again.stderr


def test_shipped_names_the_installed_pathway_and_one_argument_diffs_from_it(tmp_path):
    folder = tmp_path / "mine"
    run("init", str(folder))
    states = folder / "states.yaml"
    states.write_text(states.read_text().replace("review in 2-4 weeks.", "review in 2 to 4 weeks."))
    one, two = run("diff", str(folder)), run("diff", "shipped", str(folder))
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout and "review in 2 to 4 weeks" in one.stdout.split("->")[-1]
    assert f"pathway: {folder}" in one.stderr  # every command says which pathway it used


def test_a_checkout_whose_states_differ_from_the_installed_copy_is_warned_about(tmp_path, monkeypatch):
    import pathway.resolve as resolve

    installed = tmp_path / "site-packages" / "states"
    __import__("shutil").copytree(REPO / "states", installed)
    (installed / "pathway.yaml").write_text((installed / "pathway.yaml").read_text() + "# an older install\n")
    monkeypatch.setattr(resolve, "shipped_pathway", lambda: installed)
    monkeypatch.chdir(REPO)
    result = run("validate")
    assert f"warning: {REPO / 'states'} differs from the installed pathway" in result.stderr


def test_the_patient_template_asks_every_red_flag_and_names_each_question(tmp_path, spec):
    out = tmp_path / "patient.json"
    assert run("patient-template", "--out", str(out)).exit_code == 0
    data = json.loads(out.read_text())
    findings = data["visits"][0]["findings"]
    assert {name for name, value in findings.items() if value is None} == {f.name for f in spec.findings if f.red_flag}
    assert set(data["_questions"]) == set(findings)
    data["age"] = 50
    findings.update({name: False for name, value in findings.items() if value is None})
    out.write_text(json.dumps(data))
    assert run("assess", str(out)).exit_code == 0  # filled in, it assesses as is
