"""`sciatica report`: the review packet's content, its determinism, and bad input.

What a person sees when the page is opened and clicked is tested in a real browser in
test_report_browser.py; these tests read the HTML.
"""

import json
import re
from html import escape as html_escape

import pytest
from click.testing import CliRunner

from edits import broken_copy, replace
from pathway.cli import main
from pathway.guards import describe
from pathway.safety import timescale_words

T = "transitions.yaml"
SECTIONS = ("diagram", "tables", "safety", "verification", "simulation", "changes", "reproducibility", "signoff")
# Red-flag guard weakened: infection with immunosuppression no longer escalates (property 1 fails).
WEAKENED = replace(T, "    to: urgent_infection\n    when: suspected_infection\n",
                   "    to: urgent_infection\n    when: suspected_infection and not immunosuppression\n")
# An older version: neurogenic claudication tried last.
OLDER = (replace("pathway.yaml", "version: 2.1.1", "version: 1.9.0"),
         replace(T, "    when: neurogenic_claudication\n    priority: 8\n", "    when: neurogenic_claudication\n    priority: 12\n"))
# Weaker safety requirements: foot drop alone no longer counts as a severe motor deficit.
SEVERE_DEFICIT = '  severe_deficit: weakness in ["severe", "progressive"] or foot_drop\n'
WEAKER_REQUIREMENTS = (replace("safety.yaml", SEVERE_DEFICIT, '  severe_deficit: weakness in ["severe", "progressive"]\n'),
                       replace("safety.yaml", "Severe or progressive weakness or foot drop needs", "Severe or progressive weakness needs"))


def escape(text: str) -> str:
    """As jinja2 escapes text."""
    return html_escape(text).replace("&#x27;", "&#39;").replace("&quot;", "&#34;")


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
        assert ["Imaging", spec.purpose[state.purpose].label if state.purpose else "no imaging"] in info["facts"]
        assert (["Handed over to", state.receiving_service] in info["facts"]) == state.terminal, state.id
        assert (["Timescale", timescale_words(state.within_hours)] in info["facts"]) == (state.within_hours is not None)
    assert ["Timescale", "within 4 hours"] in shown["pathway-state-emergency_ces"]["facts"]
    assert ["Handed over to", "the major trauma team"] in shown["pathway-state-handover_trauma_team"]["facts"]
    for edge in model.edges:
        info = shown[f"pathway-edge-{edge.id.replace('@', '.')}"]
        transition = next(t for t in spec.transitions if t.id == edge.transitions[0])
        assert ["When", edge.guard + (" (stays)" if edge.stay else "")] in info["facts"]
        assert info["text"] == transition.rationale
        assert [c["id"] for c in info["citations"]] == list(transition.citations)
        assert [c["source"] for c in info["citations"]] == [spec.reference[r].source for r in transition.citations]
        if edge.escalation:  # where it is tried
            tried = [s.label for s in spec.states if f"{edge.id}@{s.id}" in edge.transitions]
            assert ["Tried in", ", ".join(tried)] in info["facts"], edge.id
    where = dict(shown["pathway-edge-escalate_cauda_equina"]["facts"])["Where"]
    assert where == "tried in 18 of the 19 \u2691 states; not in Emergency - suspected cauda equina syndrome"


def test_shipped_pathway_passes_with_certificate_and_no_stories(plain, spec):
    assert "All 10 safety properties hold" in plain
    assert (f"sha256:{spec.content_hash} against safety requirements sha256:{spec.safety.content_hash} (the "
            "baseline&#39;s): properties 1,2,3,4,5,6,7,8,9,10 hold") in plain
    assert 'id="requirements-banner"' not in plain  # the shipped requirements are the signed-off ones
    assert "None: no patient breaks any property." in plain
    assert "Not included. Make the packet with <code>--simulate N</code>" in plain


def section(page: str, name: str) -> str:
    start = page.index(f'<section id="{name}">')
    return page[start:page.index("</section>", start)]


