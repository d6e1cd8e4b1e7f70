"""The compiled cohort engine against the targets of issues 6 and 18. Not a unit test.

    python benchmarks/bench_cohort.py speedup [--patients 10000]
    python benchmarks/bench_cohort.py scaling [--sizes 10000 100000 1000000] [--workers 2] [--baseline TREE]
    python benchmarks/bench_cohort.py check

speedup: the same cohort through the reference engine (one shared `transitions` Machine, a
    model per patient) and the compiled engine, in this process; checks the two give identical
    chunks and prints the ratio (target: at least 50x).
scaling: `sciatica simulate` end to end (summary, patients table in Parquet, flow diagram and
    plots; --no-visits) for each size, each in a fresh process tree; prints wall seconds, the
    marginal cost per patient between sizes (linear: about constant), the CPU seconds of the
    whole process tree (less noisy than wall time on a shared machine) and its peak memory,
    workers included (issue 18's targets for 1M x 52 weeks: at most 2.5 s, under 300 MB). The
    baseline, in this process: the compiled engine alone on the same patients, in the same
    chunks, one after the other (no start-up, tables or pictures), its seconds divided by the
    workers: the run's floor on this machine; the ratio says what the rest of the run adds.
    With --baseline TREE (another version's source tree, e.g. `git archive main | tar -x -C
    TREE`), the same command from it too, run in turn with this one, and the ratio to it.
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

from timing import median_seconds, with_source

from pathway import load_pathway, shipped_pathway
from simulations import load_parameters
from simulations.running.chunk import Parts
from simulations.running.cohort import RECOVERY_WEEKS, chunk_ranges, default_chunk
from simulations.running.execution import ChunkJob, run_and_total, run_chunk

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


def scaling(sizes: list[int], workers: int, baseline: Path | None) -> None:
    print(f"sciatica simulate --workers {workers} --format parquet --no-visits, {WEEKS} weeks, all files written")
    print("  marginal: the cost of each extra patient since the previous size (fixed start-up costs cancel)")
    print("  floor: the engine alone in this process, divided by the workers (the baseline)")
    print(f"  {'patients':>10} {'seconds':>8} {'patients/s':>11} {'marginal us/patient':>20} {'CPU s':>7}"
          f" {'peak memory':>12} {'floor s':>8} {'x floor':>8}")
    previous = None
    for n in sizes:
        floor = engine_seconds(n) / workers
        seconds, peak, cpu = _simulate(n, workers, None)
        marginal = f"{(seconds - previous[1]) / (n - previous[0]) * 1e6:.2f}" if previous else "-"
        previous = (n, seconds)
        print(f"  {n:>10,} {seconds:>8.2f} {n / seconds:>11,.0f} {marginal:>20} {cpu:>7.2f} {peak / 2**20:>9,.0f} MB"
              f" {floor:>8.2f} {seconds / floor:>8.2f}")
        if baseline is not None:
            old_seconds, old_peak, old_cpu = _simulate(n, workers, baseline)
            print(f"  {'baseline tree':>10} {old_seconds:>8.2f} {n / old_seconds:>11,.0f} {'':>20} {old_cpu:>7.2f}"
                  f" {old_peak / 2**20:>9,.0f} MB   this version: {seconds / old_seconds:.2f}x the time, "
                  f"{peak / old_peak:.2f}x the memory")
    if sizes and sizes[-1] == 1_000_000:
        print(f"  1M target: at most 2.5 s ({'met' if seconds <= 2.5 else 'NOT met'}), under 300 MB "
              f"({'met' if peak < 300 * 2**20 else 'NOT met'})")


def engine_seconds(patients: int) -> float:
    """The compiled engine's seconds for these patients, chunk by chunk as a run makes them, each
    chunk with its totals (as a worker makes them), after the engine has been built."""
    spec, params = load_pathway(shipped_pathway()), load_parameters()
    job = ChunkJob(spec, params, WEEKS, 1, "compiled", Parts(RECOVERY_WEEKS, False))
    run_chunk(job, 0, 10)
    start = time.perf_counter()
    for first, last in chunk_ranges(patients, default_chunk("compiled")):
        run_and_total(job, first, last)
    return time.perf_counter() - start


def _simulate(n: int, workers: int, tree: Path | None) -> tuple[float, int, float]:
    with tempfile.TemporaryDirectory() as out:
        command = [*SCIATICA, "simulate", "--patients", str(n), "--workers", str(workers),
                   "--format", "parquet", "--no-visits", "--quiet", "--out", out]
        return _timed_with_memory(command, with_source(tree))


def check() -> None:
    command = [*SCIATICA, "check"]
    seconds, _, _ = _timed_with_memory(command)
    print(f"sciatica check (shipped pathway): {seconds:.2f} s wall (target under 10 s)")


def _timed_with_memory(command: list[str], env: dict | None = None) -> tuple[float, int, float]:
    """Wall seconds of `command`, the largest resident memory its whole process tree had at once,
    and the CPU seconds (user and system) of the tree, as last seen of each process (sampled)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env)
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
    parser.add_argument("--baseline", type=Path, help="another version's source tree, to compare with (scaling)")
    args = parser.parse_args()
    if args.what == "speedup":
        speedup(args.patients)
    elif args.what == "scaling":
        scaling(args.sizes, args.workers, args.baseline)
    else:
        check()


if __name__ == "__main__":
    main()
