"""Routed visits and the routes remembered: a batch's transitions fired and resting states, and
the same as a table by route number, which visits with the same key share."""

from __future__ import annotations

import attrs
import numpy as np


@attrs.frozen
class Routed:
    """A batch of visits routed: where each patient rests, whether the pathway had a gap for
    them (no transition from a deciding state), and the transitions fired, in firing order."""

    resting: np.ndarray  # state index per visit
    fell: np.ndarray  # bool per visit
    step_visit: np.ndarray  # index of the visit in the batch, per transition fired
    step_transition: np.ndarray  # transition index, per transition fired
    step_position: np.ndarray  # 0 for a visit's first transition, 1 for its second, ...


@attrs.define
class Routes:
    """Routes, as tables by route number: where the visit ends (or that the pathway had a gap),
    and the transitions fired, in firing order: ``transitions[offsets[r]:offsets[r + 1]]``."""

    resting: np.ndarray  # state index per route
    fell: np.ndarray  # bool per route
    offsets: np.ndarray  # (routes + 1,)
    transitions: np.ndarray  # every route's transitions, one after the other

    @classmethod
    def none(cls) -> Routes:
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, np.zeros(0, dtype=bool), np.zeros(1, dtype=np.int64), empty)

    @classmethod
    def of(cls, routed: Routed) -> Routes:
        """One route per visit of a routed batch."""
        order = np.argsort(routed.step_visit, kind="stable")  # by visit, each in firing order
        counts = np.bincount(routed.step_visit, minlength=len(routed.resting))
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(routed.resting, routed.fell, offsets, routed.step_transition[order].astype(np.int64))

    def __len__(self) -> int:
        return len(self.resting)

    def extend(self, more: Routes) -> None:
        self.resting = np.concatenate([self.resting, more.resting])
        self.fell = np.concatenate([self.fell, more.fell])
        self.offsets = np.concatenate([self.offsets, self.offsets[-1] + more.offsets[1:]])
        self.transitions = np.concatenate([self.transitions, more.transitions])

    def steps(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(visit, transition) of every step of these routes (one visit per id), by visit, in firing order."""
        counts = self.offsets[ids + 1] - self.offsets[ids]
        visit = np.repeat(np.arange(len(ids)), counts)
        # Step k of the batch is step (k - the visit's first step in the batch) of its route.
        starts = np.cumsum(counts) - counts
        index = np.arange(len(visit)) + np.repeat(self.offsets[ids] - starts, counts)
        return visit, self.transitions[index]
