"""`sciatica report`: the review packet's content, its determinism, and bad input.

What a person sees when the page is opened and clicked is tested in a real browser in
test_report_browser.py; these tests read the HTML.
"""

import json
import re

import pytest
from click.testing import CliRunner

from edits import broken_copy, replace
from pathway.cli import main

T = "transitions.yaml"
SECTIONS = ("diagram", "tables", "verification", "simulation", "changes", "reproducibility", "signoff")
# Red-flag guard weakened: infection with immunosuppression no longer escalates (property 1 fails).
WEAKENED = replace(T, "    to: urgent_infection\n    when: suspected_infection\n",
                   "    to: urgent_infection\n    when: suspected_infection and not immunosuppression\n")
# An older version: neurogenic claudication tried later.
OLDER = (replace("pathway.yaml", "version: 1.0.0", "version: 0.9.0"),
         replace(T, "    when: neurogenic_claudication\n    priority: 4\n", "    when: neurogenic_claudication\n    priority: 8\n"))


def run(*args):
    return CliRunner().invoke(main, ["report", *map(str, args)])


def details(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="diagram-details">(.*?)</script>', page, re.S)[1])


def svg_ids(page: str, key: str) -> set[str]:
    # Graphviz writes the "-" of an id as &#45;, which the browser reads back as "-".
    return {m.replace("&#45;", "-") for m in re.findall(rf'id="({key}-[^"]*)"', page)}


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = run("--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_every_section_and_state(plain, spec):
    for section in SECTIONS:
        assert f'<section id="{section}">' in plain
    ids = svg_ids(plain, "pathway")
    for state in spec.states:
        assert f"pathway-state-{state.id}" in ids, state.id


def test_every_state_and_arrow_has_what_a_click_shows(plain, spec, model):
    shown = details(plain)
    for state in spec.states:
        info = shown[f"pathway-state-{state.id}"]
        assert info["title"] == state.label
        assert [c["id"] for c in info["citations"]] == list(state.citations)
        assert ["Urgency", state.urgency.value.upper() if state.urgency.rank >= 2 else state.urgency.value] in info["facts"]
    for edge in model.edges:
        info = shown[f"pathway-edge-{edge.id.replace('@', '.')}"]
        transition = next(t for t in spec.transitions if t.id == edge.transitions[0])
        assert ["When", edge.guard + (" (stays)" if edge.stay else "")] in info["facts"]
        assert info["text"] == transition.rationale
        assert [c["id"] for c in info["citations"]] == list(transition.citations)
        assert [c["source"] for c in info["citations"]] == [spec.reference[r].source for r in transition.citations]


def test_shipped_pathway_passes_with_certificate_and_no_stories(plain, spec):
    assert "All 7 safety properties hold" in plain
    assert f"sha256:{spec.content_hash} properties 1,2,3,4,5,6,7 hold" in plain
    assert "None: no patient breaks any property." in plain
    assert "Not included. Make the packet with <code>--simulate N</code>" in plain


def test_nothing_is_fetched(plain):
    """Self-contained: no address a browser would fetch, and a policy that forbids fetching."""
    assert not re.search(r'(src|href)\s*=\s*"(?!data:|#)', plain)
    assert "url(" not in plain and "@import" not in plain
    assert "default-src 'none'" in plain


def test_same_inputs_same_bytes(plain, tmp_path):
    out = tmp_path / "again.html"
    assert run("--out", out, "--quiet").exit_code == 0
    assert out.read_text(encoding="utf-8") == plain


def test_a_broken_pathway_says_so_with_stories_drawn(tmp_path):
    out = tmp_path / "report.html"
    result = run(broken_copy(tmp_path, WEAKENED), "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert "SOME PROPERTIES FAIL" in result.output
    page = out.read_text(encoding="utf-8")
    assert "NOT SAFE TO SIGN: 1 of 7 safety properties fail" in page
    assert "properties 1,2,3,4,5,6,7 DO NOT all hold" in page
    assert "smallest patient story" in page and "immunosuppression" in page
    # The story's path is drawn: a diagram of its own, with the visited states highlighted.
    assert svg_ids(page, "story-1-1") and "story-1-1-details" in page
    assert "only once the failing properties above are resolved" in page


def test_against_an_older_version_shows_what_changed(tmp_path):
    out = tmp_path / "report.html"
    result = run("--against", broken_copy(tmp_path, *OLDER), "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    changes = page[page.index('<section id="changes">'):page.index('<section id="reproducibility">')]
    assert "0.9.0" in changes and "priority: `8` -&gt; `4`" in changes
    shown = details(page)
    changed = [k for k, v in shown.items() if k.startswith("changes-") and v["note"] == "changed"]
    assert changed == ["changes-edge-stenosis_surgical_opinion"], changed


def test_simulated_cohort(tmp_path):
    out = tmp_path / "report.html"
    result = run("--simulate", 400, "--seed", 3, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    section = page[page.index('<section id="simulation">'):page.index('<section id="changes">')]
    assert "400 simulated patients followed for 52 weeks (seed 3)" in section
    assert section.count('<img src="data:image/png;base64,') == 4
    assert section.count("<td>improved_by_week_") == 4  # the calibration targets
    assert svg_ids(page, "flow")
    assert "--simulate 400 --seed 3 --weeks 52" in page  # the command that makes it again


@pytest.mark.parametrize("target, message, status", [
    ("missing/report.html", "the folder {tmp}/missing does not exist", 1),
    (".", "is a directory", 2),  # click's own check of --out
])
def test_unwritable_out_is_refused_before_work(tmp_path, target, message, status):
    out = tmp_path / target
    result = run("--out", out, "--quiet")
    assert result.exit_code == status
    assert message.format(tmp=tmp_path) in result.output
    assert not list(tmp_path.rglob("*.html")) and not list(tmp_path.rglob("*.tmp"))


def test_an_invalid_old_pathway_is_named_and_nothing_written(tmp_path):
    old = broken_copy(tmp_path, replace(T, "    to: urgent_infection\n    when: suspected_infection\n",
                                        "    to: urgent_infection\n    when: suspected_infektion\n"))
    out = tmp_path / "report.html"
    result = run("--against", old, "--out", out, "--quiet")
    assert result.exit_code == 1
    assert "suspected_infektion" in result.output
    assert f"the --against pathway {old} is not valid" in result.output
    assert not out.exists()


def test_a_simulation_error_keeps_the_old_report(tmp_path, monkeypatch):
    import simulations.cohort
    from simulations.execution import WorkerLost

    def lost(*args, **kwargs):
        raise WorkerLost(["a worker process stopped unexpectedly"])

    monkeypatch.setattr(simulations.cohort, "simulate", lost)
    out = tmp_path / "report.html"
    out.write_text("the report signed last month", encoding="utf-8")
    result = run("--simulate", 100, "--out", out, "--quiet")
    assert result.exit_code == 1
    assert "error: a worker process stopped unexpectedly" in result.output
    assert out.read_text(encoding="utf-8") == "the report signed last month"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
