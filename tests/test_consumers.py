"""The consumer is the validator: each export opened by the tool its users open it with.

- BPMN: `bpmnlint` (recommended rules) finds no problem; bpmn-js (from the npm package, served
  from disk, no network) draws every element in Debian's chromium, with no console error.
- Mermaid: mermaid-cli (puppeteer pointed at Debian's chromium) draws it at a size that reads.
- FHIR: the official R4 JSON schema (test_exports_fhir.py, test_fhir_input.py, `fhir_schema`).
- The review packet: axe-core finds no violation (test_report_axe.py).
- The simulation tables: pandas and polars at their default settings (test_tables.py).
"""

import json
import os
import re
import shutil
import subprocess

import pytest

from exports import export
from js_tools import JS, need, node_bin, node_module
from test_report_browser import browser  # noqa: F401  (the module's Chromium, launched once)


@pytest.fixture(scope="module")
def bpmn_file(spec, tmp_path_factory):
    path = tmp_path_factory.mktemp("bpmn") / "pathway.bpmn"
    path.write_text(export(spec, "bpmn"), encoding="utf-8")
    return path


def test_bpmnlint_recommended_rules_find_no_problem(bpmn_file):
    result = subprocess.run([*node_bin("bpmnlint"), "--config", str(JS / ".bpmnlintrc"), "--max-warnings=0",
                             str(bpmn_file)], capture_output=True, text=True, cwd=JS, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "problem" not in result.stdout


def test_bpmn_js_draws_every_element_without_errors(browser, bpmn_file, spec):  # noqa: F811
    viewer = node_module("bpmn-js", "dist", "bpmn-navigated-viewer.production.min.js")
    css = "".join((viewer.parent / "assets" / name).read_text() for name in ("diagram-js.css", "bpmn-js.css"))
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    refused, console = [], []
    page.route("**/*", lambda r: (refused.append(r.request.url), r.abort()))
    page.on("console", lambda m: console.append((m.type, m.text)))
    page.on("pageerror", lambda e: console.append(("pageerror", str(e))))
    page.set_content(f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>BPMN</title><style>{css}"
                     "html,body,#canvas{height:100%;margin:0}</style></head><body><div id='canvas'></div>"
                     f"<script>{viewer.read_text()}</script></body></html>")
    drawn = page.evaluate("""async xml => {
        const viewer = new BpmnJS({container: '#canvas'});
        const {warnings} = await viewer.importXML(xml);
        viewer.get('canvas').zoom('fit-viewport');
        const all = viewer.get('elementRegistry').getAll();
        return {warnings: warnings.map(w => w.message), ids: all.map(e => e.id),
                svg: document.querySelectorAll('#canvas g.djs-element').length};
    }""", bpmn_file.read_text(encoding="utf-8"))
    assert drawn["warnings"] == [] and refused == []
    assert [m for m in console if m[0] in ("error", "pageerror", "warning")] == []
    from lxml import etree

    ids = {e.get("id") for e in etree.parse(str(bpmn_file)).iter() if e.get("id") and not e.get("id").endswith("_di")}
    ids -= {"definitions", "diagram", "plane"}
    assert ids <= set(drawn["ids"])  # every flow node and flow is on the canvas
    shots = os.environ.get("SCIATICA_SCREENSHOTS")
    if shots:
        page.screenshot(path=os.path.join(shots, "bpmn-js.png"))
    page.close()


# -- Mermaid: mermaid-cli draws it, at a size that reads ------------------------------------------


def _png_size(path):
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_mermaid_cli_draws_it_at_its_natural_size_and_that_size_reads(spec, tmp_path):
    """mermaid-cli as anyone runs it (no width given): the PNG is the diagram at its natural size,
    not shrunk to 800 pixels wide (which made every word unreadable), and that size is bounded:
    about as tall as wide, no side over 4,500 pixels (a box's text is 16 pixels high at 1:1)."""
    from test_report_browser import CHROMIUM

    if not CHROMIUM:
        need("Chromium (apt-get install chromium)")
    source = tmp_path / "pathway.mmd"
    source.write_text(export(spec, "mermaid"), encoding="utf-8")
    config = tmp_path / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": CHROMIUM, "args": ["--no-sandbox", "--disable-gpu"]}))
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    for out in (tmp_path / "pathway.png", tmp_path / "pathway.svg"):
        result = subprocess.run([*node_bin("mmdc"), "-p", str(config), "-i", str(source), "-o", str(out)],
                                capture_output=True, text=True, env=env, timeout=180)
        assert result.returncode == 0 and out.exists(), result.stdout + result.stderr
    width, height = _png_size(tmp_path / "pathway.png")
    view = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"', (tmp_path / "pathway.svg").read_text())
    assert abs(width - float(view[3])) <= 2  # drawn 1:1, not scaled to the page
    assert max(width, height) <= 4500 and 0.5 <= width / height <= 2, (width, height)
    shots = os.environ.get("SCIATICA_SCREENSHOTS")
    if shots:
        shutil.copy(tmp_path / "pathway.png", os.path.join(shots, "mermaid.png"))
