"""The waiting lists of one catchment: orders join a resource's queue; each week the queue serves
up to that week's slots, at hour resolution inside the week.

Both engines drive the same `Queues` the same way: every order made in week `w` joins (in any
order: the queue sorts), then, once every patient of the catchment has had week `w`, `serve(w)`
fills the week's slots. What a slot does in the engines (a result due, an injection, an
operation) takes effect from week `w + 1 + reporting_weeks`.

Time inside a week: an order arrives at a drawn hour (0-167, `arrival_hours`: a hash of the seed,
patient, week and resource, so no patient's random streams move); a week's slots are spread
evenly over its 168 hours; each slot, in time order, serves the waiting order of the highest
priority (emergency, urgent, routine) that has arrived by then, first come first served, ties by
patient number. Urgent slots serve only emergency and urgent orders; routine slots serve routine
orders, and emergency and urgent ones first when `urgent_takes_routine`. A slot nobody can use is
lost. Orders not served carry over to the next week. An order cancelled (the patient left the
state that waited for it) leaves the queue unserved.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import math
from collections.abc import Callable

import attrs
import numpy as np

from .file import LANES, Capacity

HOURS = 168
EMERGENCY, URGENT, ROUTINE = range(len(LANES))
RESULT, OPERATION = 0, 1  # what a queued order is for: a result awaited, an operation
BOOKED = ("mri", "ct", "xray", "clinic", "epidural", "theatre")  # the resources with queues, by index


@attrs.frozen
class Plan:
    """One catchment's slots: per booked resource, routine and urgent slots a week."""

    routine: tuple[float, ...]
    urgent: tuple[float, ...]
    takes_routine: tuple[bool, ...]
    reporting: tuple[int, ...]
    lanes: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, capacity: Capacity, patients: int) -> Plan:
        population = capacity.population(patients)
        rs = [capacity.resources[name] for name in BOOKED]
        weekly = [r.weekly(population) for r in rs]
        return cls(tuple(w[0] for w in weekly), tuple(w[1] for w in weekly),
                   tuple(r.urgent_takes_routine for r in rs), tuple(r.reporting_weeks for r in rs),
                   tuple(tuple(LANES.index(lane) for lane in r.lanes) for r in rs))

    def lane(self, resource: int, urgency: int) -> int:
        """The lane an order of this urgency joins: its own, else the next less urgent the
        resource has, else the resource's least urgent."""
        lanes = self.lanes[resource]
        return next((lane for lane in lanes if lane >= urgency), lanes[-1])


def slots_in(rate: float, week: int) -> int:
    """Whole slots in `week` at `rate` a week: fractions carried, so any 52 weeks give 52 x rate."""
    return math.floor((week + 1) * rate + 1e-9) - math.floor(week * rate + 1e-9)


@functools.lru_cache(maxsize=4096)
def week_slots(urgent: int, routine: int) -> tuple[tuple[int, int], ...]:
    """The week's slots as (hour, kind), in time order (urgent first within an hour)."""
    return tuple(sorted([(h, URGENT) for h in slot_hours(urgent)] + [(h, ROUTINE) for h in slot_hours(routine)]))


