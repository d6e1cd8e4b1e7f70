"""The compiled cohort engine against the targets of issue 6. Not a unit test.

    python benchmarks/bench_cohort.py speedup [--patients 10000]
    python benchmarks/bench_cohort.py scaling [--sizes 10000 100000 1000000] [--workers 2]
    python benchmarks/bench_cohort.py check

speedup: the same cohort through the reference engine (one shared `transitions` Machine, a
    model per patient) and the compiled engine, in this process; checks the two give identical
    chunks and prints the ratio (target: at least 50x).
scaling: `sciatica simulate` end to end (summary, patients table in Parquet, flow diagram and
    plots; --no-visits) for each size, each in a fresh process tree; prints wall seconds, the
    marginal cost per patient between sizes (linear: about constant), the CPU seconds of the
    whole process tree (less noisy than wall time on a shared machine) and its peak memory,
    workers included (targets: 1M x 52 weeks under 5 s, under 1 GB).
check: wall seconds of `sciatica check` on the shipped pathway (target: under 10 s).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from timing import median_seconds

from pathway import load_pathway, shipped_pathway
from simulations import load_parameters
from simulations.execution import ChunkJob, run_chunk

WEEKS = 52
SCIATICA = [sys.executable, "-c", "from pathway.cli import main; main()"]  # the installed command, this Python


def speedup(patients: int) -> None:
    spec, params = load_pathway(shipped_pathway()), load_parameters()
    reference, compiled = (ChunkJob(spec, params, WEEKS, 1, engine) for engine in ("reference", "compiled"))
    run_chunk(compiled, 0, 10)  # build each engine once, outside the timing
    run_chunk(reference, 0, 1)
    slow = median_seconds(lambda: run_chunk(reference, 0, patients), 1)
    fast = median_seconds(lambda: run_chunk(compiled, 0, patients), 3)
    differences = run_chunk(reference, 0, patients).differences(run_chunk(compiled, 0, patients), spec)
    print(f"{patients:,} patients x {WEEKS} weeks, shipped pathway and natural history")
    print(f"  reference engine  {slow:8.2f} s  {patients / slow:>10,.0f} patients/s  (baseline)")
    print(f"  compiled engine   {fast:8.3f} s  {patients / fast:>10,.0f} patients/s  {slow / fast:6.1f}x faster")
    print(f"  per-patient traces identical: {'yes' if not differences else 'NO: ' + differences[0]}")


def scaling(sizes: list[int], workers: int) -> None:
    print(f"sciatica simulate --workers {workers} --format parquet, {WEEKS} weeks, all files written")
    print("  marginal: the cost of each extra patient since the previous size (fixed start-up costs cancel)")
    print(f"  {'patients':>10} {'seconds':>8} {'patients/s':>11} {'marginal us/patient':>20} {'CPU s':>7}"
          f" {'peak memory':>12}")
    previous = None
    for n in sizes:
        with tempfile.TemporaryDirectory() as out:
            command = [*SCIATICA, "simulate", "--patients", str(n), "--workers", str(workers),
                       "--format", "parquet", "--no-visits", "--quiet", "--out", out]
            seconds, peak, cpu = _timed_with_memory(command)
        marginal = f"{(seconds - previous[1]) / (n - previous[0]) * 1e6:.2f}" if previous else "-"
        previous = (n, seconds)
        print(f"  {n:>10,} {seconds:>8.2f} {n / seconds:>11,.0f} {marginal:>20} {cpu:>7.2f} {peak / 2**20:>9,.0f} MB")
    print("  (a fixed cost of about 1.5 s: start-up, the workers' imports, the plots and flow diagram)")


def check() -> None:
    command = [*SCIATICA, "check"]
    seconds, _, _ = _timed_with_memory(command)
    print(f"sciatica check (shipped pathway): {seconds:.2f} s wall (target under 10 s)")


def _timed_with_memory(command: list[str]) -> tuple[float, int, float]:
    """Wall seconds of `command`, the largest resident memory its whole process tree had at once,
    and the CPU seconds (user and system) of the tree, as last seen of each process (sampled)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0
    cpu: dict[int, int] = {}

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            rss, ticks = _tree(process.pid)
            peak = max(peak, rss)
            for pid, used in ticks.items():
                cpu[pid] = max(cpu.get(pid, 0), used)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = process.wait()
    seconds = time.perf_counter() - start
    sampler.join()
    if code:
        sys.exit(f"{' '.join(command)} failed with exit code {code}")
    return seconds, peak, sum(cpu.values()) / os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> tuple[int, dict[int, int]]:
    """Bytes resident in `root` and all its descendants, and each one's CPU ticks so far (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
        except (OSError, ValueError):
            continue
    total, stack, mine = 0, [root], {}
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        mine[pid] = ticks.get(pid, 0)
        stack += children.get(pid, [])
    return total, mine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("speedup", "scaling", "check"))
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.what == "speedup":
        speedup(args.patients)
    elif args.what == "scaling":
        scaling(args.sizes, args.workers)
    else:
        check()


if __name__ == "__main__":
    main()
