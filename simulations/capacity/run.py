"""A catchment's chunk: its patients run together through one engine, sharing its queues; the
queues' totals travel with the chunk (`Chunk.capacity`)."""

from __future__ import annotations

from ..chunk import Chunk, from_runs
from .queues import Plan, Queues
from .totals import QueueTotals


def run_catchment(simulator, job, first: int, last: int) -> Chunk:
    """Patients first .. last - 1, one catchment with the capacity its size implies."""
    queues = Queues(Plan.of(job.capacity, last - first), job.seed)
    if job.engine == "compiled":
        chunk = simulator.run(job.seed, first, last, visits_in_order=job.parts is None or job.parts.visits,
                              queues=queues)
    else:
        chunk = from_runs(job.spec, first, simulator.run_catchment(job.seed, first, last, queues))
    chunk.capacity = QueueTotals.of(queues, job.spec, job.weeks)
    return chunk


def catchment_ranges(patients: int, catchments: int) -> list[tuple[int, int]]:
    """(first, last) of each catchment: the patients split as evenly as they go, in order."""
    edges = [patients * k // catchments for k in range(catchments + 1)]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]
