"""The review packet opened and clicked in a real browser, as a reviewer would, with the network cut.

Chromium comes from the system (Debian's `chromium` package; `apt-get install chromium`), driven by
Playwright's Python client with `executable_path`: nothing is downloaded. Where no Chromium is
installed the test is skipped with that advice, except where SCIATICA_REQUIRE_BROWSER=1 (CI sets
it): there a missing browser fails the run, so the test cannot quietly stop running.
A screenshot of the opened packet is saved in SCIATICA_SCREENSHOTS (default: the test's tmp_path).
"""

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from edits import broken_copy
from pathway.cli import main
from pathway.safety import timescale_words
from test_report import OLDER, SECTIONS, WEAKER_REQUIREMENTS

CHROMIUM = os.environ.get("SCIATICA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
# As the machine's notes advise: no first-run, sync, component or background traffic to block.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


def _need_browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    missing = "Playwright (pip install -e '.[test]')" if sync_playwright is None else (
        None if CHROMIUM else "Chromium (apt-get install chromium)")
    if missing:
        if os.environ.get("SCIATICA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"the browser test needs {missing}")
        pytest.skip(f"the browser test needs {missing}")
    return sync_playwright


@pytest.fixture(scope="module")
def browser():
    """Chromium, launched once for the module's packets."""
    sync_playwright = _need_browser()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _open(browser, folder, *args, status=0):
    """Make a packet with ``args`` in ``folder`` and open it: every request other than the file itself is
    refused and recorded, and every console message kept. ``status``: the exit status expected
    (3: written, but not safe to sign)."""
    out = folder / "report.html"
    result = CliRunner().invoke(main, ["report", *map(str, args), "--out", str(out), "--quiet"])
    assert result.exit_code == status, result.output
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page_url = out.as_uri()
    refused, console = [], []

    def route(r):
        if r.request.url == page_url:
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda message: console.append((message.type, message.text)))
    page.on("pageerror", lambda error: console.append(("pageerror", str(error))))
    page.goto(page_url, wait_until="load")
    return page, refused, console, Path(os.environ.get("SCIATICA_SCREENSHOTS") or folder)


@pytest.fixture(scope="module")
def opened(browser, tmp_path_factory):
    """The packet with the changes since an older version, whose safety requirements were weaker (so
    the amber "changed" banner shows)."""
    folder = tmp_path_factory.mktemp("browser")
    return _open(browser, folder, "--against", broken_copy(folder, *OLDER, *WEAKER_REQUIREMENTS))


@pytest.fixture(scope="module")
def simulated(browser, tmp_path_factory):
    """The packet with a simulated cohort under the shipped capacity: its plots, cohort flow and
    the capacity section (waits, queues, safety under saturation)."""
    return _open(browser, tmp_path_factory.mktemp("simulated"), "--simulate", 1000, "--capacity")


@pytest.mark.parametrize("packet", ["opened", "simulated"])
def test_opens_with_no_errors_and_no_requests(request, packet):
    page, refused, console, _ = request.getfixturevalue(packet)
    page.wait_for_timeout(200)
    assert refused == []
    assert [m for m in console if m[0] in ("error", "pageerror", "warning")] == []


def test_every_section_is_there(opened):
    page = opened[0]
    for section in SECTIONS:
        assert page.locator(f"section#{section} h2").is_visible(), section


def test_the_simulated_cohort_plots_are_drawn(simulated):
    page = simulated[0]
    assert page.locator("section#simulation h2").is_visible()
    assert page.locator("#simulation img").count() == 4
    for img in page.locator("#simulation img").all():  # decoded, not a broken image
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")
    assert page.locator("#simulation svg.diagram").count() == 1  # the cohort flow


def test_the_safety_requirements_and_the_amber_banner_are_visible(opened, spec):
    page, _, _, shots = opened
    banner = page.locator("#requirements-banner")
    assert banner.is_visible()
    text = banner.inner_text()
    assert text.startswith("SAFETY REQUIREMENTS CHANGED - needs sign-off")
    assert "Since the previous version, Sciatica care pathway 1.9.0" in text and "motor_deficit" in text
    # amber, apart from the green of "all properties hold" (and the red of a failing one)
    colours = banner.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).borderTopColor]")
    assert colours == ["rgb(255, 248, 225)", "rgb(255, 179, 0)"]
    assert page.locator("#verdict-banner").evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(232, 245, 233)"
    page.click("nav a[href='#safety']")
    assert page.locator("#safety h2").is_visible() and page.locator("#safety-hash").is_visible()
    assert page.locator("#safety-hash").inner_text() == f"sha256:{spec.safety.content_hash}"
    rows = page.locator("#safety table.safety").first.locator("tbody tr")
    assert rows.count() == len(spec.safety.categories)
    assert rows.nth(1).locator("td").nth(3).inner_text() == "within 4 hours"
    page.locator("#safety").screenshot(path=str(shots / "report-safety.png"))
    page.locator("header").screenshot(path=str(shots / "report-header.png"))


def test_the_diagram_svg_has_every_state(opened, spec):
    page = opened[0]
    drawn = set(page.eval_on_selector_all("#diagram svg g.node", "gs => gs.map(g => g.id)"))
    assert {f"pathway-state-{s.id}" for s in spec.states} <= drawn


