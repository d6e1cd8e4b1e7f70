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
from test_report import OLDER, SECTIONS

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
def opened(tmp_path_factory):
    """The full packet (simulated cohort, changes since an older version) open in Chromium; every
    request other than the file itself is refused and recorded, and every console message kept."""
    sync_playwright = _need_browser()
    folder = tmp_path_factory.mktemp("browser")
    out = folder / "report.html"
    result = CliRunner().invoke(main, ["report", "--simulate", "1000", "--against", str(broken_copy(folder, *OLDER)),
                                       "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
        yield page, refused, console, Path(os.environ.get("SCIATICA_SCREENSHOTS") or folder)
        browser.close()


def test_opens_with_no_errors_and_no_requests(opened):
    page, refused, console, _ = opened
    page.wait_for_timeout(200)
    assert refused == []
    assert [m for m in console if m[0] in ("error", "pageerror", "warning")] == []


def test_every_section_is_there(opened):
    page = opened[0]
    for section in SECTIONS:
        assert page.locator(f"section#{section} h2").is_visible(), section
    assert page.locator("#simulation img").count() == 4
    for img in page.locator("#simulation img").all():  # decoded, not a broken image
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")


def test_the_diagram_svg_has_every_state(opened, spec):
    page = opened[0]
    drawn = set(page.eval_on_selector_all("#diagram svg g.node", "gs => gs.map(g => g.id)"))
    assert {f"pathway-state-{s.id}" for s in spec.states} <= drawn


def test_clicking_urgent_states_shows_their_citations(opened, spec):
    page, _, _, shots = opened
    urgent = [s for s in spec.states if s.urgency.rank >= 2]
    assert len(urgent) >= 5
    for state in urgent:
        page.click(f"#diagram [id='pathway-state-{state.id}']")
        panel = page.locator("#pathway-details")
        assert panel.locator("h4").inner_text() == state.label
        text = panel.inner_text()
        assert state.urgency.value.upper() in text
        for ref in state.citations:
            assert spec.reference[ref].source in text and spec.reference[ref].detail in text
    page.locator("#diagram").screenshot(path=str(shots / "report-diagram-clicked.png"))
    page.screenshot(path=str(shots / "report.png"))


def test_clicking_an_escalation_shows_its_guard_and_rationale(opened, spec):
    page = opened[0]
    page.click("#diagram [id='pathway-edge-escalate_cauda_equina']")
    text = page.locator("#pathway-details").inner_text()
    transition = next(t for t in spec.transitions if t.base_id == "escalate_cauda_equina")
    assert "suspected cauda equina syndrome" in text and transition.rationale in text
    assert "EMERGENCY" in text


def test_keyboard_reaches_a_state(opened, spec):
    page = opened[0]
    page.focus("#diagram [id='pathway-state-conservative_care']")
    page.keyboard.press("Enter")
    assert page.locator("#pathway-details h4").inner_text() == spec.state["conservative_care"].label


def test_zoom_buttons_resize_the_diagram(opened):
    page = opened[0]
    width = lambda: page.eval_on_selector("#diagram svg", "s => s.getBoundingClientRect().width")
    fitted = width()
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
