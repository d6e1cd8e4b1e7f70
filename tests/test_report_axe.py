"""axe-core on the review packet, in the browser of test_report_browser.py: no accessibility violation.

axe-core is the npm package (tests/js; `js_tools`), injected from disk into the page: the packet's
Content-Security-Policy, which forbids scripts from elsewhere, is bypassed for it alone, in a
context of its own. Without axe-core installed the test skips, or fails where
SCIATICA_REQUIRE_JS_TOOLS=1 (CI).
"""

import pytest

from js_tools import node_module
from test_report_browser import browser, opened, simulated  # noqa: F401  (the packets, made once)

@pytest.mark.parametrize("packet", ["opened", "simulated"])
def test_axe_core_finds_no_accessibility_violation(request, browser, packet):  # noqa: F811
    """axe-core (the npm package, injected from disk; the page's Content-Security-Policy, which
    forbids scripts from elsewhere, is bypassed for it alone) checks the whole packet, its clickable
    diagrams included: each state's and arrow's accessible name holds the words drawn on it."""
    axe = node_module("axe-core", "axe.min.js").read_text(encoding="utf-8")
    url = request.getfixturevalue(packet)[0].url.partition("#")[0]  # other tests follow the page's links
    context = browser.new_context(bypass_csp=True, viewport={"width": 1440, "height": 1000})
    context.route("**/*", lambda r: r.continue_() if r.request.url == url else r.abort())
    checked = context.new_page()
    checked.goto(url, wait_until="load")
    checked.add_script_tag(content=axe)
    violations = checked.evaluate("""async () => (await axe.run(document)).violations.map(v =>
        `${v.id} (${v.impact}): ${v.help}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)""")
    context.close()
    assert violations == []
