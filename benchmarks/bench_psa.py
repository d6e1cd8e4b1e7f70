"""A probabilistic sensitivity analysis against the target of issue 18 (1,000 draws x 10,000
patients in 60 s; hesim's published benchmark: 1,000 patients x 1,000 draws in 6 s). Not a unit test.

    python benchmarks/bench_psa.py [--draws 20] [--patients 10000] [--strategies 2] [--workers 1]

Runs the shipped PSA example's draws (simulations/sweeps/psa.yaml, its parameters and strategies)
two ways in this process, each the median of --repeats runs:
- baseline: as the sweep ran before issue 18, `simulate` then `summarise` per set and pathway
  (a fresh engine per set, each cohort cut into several chunks);
- sweep: `run_sweep` (each cohort one task, the engine built once per pathway, the parameters'
  natural history swapped in per draw), on --workers processes;
and prints seconds per cohort, the ratio of the two, and the time 1,000 draws would take.
The whole command, plots and files included, is timed from outside with farm-bench:

    farm-bench -n 3 --timeout 900 -- sciatica sweep simulations/sweeps/psa.yaml --patients 10000 --workers 2 --quiet --out /tmp/psa
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

import attrs
from timing import median_seconds

from simulations import load_parameters
from simulations.running.cohort import simulate
from simulations.running.execution import process_pool
from simulations.results.summary import summarise
from simulations.analyses.sweep import load_plan
from simulations.analyses.sweep_run import run_sweep

PSA = Path(__file__).resolve().parent.parent / "simulations" / "sweeps" / "psa.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--strategies", type=int, choices=(1, 2), default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    base = load_parameters()
    plan = load_plan(PSA, base, patients=args.patients)
    plan = attrs.evolve(plan, sets=plan.sets[:args.draws], strategies=plan.strategies[:args.strategies])
    if args.strategies == 1:
        plan = attrs.evolve(plan, strategies=())
    specs = [s.spec for s in load_plan(PSA, base).strategies[:args.strategies]]
    cohorts = args.draws * args.strategies

    def baseline() -> None:
        for number in range(1, args.draws + 1):
            params = base.with_values(plan.values(number))
            for spec in specs:
                summarise(simulate(spec, params, plan.settings))

    with process_pool(args.workers) if args.workers > 1 else contextlib.nullcontext() as pool:
        fast = median_seconds(lambda: run_sweep(plan, specs[0], base, executor=pool), args.repeats)
    slow = median_seconds(baseline, args.repeats)
    print(f"{args.draws} draws x {args.strategies} strateg{'y' if args.strategies == 1 else 'ies'} x "
          f"{args.patients:,} patients = {cohorts} cohorts")
    print(f"  baseline (simulate per set, 1 process)  {slow:8.2f} s  {slow / cohorts:6.3f} s a cohort")
    print(f"  sweep ({args.workers} worker{'s' * (args.workers > 1)})                    {fast:8.2f} s  "
          f"{fast / cohorts:6.3f} s a cohort  {slow / fast:5.2f}x faster")
    print(f"  1,000 draws at this rate: {1000 * fast / args.draws:,.0f} s (target 60 s)")


if __name__ == "__main__":
    main()
