"""How long the review packet takes (goal: the shipped pathway with a 10,000-patient simulation in
under 30 s). Not a unit test.

    python benchmarks/bench_report.py [--patients 10000] [--repeats 3]

Times, each the median of N runs in this process, after one warm-up: the packet without a
simulation (the baseline: diagram, tables, exhaustive check, page), then with the simulated
cohort and with the changes since an older version too; the ratios say what each part adds. Then
`sciatica report --simulate N` end to end in a fresh process (start-up included), against the
30 s goal.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from timing import median_seconds

from pathway import load_pathway, shipped_pathway
from review import SimulationRequest, build_packet, render_page
from simulations import load_parameters

GOAL_SECONDS = 30.0
SCIATICA = [sys.executable, "-c", "from pathway.cli import main; main()"]  # the installed command, this Python


def older_version(folder: Path) -> Path:
    """A copy of the shipped pathway as version 0.9.0 with one transition tried later."""
    old = folder / "old"
    shutil.copytree(shipped_pathway(), old)
    for name, before, after in (("pathway.yaml", "version: 1.0.0", "version: 0.9.0"),
                                ("transitions.yaml", "    when: neurogenic_claudication\n    priority: 4\n",
                                 "    when: neurogenic_claudication\n    priority: 8\n")):
        path = old / name
        path.write_text(path.read_text(encoding="utf-8").replace(before, after), encoding="utf-8")
    return old


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    spec, params = load_pathway(shipped_pathway()), load_parameters()
    request = SimulationRequest(args.patients, seed=1, weeks=52, params=params)
    with tempfile.TemporaryDirectory() as scratch:
        old = older_version(Path(scratch))
        against = load_pathway(old)
        jobs = {
            "packet, no simulation (baseline)": lambda: render_page(build_packet(spec), ""),
            f"packet + {args.patients:,}-patient simulation": lambda: render_page(build_packet(spec, request), ""),
            "packet + simulation + changes": lambda: render_page(build_packet(spec, request, against), ""),
        }
        for job in jobs.values():
            job()  # warm-up: imports, Graphviz plug-ins and fonts, matplotlib
        print(f"review packet of the shipped pathway, median of {args.repeats} runs in this process")
        baseline = None
        for name, job in jobs.items():
            seconds = median_seconds(job, args.repeats)
            baseline = baseline or seconds
            print(f"  {name:44} {seconds:7.2f} s  {seconds / baseline:5.2f}x the baseline")

        out = Path(scratch) / "report.html"
        command = [*SCIATICA, "report", "--simulate", str(args.patients), "--against", str(old),
                   "--out", str(out), "--quiet"]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        seconds = time.perf_counter() - start
        print(f"  sciatica report --simulate {args.patients} --against OLD, fresh process: {seconds:.2f} s "
              f"({out.stat().st_size / 1e6:.1f} MB); goal under {GOAL_SECONDS:.0f} s: "
              f"{seconds / GOAL_SECONDS:.2f} of the goal, {'met' if seconds < GOAL_SECONDS else 'NOT met'}")


if __name__ == "__main__":
    main()