def test_clicking_urgent_states_shows_their_citations_and_timescale(opened, spec):
    page, _, _, shots = opened
    urgent = [s for s in spec.states if s.urgency.rank >= 2 and not s.terminal]
    assert len(urgent) >= 5
    for state in urgent:
        page.click(f"#diagram [id='pathway-state-{state.id}']")
        panel = page.locator("#pathway-details")
        assert panel.locator("h4").inner_text() == state.label
        text = panel.inner_text()
        assert state.urgency.value.upper() in text and timescale_words(state.within_hours) in text
        assert spec.purpose[state.purpose].label in text  # the imaging purpose it orders
        for ref in state.citations:
            assert spec.reference[ref].source in text and spec.reference[ref].detail in text
    page.locator("#diagram").screenshot(path=str(shots / "report-diagram-clicked.png"))
    page.screenshot(path=str(shots / "report.png"))


def test_clicking_an_exit_shows_its_receiving_service(opened, spec):
    page, _, _, shots = opened
    exits = [s for s in spec.states if s.terminal]
    assert len(exits) >= 5
    for state in exits:
        page.click(f"#diagram [id='pathway-state-{state.id}']")
        panel = page.locator("#pathway-details")
        assert panel.locator("h4").inner_text() == state.label
        facts = dict(zip(panel.locator("dt").all_inner_texts(), panel.locator("dd").all_inner_texts()))
        assert facts["Handed over to"] == state.receiving_service, state.id
    page.locator("#pathway-details").screenshot(path=str(shots / "report-exit-clicked.png"))


def test_clicking_an_escalation_shows_its_guard_rationale_and_where_it_is_tried(opened, spec):
    page = opened[0]
    page.locator("#diagram [id='pathway-edge-escalate_cauda_equina'] text").first.click()  # its words, as a reader would
    text = page.locator("#pathway-details").inner_text()
    transition = next(t for t in spec.transitions if t.base_id == "escalate_cauda_equina")
    assert "suspected cauda equina syndrome" in text and transition.rationale in text
    assert "EMERGENCY" in text and "within 4 hours" in text
    sources = {t.source for t in spec.transitions if t.base_id == "escalate_cauda_equina"}
    assert "not in Emergency - suspected cauda equina syndrome" in text
    assert ", ".join(s.label for s in spec.states if s.id in sources) in text


def test_keyboard_reaches_a_state(opened, spec):
    page = opened[0]
    page.focus("#diagram [id='pathway-state-conservative_care']")
    page.keyboard.press("Enter")
    assert page.locator("#pathway-details h4").inner_text() == spec.state["conservative_care"].label


def _in_view(page, scroll: str, element: str) -> bool:
    """Whether `element` lies inside the scroll box `scroll` as it is shown now."""
    return page.evaluate("""([scroll, element]) => {
        const v = document.querySelector(scroll).getBoundingClientRect();
        const e = document.querySelector(element).getBoundingClientRect();
        return e.left >= v.left && e.right <= v.right && e.top >= v.top && e.bottom <= v.bottom;
    }""", [scroll, element])


def test_the_diagram_opens_readable_on_the_part_that_matters_then_zooms_and_fits(opened):
    """Fitted, the whole pathway made every label unreadable; it opens at its natural size (labels at
    their point size) on where care begins, and the change diagram on its first change."""
    page = opened[0]
    page.reload(wait_until="load")  # as first opened: other tests have clicked and scrolled
    width = lambda: page.eval_on_selector("#diagram svg", "s => s.getBoundingClientRect().width")
    natural = page.eval_on_selector("#diagram svg", "s => s.viewBox.baseVal.width * 4 / 3")
    assert abs(width() - natural) < 2
    assert _in_view(page, "#diagram .diagram-scroll", "#diagram [id='pathway-state-onset']")
    assert _in_view(page, "#changes .diagram-scroll", "#changes g.emphasis text")  # the first change, by its words
    page.click("#diagram button[data-zoom='fit']")
    fitted = width()
    assert fitted < natural / 2
    page.click("#diagram button[data-zoom='in']")
    assert width() > fitted * 1.2
    page.click("#diagram button[data-zoom='fit']")
    assert abs(width() - fitted) < 2


def test_the_changed_transition_is_marked_and_clickable(opened):
    page = opened[0]
    for _ in range(4):  # as a reader would: enlarge, then click the arrow's words
        page.click("#changes button[data-zoom='in']")
    page.locator("#changes [id='changes-edge-stenosis_surgical_opinion'] text").first.click()
    assert page.locator("#changes-details .note").inner_text() == "changed"


def test_a_control_whose_evidence_broke_shows_its_hazard_open_in_red(browser, tmp_path):
    from test_hazards import CONSENT_DROPPED

    page, refused, console, shots = _open(browser, tmp_path, broken_copy(tmp_path, CONSENT_DROPPED), status=3)
    hazard = page.locator("#hazard-H10")
    hazard.scroll_into_view_if_needed()
    assert hazard.is_visible() and "open (evidence broken)" in hazard.inner_text()
    red = hazard.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert red == "rgb(183, 28, 28)", red
    assert page.locator("#hazard-H1").evaluate("e => getComputedStyle(e).borderLeftColor") == "rgb(46, 125, 50)"
    assert "NOT SAFE TO SIGN" in page.locator("#verdict-banner").inner_text()
    page.screenshot(path=str(shots / "open-hazard.png"))
    assert refused == [] and [m for m in console if m[0] in ("error", "pageerror")] == []
