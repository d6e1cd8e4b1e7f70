"""`sciatica impact`: exactly the patients a change routes differently, grouped in words, each
group with its count and an example run through both versions; a pure rewording is said to be one."""

from __future__ import annotations

from click.testing import CliRunner
from edits import broken_copy, replace

from pathway import Engine, load_pathway
from pathway.cli import main
from pathway.verify.impact import example_visits, impact

# MRI after 4 weeks of conservative care instead of 6: the guard, and the words that say it.
SIX_TO_FOUR = (replace("conditions.yaml", '(conservative_care_weeks >= 6 and trend != "improving")',
                       '(conservative_care_weeks >= 4 and trend != "improving")'),
               replace("conditions.yaml", "label: persisting after 6 weeks", "label: persisting after 4 weeks"),
               replace("transitions.yaml", "Disabling radicular symptoms persisting after 6 weeks",
                       "Disabling radicular symptoms persisting after 4 weeks"))
REWORDED = replace("conditions.yaml", "    label: persisting after 6 weeks of conservative care, or worsening during it",
                   "    label: persisting after six weeks of conservative care, or getting worse during it")


def test_a_threshold_change_affects_exactly_the_patients_in_between(spec, tmp_path):
    result = impact(spec, load_pathway(broken_copy(tmp_path, *SIX_TO_FOUR)))
    assert not result.none
    for group in result.changed:
        assert (group.before.state, group.after.state) == ("conservative_care", "lumbar_imaging")
        answers = dict(group.box.answers)
        weeks = result.sym.domains["conservative_care_weeks"]
        assert [weeks.cells[i].text for i in answers["conservative_care_weeks"]] == ["4 to 5"]
        assert group.box.no_red_flag and group.cases > 0
        before, after = example_visits(result, group)  # the example, through both engines
        assert (before.state, after.state) == ("conservative_care", "lumbar_imaging")
        assert 4 <= group.example["conservative_care_weeks"] <= 5
    assert {g.after.imaging for g in result.changed} == {
        "MRI without contrast", "MRI without and with contrast", "CT", "CT with contrast"}


def test_the_counts_are_exact(spec, tmp_path):
    # Cross-check one group by brute force over its example's neighbours: every answer of the
    # group's classes routes as the group says, through the real engines.
    new = load_pathway(broken_copy(tmp_path, *SIX_TO_FOUR))
    result = impact(spec, new)
    group = result.changed[0]
    for weeks in (4, 5):
        answers = {**{f.name: group.example[f.name] for f in new.findings if not f.is_input},
                   "conservative_care_weeks": weeks}
        states = []
        for version in (spec, new):
            with Engine(version).start(group.example["age"], at=group.starts[0]) as course:
                states.append(course.visit(group.example["week"], answers).state)
        assert states == ["conservative_care", "lumbar_imaging"]


def test_a_pure_rewording_routes_nobody_differently(spec, tmp_path):
    reworded = load_pathway(broken_copy(tmp_path, REWORDED))
    assert reworded.content_hash != spec.content_hash
    assert impact(spec, reworded).none


def test_cli_impact_says_who_and_warns_about_the_version(tmp_path):
    folder = broken_copy(tmp_path, *SIX_TO_FOUR)
    result = CliRunner().invoke(main, ["impact", str(folder), "states"])
    assert result.exit_code == 0, result.output
    assert "groups of patients are routed differently" in result.stdout
    assert "weeks of conservative care 4 to 5" in result.stdout and "for example, aged" in result.stdout
    assert "the content changed but the version did not (both 2.1.1)" in result.stderr
    same = CliRunner().invoke(main, ["impact", "states", "states"])
    assert same.stdout.endswith("No patient is routed differently.\n") and "warning" not in same.stderr


def test_cli_impact_simulates_the_consequence_on_the_same_patients(tmp_path):
    folder = broken_copy(tmp_path, *SIX_TO_FOUR)
    result = CliRunner().invoke(main, ["impact", str(folder), "--simulate", "400", "--seed", "3"])
    assert result.exit_code == 0, result.output
    simulated = result.stdout.split("Simulated consequence:\n")[1]
    assert "the same 400 simulated patients in both (seed 3, 52 weeks)" in simulated
    assert "imaging orders without an indication" in simulated  # MRI after 4 weeks: more scans that change nothing
    assert "patients who developed a red flag" not in simulated  # the same people: figures that did not move are left out
    same = CliRunner().invoke(main, ["impact", "states", "states", "--simulate", "200"])
    assert same.stdout.endswith("no simulated figure changed\n")


def test_the_review_packet_says_who_a_change_affects(tmp_path):
    folder = broken_copy(tmp_path / "new", *SIX_TO_FOUR)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(folder), "--against", "states", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert 'id="version-warning"' in page and "4 groups of patients are routed differently" in page
    assert "weeks of conservative care 4 to 5" in page
    same = tmp_path / "same.html"
    CliRunner().invoke(main, ["report", "--against", "states", "--out", str(same), "--quiet"])
    assert 'id="no-impact"' in same.read_text() and 'id="version-warning"' not in same.read_text()
