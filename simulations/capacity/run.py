"""A chunk of whole catchments: each catchment's patients share its queues; the catchments of a
chunk run in one block (the compiled engine) or one after another (the reference), and never
touch each other's queues, so results do not depend on how catchments are grouped into chunks.
The queues' totals travel with the chunk (`Chunk.capacity`)."""

from __future__ import annotations

import functools

import numpy as np

from ..running.chunk import Chunk, from_runs
from .queues import Plan, Queues
from .totals import QueueTotals


class Catchments:
    """The queues of several catchments (consecutive patients each), used as one `Queues`: an
    order joins its patient's catchment's queue; each week every catchment serves its own."""

    def __init__(self, capacity, seed: int, ranges: list[tuple[int, int]]):
        self.firsts = np.array([a for a, _ in ranges], dtype=np.int64)
        self.queues = [Queues(Plan.of(capacity, b - a), seed) for a, b in ranges]

    def join(self, resource: int, lane: int, patients: np.ndarray, week: int, what: int,
             categories: np.ndarray | None = None) -> np.ndarray:
        which = np.searchsorted(self.firsts, patients, side="right") - 1
        ids = np.zeros(len(patients), dtype=np.int64)
        cats = np.full(len(patients), -1) if categories is None else np.asarray(categories)
        for c in np.unique(which).tolist():
            these = which == c
            ids[these] = self.queues[c].join(resource, lane, patients[these], week, what, cats[these])
        return ids

    def serve(self, week: int, valid) -> list:
        return [s for q in self.queues for s in q.serve(week, valid)]


def run_catchments(simulator, job, first: int, last: int) -> Chunk:
    """Patients first .. last - 1: the whole catchments of `job.catchments` they hold."""
    ranges = [(a, b) for a, b in job.catchments if first <= a and b <= last]
    if job.engine == "compiled":
        catchments = Catchments(job.capacity, job.seed, ranges)
        chunk = simulator.run(job.seed, first, last, visits_in_order=job.parts is None or job.parts.visits,
                              queues=catchments)
        queues = catchments.queues
    else:
        queues = [Queues(Plan.of(job.capacity, b - a), job.seed) for a, b in ranges]
        runs = [run for (a, b), q in zip(ranges, queues) for run in simulator.run_catchment(job.seed, a, b, q)]
        chunk = from_runs(job.spec, first, runs)
    chunk.capacity = functools.reduce(lambda x, y: x + y, (QueueTotals.of(q, job.spec, job.weeks) for q in queues))
    return chunk


def catchment_ranges(patients: int, catchments: int) -> list[tuple[int, int]]:
    """(first, last) of each catchment: the patients split as evenly as they go, in order."""
    edges = [patients * k // catchments for k in range(catchments + 1)]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]


def chunks_of_catchments(catchments: list[tuple[int, int]], chunk_size: int) -> list[tuple[int, int]]:
    """(first, last) of each chunk: whole catchments, in order, added until a chunk holds
    `chunk_size` patients or more (a catchment larger than that is a chunk alone)."""
    chunks, start = [], None
    for a, b in catchments:
        start = a if start is None else start
        if b - start >= chunk_size:
            chunks.append((start, b))
            start = None
    if start is not None:
        chunks.append((start, catchments[-1][1]))
    return chunks
