"""Patients per second through the reference engine (one shared `transitions` Machine, one model
per patient), the figure the compiled cohort engine of the next issue must beat. Not a unit test.

    python benchmarks/bench_simulate.py [--patients N] [--repeats R]

Times, each the median of R runs in this process, a cohort of N patients over 52 weeks:
- the natural history alone (drawing each patient and advancing them week by week: the baseline);
- the whole simulation (natural history, findings checked, every visit routed by the engine);
- the summary of the simulated cohort;
and prints patients per second and the ratio of each to the baseline.
"""

from __future__ import annotations

import argparse

from timing import median_seconds

from pathway import load_pathway, shipped_pathway
from simulations import load_parameters
from simulations.running.cohort import CohortSettings, simulate
from simulations.model.history import NaturalHistory
from simulations.results.summary import summarise

WEEKS = 52


def natural_history_only(history: NaturalHistory, patients: int, seed: int) -> None:
    for i in range(patients):
        patient = history.patient(seed, i, WEEKS)
        for week in range(WEEKS + 1):
            patient.advance(week)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    spec, params = load_pathway(shipped_pathway()), load_parameters()
    history = NaturalHistory(params)
    settings = CohortSettings(args.patients, seed=1, weeks=WEEKS)

    baseline = median_seconds(lambda: natural_history_only(history, args.patients, 1), args.repeats)
    full = median_seconds(lambda: simulate(spec, params, settings), args.repeats)
    result = simulate(spec, params, settings)
    summary = median_seconds(lambda: summarise(result), args.repeats)

    print(f"{args.patients:,} patients x {WEEKS} weeks, median of {args.repeats} runs")
    print(f"{'step':<44} {'seconds':>8} {'patients/s':>11} {'x baseline':>11}")
    for name, seconds in (("natural history only (baseline)", baseline),
                          ("simulation with the reference engine", full),
                          ("summary of the simulated cohort", summary)):
        print(f"{name:<44} {seconds:>8.3f} {args.patients / seconds:>11,.0f} {seconds / baseline:>11.2f}")
    print(f"visits routed by the engine: {result.visits:,} "
          f"({(full - baseline) / result.visits * 1e6:.0f} us each beyond the natural history)")


if __name__ == "__main__":
    main()
