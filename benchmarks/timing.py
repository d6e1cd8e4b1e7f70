"""Timing shared by the benchmarks: the median of repeated runs, in this process."""

from __future__ import annotations

import statistics
import time


def median_seconds(job, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
