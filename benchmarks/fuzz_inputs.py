"""A long fuzz campaign over every input the tool reads (issue 17). Not a unit test.

    python benchmarks/fuzz_inputs.py --examples 5000 [--seed N] [--kinds pathway,patient,...]

The same inputs and oracle as tests/test_fuzz_inputs.py (tests/hostile.py, tests/hostile_checks.py),
with the examples shared among the kinds as KINDS says, but every failure is counted rather than
the first one stopped at and shrunk. Prints, per kind: inputs tried, tracebacks, hangs and time;
exits 1 if any input broke the oracle, with the first few failures in full.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
os.environ.setdefault("SCIATICA_CACHE_DIR", tempfile.mkdtemp(prefix="sciatica-fuzz-cache-"))  # not the user's cache

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from hostile import Broken  # noqa: E402
from hostile_checks import KINDS  # noqa: E402


def run_kind(kind: str, examples: int, scratch: Path, rng_seed: int) -> tuple[Counter, list[str], float]:
    """(counts of "inputs" and of each failure kind, the failures' details, seconds)."""
    strategy, check, _ = KINDS[kind]
    counts: Counter = Counter()
    failures: list[str] = []

    @seed(rng_seed)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy())
    def campaign(drawn) -> None:
        counts["inputs"] += 1
        try:
            check(drawn, scratch)
        except Broken as broken:
            counts[broken.kind] += 1
            failures.append(f"{kind} input {drawn!r:.300}\n{broken}")

    start = time.perf_counter()
    campaign()
    return counts, failures, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="inputs in all, shared among the kinds")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis's seed (the same seed, the same inputs)")
    parser.add_argument("--kinds", default=",".join(KINDS), help="which kinds, comma-separated")
    options = parser.parse_args()
    kinds = [k for k in options.kinds.split(",") if k]
    total_share = sum(KINDS[k][2] for k in kinds)
    rows, failures, totals = [], [], Counter()
    with tempfile.TemporaryDirectory(prefix="sciatica-fuzz-") as folder:
        for kind in kinds:
            scratch = Path(folder) / kind
            scratch.mkdir()
            examples = max(1, round(options.examples * KINDS[kind][2] / total_share))
            counts, found, seconds = run_kind(kind, examples, scratch, options.seed)
            rows.append((kind, counts["inputs"], counts["traceback"], counts["hang"], seconds))
            failures += found
            totals.update(counts)
            totals["seconds"] += seconds
    print(f"{'kind':12} {'inputs':>7} {'tracebacks':>11} {'hangs':>6} {'seconds':>8}")
    for kind, inputs, tracebacks, hangs, seconds in rows:
        print(f"{kind:12} {inputs:7,} {tracebacks:11,} {hangs:6,} {seconds:8.1f}")
    print(f"{'all':12} {totals['inputs']:7,} {totals['traceback']:11,} {totals['hang']:6,} {totals['seconds']:8.1f}")
    for failure in failures[:5]:
        print("\n" + failure)
    distinct = sorted({f.splitlines()[-1][-160:] for f in failures})
    if len(failures) > 5:
        print(f"\n{len(distinct)} distinct last lines among the {len(failures)} failures:", *distinct, sep="\n  ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
