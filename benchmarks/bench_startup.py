"""Start-up of the command line (issue 18: `sciatica --help` and `sciatica assess` on one example
patient, each at most 0.3 s). Not a unit test.

    python benchmarks/bench_startup.py [--repeats 15] [--baseline TREE]

Each command runs in a fresh process, in turn with the others (the median of N runs of each): the
baseline is the bare interpreter (`python -c pass`), what no command can go below; each command's
ratio to it says how much of its time is ours. With --baseline TREE (another version's source
tree, e.g. `git archive main | tar -x -C TREE`), the same commands from it too, and the ratio
of this version to that one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from timing import paired_medians, with_source

from pathway.shipped import example_patients

TARGET_SECONDS = 0.3
SCIATICA = [sys.executable, "-c", "from pathway.cli import main; main()"]  # the installed command, this Python


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--baseline", type=Path, help="another version's source tree, to compare with")
    args = parser.parse_args()
    patient = str(sorted(example_patients())[0])
    tasks = {"--help": ["--help"], "assess": ["assess", patient]}
    commands = {"python -c pass (baseline)": ([sys.executable, "-c", "pass"], None)}
    for name, words in tasks.items():
        commands[f"sciatica {name}"] = ([*SCIATICA, *words], None)
        if args.baseline:
            commands[f"sciatica {name}, baseline tree"] = ([*SCIATICA, *words], with_source(args.baseline))
    found = paired_medians(commands, args.repeats)
    floor = found["python -c pass (baseline)"][0]
    print(f"fresh processes, median of {args.repeats} runs each (assess: {Path(patient).name}); "
          f"target at most {TARGET_SECONDS} s wall")
    print(f"  {'command':36} {'wall s':>7} {'CPU s':>7} {'x python':>9}")
    for name, (wall, cpu) in found.items():
        print(f"  {name:36} {wall:7.3f} {cpu:7.3f} {wall / floor:9.1f}")
    for name in tasks:
        wall = found[f"sciatica {name}"][0]
        verdict = "met" if wall <= TARGET_SECONDS else "NOT met"
        line = f"  sciatica {name}: {wall:.3f} s, {verdict}"
        if args.baseline:
            line += f"; {wall / found[f'sciatica {name}, baseline tree'][0]:.2f}x the baseline tree"
        print(line)


if __name__ == "__main__":
    main()
