"""The npm tools the consumer tests run (tests/js: `npm ci` there installs them; nothing downloads a
browser: PUPPETEER_SKIP_DOWNLOAD=1, and every browser is Debian's chromium).

Where a tool is missing the test is skipped with how to install it, except where
SCIATICA_REQUIRE_JS_TOOLS=1 (CI sets it): there a missing tool fails the run.
"""

import os
import shutil
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parent / "js"
MODULES = JS / "node_modules"
INSTALL = "cd tests/js && PUPPETEER_SKIP_DOWNLOAD=1 npm ci"


def need(what: str) -> None:
    if os.environ.get("SCIATICA_REQUIRE_JS_TOOLS") == "1":
        pytest.fail(f"this test needs {what}")
    pytest.skip(f"this test needs {what}")


def node_module(*parts: str) -> Path:
    """A file of an installed npm package, or skip (fail in CI) saying how to install it."""
    path = MODULES.joinpath(*parts)
    if shutil.which("node") is None:
        need("Node.js (apt-get install nodejs npm)")
    if not path.exists():
        need(f"the npm package {parts[0]} ({INSTALL})")
    return path


def node_bin(name: str) -> list[str]:
    """The command that runs an npm package's command-line tool."""
    return [shutil.which("node") or "node", str(node_module(".bin", name).resolve())]
