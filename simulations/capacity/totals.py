"""A catchment's queues as exact integer totals, added over catchments like simulations.results.totals:
waits by resource and lane (a histogram in hours), slots offered and used and orders waiting
each week, and each red-flag category's urgent work-ups done within its safety timescale."""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np

from pathway.spec import PathwaySpec

from ..model.history import RED_FLAGS
from .file import LANES
from .queues import BOOKED, HOURS, RESULT, Queues

# The natural history's red-flag categories (history.RED_FLAGS) as the safety requirements'
# (states/safety.yaml) categories whose timescale their urgent imaging is held to; infection by
# the lane it was ordered in (emergency: with a deficit).
SAFETY_CATEGORY = {
    "cauda_equina": ("cauda_equina", "cauda_equina"),
    "fracture": ("suspected_fracture", "suspected_fracture"),
    "malignancy": ("malignancy_known_cancer", "malignancy_known_cancer"),
    "infection": ("infection_with_deficit", "spinal_infection"),
    "spinal_cord_compression": ("spinal_cord_compression", "spinal_cord_compression"),
    "major_trauma": ("major_trauma", "major_trauma"),
    "progressive_motor_deficit": ("motor_deficit", "motor_deficit"),
}
FIELDS = ("waits", "still_waiting", "slots", "used", "waiting", "work_ups", "on_time")


def timescales(spec: PathwaySpec) -> np.ndarray:
    """(RED_FLAGS, 2) hours: each category's timescale ordered as an emergency, and otherwise."""
    hours = {c.name: c.within_hours for c in spec.safety.categories}
    return np.array([[hours.get(SAFETY_CATEGORY[c][0]) or 10**9, hours.get(SAFETY_CATEGORY[c][1]) or 10**9]
                     for c in RED_FLAGS], dtype=np.int64)


@attrs.define(eq=False)
class QueueTotals:
    waits: np.ndarray  # (resources, lanes, hours) orders served after waiting that many whole hours
    still_waiting: np.ndarray  # (resources, lanes) orders not served by the end of follow-up
    slots: np.ndarray  # (weeks + 1, resources, 2) routine and urgent slots offered each week
    used: np.ndarray  # (weeks + 1, resources, 2) routine and urgent slots used
    waiting: np.ndarray  # (weeks + 1, resources) orders waiting at the end of each week
    work_ups: np.ndarray  # (RED_FLAGS,) urgent and emergency work-ups queued for imaging
    on_time: np.ndarray  # (RED_FLAGS,) of them, imaged within the category's timescale

    @classmethod
    def zero(cls, weeks: int) -> QueueTotals:
        r, lanes = len(BOOKED), len(LANES)
        return cls(np.zeros((r, lanes, (weeks + 2) * HOURS), dtype=np.int64), np.zeros((r, lanes), dtype=np.int64),
                   *(np.zeros((weeks + 1, r, 2), dtype=np.int64) for _ in range(2)),
                   np.zeros((weeks + 1, r), dtype=np.int64),
                   np.zeros(len(RED_FLAGS), dtype=np.int64), np.zeros(len(RED_FLAGS), dtype=np.int64))

    @classmethod
    def of(cls, queues: Queues, spec: PathwaySpec, weeks: int) -> QueueTotals:
        t = cls.zero(weeks)
        last = t.waits.shape[2] - 1
        limit = timescales(spec)
        for r, lane, _, week, hour, served, served_hour, category, what in queues.log.served:
            waited = (served - week) * HOURS + served_hour - hour
            t.waits[r, lane, min(waited, last)] += 1
            if what == RESULT and category >= 0 and lane < 2:
                t.work_ups[category] += 1
                t.on_time[category] += waited <= limit[category, lane]
        end = (weeks + 1) * HOURS
        for r, lane, week, hour, _, category, what in queues.waiting():
            t.still_waiting[r, lane] += 1
            if what == RESULT and category >= 0 and lane < 2:  # not imaged by the end: on time only if not yet due
                t.work_ups[category] += 1
                t.on_time[category] += end - (week * HOURS + hour) <= limit[category, lane]
        for week, r, slots, used, waiting in queues.log.weekly:
            t.slots[week, r], t.used[week, r], t.waiting[week, r] = slots, used, waiting
        return t

    def __add__(self, other: QueueTotals) -> QueueTotals:
        return QueueTotals(*(getattr(self, f) + getattr(other, f) for f in FIELDS))

    def arrays(self) -> dict[str, np.ndarray]:
        return {f"capacity.{f}": getattr(self, f) for f in FIELDS}

    @classmethod
    def from_arrays(cls, named: Mapping[str, np.ndarray]) -> QueueTotals | None:
        if "capacity.waits" not in named:
            return None
        return cls(*(named[f"capacity.{f}"] for f in FIELDS))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, QueueTotals) and all(np.array_equal(getattr(self, f), getattr(other, f))
                                                      for f in FIELDS)