def slot_hours(count: int) -> list[int]:
    """`count` slots spread evenly over the week's hours (each in the middle of its share)."""
    return [(2 * j + 1) * HOURS // (2 * count) for j in range(count)]


def arrival_hours(seed: int, patients: np.ndarray, week: int, resource: int) -> np.ndarray:
    """The hour of the week (0-167) each order arrives: a hash (splitmix64) of seed, patient,
    week and resource, the same in every engine and worker."""
    with np.errstate(over="ignore"):
        x = (np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
             ^ patients.astype(np.uint64) * np.uint64(0xBF58476D1CE4E5B9)
             ^ np.uint64(week * 16 + resource + 1) * np.uint64(0x94D049BB133111EB))
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return (x % np.uint64(HOURS)).astype(np.int64)


@attrs.define
class Log:
    """What the queues did, as lists (made into columns by `columns`)."""

    served: list[tuple] = attrs.Factory(list)  # (resource, lane, patient, week, hour, served week, served hour, category, what)
    weekly: list[tuple] = attrs.Factory(list)  # (week, resource, (routine, urgent) slots, (routine, urgent) used, waiting at the end)


class Queues:
    """The queues of one catchment's booked resources."""

    def __init__(self, plan: Plan, seed: int):
        self.plan, self.seed = plan, seed
        self.next_id = 0
        self.ready = [[[] for _ in LANES] for _ in BOOKED]  # heaps of waiting entries, by resource and lane
        self.incoming: list[list[tuple]] = [[] for _ in BOOKED]  # this week's arrivals
        self.log = Log()

    def join(self, resource: int, urgency: int, patients: np.ndarray, week: int, what: int,
             categories: np.ndarray | None = None) -> np.ndarray:
        """These patients' orders join `resource`'s queue in week `week`; their entry ids."""
        lane = self.plan.lane(resource, urgency)
        hours = arrival_hours(self.seed, patients, week, resource)
        ids = np.arange(self.next_id, self.next_id + len(patients), dtype=np.int64)
        self.next_id += len(patients)
        cats = categories if categories is not None else np.full(len(patients), -1)
        for p, h, i, c in zip(patients.tolist(), hours.tolist(), ids.tolist(), np.asarray(cats).tolist()):
            # sorted by arrival, then lane, then patient: served first come first served among equals
            self.incoming[resource].append((h, lane, week, p, i, c, what))
        return ids

    def serve(self, week: int, valid: Callable[[int, int, int], bool]) -> list[tuple[int, int, int, int, int]]:
        """Fill this week's slots; (what, patient, entry id, week served, week due) for each order served.
        `valid(what, patient, id)`: the order still stands (not cancelled)."""
        done = []
        for r in range(len(BOOKED)):
            done += self._serve(r, week, valid)
        return done

    def _serve(self, r: int, week: int, valid) -> list[tuple[int, int, int, int, int]]:
        plan, ready = self.plan, self.ready[r]
        urgent, routine = slots_in(plan.urgent[r], week), slots_in(plan.routine[r], week)
        slots = week_slots(urgent, routine)
        arrivals = sorted(self.incoming[r])
        self.incoming[r] = []
        lanes_for = {URGENT: (EMERGENCY, URGENT),
                     ROUTINE: (EMERGENCY, URGENT, ROUTINE) if plan.takes_routine[r] else (ROUTINE,)}
        done, used, k, j = [], [0, 0], 0, 0
        while j < len(slots):
            hour, kind = slots[j]
            while k < len(arrivals) and arrivals[k][0] <= hour:
                self._wait(ready, arrivals[k])
                k += 1
            if not any(ready):  # nobody waits: the slots until the next arrival go unused
                if k == len(arrivals):
                    break
                j = bisect.bisect_left(slots, (arrivals[k][0], 0), j)
                continue
            j += 1
            entry = self._next(ready, lanes_for[kind], valid)
            if entry is not None:
                used[kind == URGENT] += 1
                order_week, order_hour, p, i, lane, c, what = entry
                self.log.served.append((r, lane, p, order_week, order_hour, week, hour, c, what))
                done.append((what, p, i, week, week + 1 + plan.reporting[r]))
        for arrival in arrivals[k:]:
            self._wait(ready, arrival)
        for lane in range(len(LANES)):  # drop what was cancelled: the queue's length is what still waits
            ready[lane] = [e for e in ready[lane] if valid(e[6], e[2], e[3])]
            heapq.heapify(ready[lane])
        self.log.weekly.append((week, r, (routine, urgent), tuple(used), sum(len(q) for q in ready)))
        return done

    @staticmethod
    def _wait(ready: list, arrival: tuple) -> None:
        hour, lane, week, p, i, c, what = arrival
        heapq.heappush(ready[lane], (week, hour, p, i, lane, c, what))

    @staticmethod
    def _next(ready: list, lanes: tuple[int, ...], valid):
        for lane in lanes:
            queue = ready[lane]
            while queue:
                entry = heapq.heappop(queue)
                if valid(entry[6], entry[2], entry[3]):
                    return entry
        return None

    def waiting(self) -> list[tuple]:
        """Orders still waiting at the end of follow-up (cancelled ones dropped each week), in
        order: (resource, lane, week ordered, hour, patient, category, what)."""
        return sorted((r, lane, week, hour, p, c, what) for r in range(len(BOOKED)) for lane in range(len(LANES))
                      for week, hour, p, _, _, c, what in self.ready[r][lane])
