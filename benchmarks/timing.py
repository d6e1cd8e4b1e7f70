"""Timing shared by the benchmarks: the median of repeated runs, in this process or in fresh ones."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from pathlib import Path


def median_seconds(job, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_seconds(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user and system, every process it waited for) of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def with_source(tree: Path | None) -> dict | None:
    """The environment that runs another version's code (`tree`: a source tree, e.g. made by
    `git archive main | tar -x -C TREE`), or None for this one."""
    if tree is None:
        return None
    return {**os.environ, "PYTHONPATH": str(Path(tree).resolve())}


def paired_medians(commands: dict[str, tuple[list[str], dict | None]], repeats: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each command, run in turn (A B A B ...: a machine whose speed
    drifts slows each alike), after one warm-up run of each."""
    for command, env in commands.values():
        run_seconds(command, env)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, (command, env) in commands.items():
            runs[name].append(run_seconds(command, env))
    return {name: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r)) for name, r in runs.items()}
