"""How long `sciatica check` takes on the shipped pathway (goal: under 10 s). Not a unit test.

    python benchmarks/bench_check.py [--repeats N] [--mutants]

Times, each the median of N runs in this process: loading the pathway (the baseline every
command pays), the exhaustive check of all seven properties, and, with --mutants, the exhaustive
check of every mutant. It also prices the brute-force alternative: the engine's time per visit,
measured here on random visits, times the number of abstract cases property 1 decides.
"""

from __future__ import annotations

import argparse
import random
import time

from timing import median_seconds

from pathway import Engine, Patient, Visit, load_pathway, shipped_pathway
from pathway.verify import check_pathway
from pathway.verify.mutants import mutants
from pathway.verify.mutation import run_mutant


def random_patient(spec, rng: random.Random) -> Patient:
    findings = {}
    for f in spec.findings:
        if f.is_input:
            continue
        findings[f.name] = (rng.random() < 0.1 if f.type == "boolean" else rng.choice(f.values) if f.type == "enum"
                            else rng.randint(f.minimum, min(f.maximum, 30)))
    return Patient(age=rng.randint(18, 90), visits=(Visit(rng.randint(0, 30), findings),))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--mutants", action="store_true", help="also time the exhaustive check of every mutant")
    args = parser.parse_args()
    spec = load_pathway(shipped_pathway())
    load = median_seconds(lambda: load_pathway(shipped_pathway()), args.repeats)
    check = median_seconds(lambda: check_pathway(spec), args.repeats)
    report = check_pathway(spec)
    print(f"load the pathway (baseline)          {load:8.3f} s")
    print(f"check, all 7 properties              {check:8.3f} s   {check / load:6.1f}x the load   goal < 10 s: "
          f"{'met' if check + load < 10 else 'MISSED'}")
    for v in report.verdicts:
        print(f"  {v.number}. {v.title:<40} {v.seconds:8.3f} s   {v.cases:>22,} cases")

    engine, rng = Engine(spec), random.Random(0)
    patients = [random_patient(spec, rng) for _ in range(2000)]
    per_visit = median_seconds(lambda: [engine.run(p) for p in patients], 3) / len(patients)
    brute = per_visit * report.verdicts[0].cases
    print(f"engine, one visit                    {per_visit * 1e6:8.1f} us")
    print(f"brute force over property 1's cases  {brute / 3.15e7:8.0f} years   ({brute / check:.1e}x the check)")

    if args.mutants:
        derived = list(mutants(spec))
        start = time.perf_counter()
        results = [run_mutant(spec, m) for m in derived]
        took = time.perf_counter() - start
        print(f"mutants, exhaustive check            {took:8.3f} s   {len(derived)} mutants, "
              f"{took / len(derived) * 1000:.0f} ms each ({took / len(derived) / check:.2f}x one check); "
              f"{sum(r.exhaustive is not None for r in results)} killed")


if __name__ == "__main__":
    main()