def test_the_safety_requirements_section(plain, spec):
    """What the pathway is proved against: safety.yaml's own hash, each category (who in words over the
    raw findings, minimum urgency, timescale, imaging) and its sources in full; not among the decision tables."""
    safety = spec.safety
    shown = section(plain, "safety")
    assert f'<code id="safety-hash">sha256:{safety.content_hash}</code>' in shown
    for category in safety.categories:
        row = (f"<td>{escape(category.label)}</td><td>{escape(describe(category.expr, spec.finding, {}))}</td>"
               f"<td>{category.min_urgency.value}</td><td>{category.timescale_words}</td>"
               f"<td>{escape(category.imaging_words)}</td>")
        assert row in shown, category.name
        for ref in (spec.reference[r] for r in category.citations):
            assert escape(ref.detail) in shown and escape(ref.source) in shown, (category.name, ref.id)
    assert "<td>within 4 hours</td>" in shown and "<td>weakness is severe or progressive or foot drop</td>" in shown
    assert "Safety requirements - red-flag categories" not in section(plain, "tables")
    assert "Imaging rules - applied wherever imaging is ordered" in section(plain, "tables")
    # the verification shows each property's notes; the certificate names the requirements it was proved against
    verification = section(plain, "verification")
    assert f"the safety requirements are the baseline&#39;s (sha256:{safety.content_hash[:12]})" in verification
    assert f"against safety requirements sha256:{safety.content_hash}" in verification


def test_weakened_requirements_need_sign_off_and_fail(tmp_path, spec):
    """Foot drop removed from the severe motor deficit: the amber banner lists what changed (in words, before
    and now) against the signed-off baseline, and property 10 fails, so it is not safe to sign either."""
    out = tmp_path / "report.html"
    result = run(broken_copy(tmp_path, *WEAKER_REQUIREMENTS), "--out", out, "--quiet")
    assert result.exit_code == 3, result.output  # written, but not safe to sign
    page = out.read_text(encoding="utf-8")
    banner = page[page.index('<div class="banner changed" id="requirements-banner">'):page.index("<nav>")]
    assert "SAFETY REQUIREMENTS CHANGED - needs sign-off" in banner
    assert f"Since the signed-off baseline (the safety requirements shipped with the tool) (safety.yaml " \
           f"<code>sha256:{spec.safety.content_hash[:12]}</code>" in banner
    assert "changed category <code>motor_deficit</code>" in banner and "changed category <code>cauda_equina</code>" in banner
    assert "who, before: weakness is severe or progressive or foot drop" in banner
    assert "who, now: weakness is severe or progressive</div>" in banner
    assert banner.count("<li>") == 2  # nothing but the requirements changed
    assert "NOT SAFE TO SIGN" in page and "10. Safety requirements not weakened" in page
    assert f"CHANGED from baseline sha256:{spec.safety.content_hash}: needs sign-off" in page
    assert "<td>weakness is severe or progressive</td>" in section(page, "safety")
    assert "including\n  <b>the changed safety requirements</b>" in section(page, "signoff")


def test_against_a_version_with_other_requirements_needs_sign_off(tmp_path, spec):
    """The shipped pathway (the baseline's requirements, every property holds) against an older version whose
    requirements were weaker: still a change to what the pathway is proved against, so the amber banner."""
    out = tmp_path / "report.html"
    result = run("--against", broken_copy(tmp_path, *OLDER, *WEAKER_REQUIREMENTS), "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "All 10 safety properties hold" in page and "NOT SAFE TO SIGN" not in page
    banner = page[page.index('id="requirements-banner"'):page.index("<nav>")]
    assert "Since the previous version, Sciatica care pathway 1.9.0 (safety.yaml" in banner
    assert f"&rarr; <code>{spec.safety.content_hash[:12]}</code>" in banner
    assert "who, before: weakness is severe or progressive</div>" in banner
    assert "who, now: weakness is severe or progressive or foot drop" in banner
    assert "signed-off baseline" not in banner


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
    assert result.exit_code == 3, result.output  # written, but not safe to sign
    assert "NOT SAFE TO SIGN" in result.output
    page = out.read_text(encoding="utf-8")
    assert "NOT SAFE TO SIGN: 2 of 10 safety properties fail" in page  # 1 (care) and 8 (screening)
    assert "properties 1,2,3,4,5,6,7,8,9,10 DO NOT all hold" in page
    assert 'id="requirements-banner"' not in page  # the pathway changed, not what it is proved against
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
    assert "1.9.0" in changes and "priority: `12` -&gt; `8`" in changes
    assert 'id="requirements-banner"' not in page
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
    import simulations.running.cohort
    from simulations.running.execution import WorkerLost

    def lost(*args, **kwargs):
        raise WorkerLost(["a worker process stopped unexpectedly"])

    monkeypatch.setattr(simulations.running.cohort, "simulate", lost)
    out = tmp_path / "report.html"
    out.write_text("the report signed last month", encoding="utf-8")
    result = run("--simulate", 100, "--out", out, "--quiet")
    assert result.exit_code == 1
    assert "error: a worker process stopped unexpectedly" in result.output
    assert out.read_text(encoding="utf-8") == "the report signed last month"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
