"""The fuzz campaign of issue 17, kept in the suite: hostile pathway folders, patient files,
parameter and sweep files and command lines (tests/hostile.py, tests/hostile_checks.py), each
run through the tool in this process against the oracle: only the tool's own errors, with
printable messages; no hang; exit 0, 1 or 2 and no traceback; no half-written file.

In CI the campaign tries about 700 inputs in well under a minute. A longer one:

    SCIATICA_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz_inputs.py   # shares as in KINDS
    python benchmarks/fuzz_inputs.py --examples 5000                         # counts every failure

A failure is shrunk by Hypothesis to the smallest input that shows it, and replayed first on the
next run (its example database).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings

from hostile_checks import KINDS, PATIENTS, REPO, STATES
from said import problems

EXAMPLES = int(os.environ.get("SCIATICA_FUZZ_EXAMPLES", "0"))  # a longer run: this many inputs in all
CI_EXAMPLES = {"pathway": 120, "patient": 300, "parameters": 60, "sweep": 150, "cli": 80}
settings.register_profile("fuzz", deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)


@pytest.mark.parametrize("kind", list(KINDS))
def test_hostile_inputs_fail_cleanly(kind, tmp_path):
    strategy, check, share = KINDS[kind]
    examples = max(1, round(EXAMPLES * share)) if EXAMPLES else CI_EXAMPLES[kind]
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    @settings(settings.get_profile("fuzz"), max_examples=examples)
    @given(strategy())
    def campaign(drawn) -> None:
        check(drawn, scratch)

    campaign()


def sciatica(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from pathway.cli import main; main()", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_the_first_campaigns_reproducers_as_real_commands(tmp_path):
    """A few of the first campaign's findings as a user meets them: a real process, real stderr."""
    calm = (PATIENTS / "03-cauda-equina-at-review.json").read_text(encoding="utf-8")
    twice = tmp_path / "twice.json"
    twice.write_text(calm.replace('"bladder_dysfunction": false,', '"bladder_dysfunction": true, "bladder_dysfunction": false,', 1))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 5000 + "]" * 5000)
    pathway = tmp_path / "pathway"
    pathway.mkdir()
    for path in STATES.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "pathway.yaml":
            text = text.replace("initial: onset", "initial: " + "[" * 300 + "]" * 300)
        (pathway / path.name).write_text(text, encoding="utf-8")
    initial = 1 + (STATES / "pathway.yaml").read_text(encoding="utf-8").split("initial: onset")[0].count("\n")
    runs = {
        "twice": (sciatica("assess", str(twice)), f"{twice}:21: duplicate key \"bladder_dysfunction\" (first at line 21)"),
        "deep": (sciatica("assess", str(deep)), f"{deep}:1: nested more than 20 levels deep; a patient file needs at most 4"),
        "pathway": (sciatica("tables", str(pathway)), f"{pathway / 'pathway.yaml'}:{initial}: nested more than 20 levels deep; "
                                                       "a pathway file needs at most 4"),
    }
    for name, (run, first_line) in runs.items():
        assert run.returncode == 1, (name, run.stderr)
        assert "Traceback" not in run.stderr + run.stdout, (name, run.stderr)
        assert problems(run)[0] == first_line, name
