"""Capacity (queues per catchment) against fixed waits, and the target of issue 18. Not a unit test.

    python benchmarks/bench_capacity.py overhead [--patients 100000] [--catchments 10]
    python benchmarks/bench_capacity.py target [--patients 1000000] [--catchments 100] [--workers 2]

overhead: the same patients through the compiled engine in chunks of the default size, with fixed
    waits (the baseline) and with the shipped capacity (each chunk whole catchments), in this
    process; prints the ratio (the queues' cost) and checks that capacity changed the waits.
target: `sciatica simulate --capacity --catchments K` end to end (summary, patients table in
    Parquet, plots; --no-visits) in a fresh process; prints wall seconds and patients a second
    (issue 18's target: 1,000,000 episodes across 100 catchments over 52 weeks in at most 6 s).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

from timing import median_seconds

from pathway import load_pathway, shipped_pathway
from simulations import load_parameters
from simulations.capacity.file import load_capacity
from simulations.capacity.run import catchment_ranges, chunks_of_catchments
from simulations.running.cohort import COMPILED_CHUNK, chunk_ranges
from simulations.running.execution import ChunkJob, run_chunk

WEEKS = 52
SCIATICA = [sys.executable, "-c", "from pathway.cli import main; main()"]


def overhead(patients: int, catchments: int) -> None:
    spec, params, capacity = load_pathway(shipped_pathway()), load_parameters(), load_capacity()
    areas = catchment_ranges(patients, catchments)
    fixed = ChunkJob(spec, params, WEEKS, 1)
    queued = ChunkJob(spec, params, WEEKS, 1, capacity=capacity, catchments=tuple(areas))
    run_chunk(fixed, 0, 10)  # build the engine once, outside the timing

    def run(job, ranges):
        return [run_chunk(job, first, last) for first, last in ranges]

    plain, grouped = chunk_ranges(patients, COMPILED_CHUNK), chunks_of_catchments(areas, COMPILED_CHUNK)
    base = median_seconds(lambda: run(fixed, plain), 3)
    with_queues = median_seconds(lambda: run(queued, grouped), 3)
    first, last = grouped[0]
    changed = (run_chunk(fixed, first, last).patients["first_mri_week"].tolist()
               != run_chunk(queued, first, last).patients["first_mri_week"].tolist())
    print(f"{patients:,} patients in {len(areas)} catchments ({len(grouped)} chunks) x {WEEKS} weeks, "
          "compiled engine, one process")
    print(f"  fixed waits     {base:8.3f} s  {patients / base:>10,.0f} patients/s  (baseline)")
    print(f"  with capacity   {with_queues:8.3f} s  {patients / with_queues:>10,.0f} patients/s  "
          f"{with_queues / base:5.2f}x the baseline")
    print(f"  capacity changed the waits: {'yes' if changed else 'NO'}")


def target(patients: int, catchments: int, workers: int) -> None:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([*SCIATICA, "simulate", "--patients", str(patients), "--capacity", "--catchments",
                        str(catchments), "--workers", str(workers), "--format", "parquet", "--no-visits", "--quiet",
                        "--out", out], check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
    print(f"sciatica simulate --capacity --catchments {catchments} --workers {workers}: {patients:,} patients x "
          f"{WEEKS} weeks in {seconds:.1f} s ({patients / seconds:,.0f} patients/s; target 6 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("overhead", "target"))
    parser.add_argument("--patients", type=int)
    parser.add_argument("--catchments", type=int)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.what == "overhead":
        overhead(args.patients or 100_000, args.catchments or 10)
    else:
        target(args.patients or 1_000_000, args.catchments or 100, args.workers)


if __name__ == "__main__":
    main()
