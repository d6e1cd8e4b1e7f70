"""The compiled engine's side of the queues (simulations/capacity/): orders joining a resource's
queue, and what a slot, once served, books (course_bookings.Bookings._join and `served`, on
arrays). A patient has at most one queued result and one queued operation; its entry id is kept
in `tokens` (-1: none), and an entry whose id is no longer the patient's was cancelled."""

from __future__ import annotations

import numpy as np

from ...capacity.queues import OPERATION, RESULT, Queues
from ...capacity.routing import EPIDURAL, QUEUED, THEATRE
from ...running.chunk import NONE
from .bookings import EPIDURAL_RESPONSE, URGENT_RESULT

LANE = np.array([2, 2, 1, 0])  # a state's urgency code (chunk.URGENCIES: none, routine, urgent, emergency) as a lane


class Queued:
    """Mixed into compiled.course._Block."""

    def _queued(self, n: int, queues: Queues | None) -> None:
        self.queues = queues
        self.tokens = np.full((2, n), -1, dtype=np.int64)

    def _join_results(self, week: int, rows: np.ndarray, resting: np.ndarray, imaging: np.ndarray,
                      due: np.ndarray, category: np.ndarray) -> None:
        """The results of these new orders that a resource produces join its queue (due QUEUED)."""
        sim = self.sim
        resource = sim.routes[sim.awaits[resting], imaging]
        lane = LANE[sim.urgency[resting]]
        for r in np.unique(resource[resource >= 0]).tolist():
            for ln in np.unique(lane[resource == r]).tolist():
                these = (resource == r) & (lane == ln)
                self._join(RESULT, r, ln, week, rows[these], category[these])
        queued = resource >= 0
        due[queued] = QUEUED
        self.injection_week[rows[queued & (resource == EPIDURAL)]] = QUEUED

    def _join(self, what: int, resource: int, lane: int, week: int, rows: np.ndarray, category: np.ndarray) -> None:
        ids = self.queues.join(resource, lane, self.h.first + rows, week, what, category)
        self.tokens[what, rows] = ids

    def _join_operations(self, week: int, rows: np.ndarray) -> None:
        if rows.size:
            self._join(OPERATION, THEATRE, 2, week, rows, np.full(len(rows), -1))

    def _serve(self, week: int) -> None:
        """This week's slots; what each served order books."""
        first, tokens = self.h.first, self.tokens
        served = self.queues.serve(week, lambda what, p, i: tokens[what, p - first] == i)
        if not served:
            return
        what, patient, _, served_week, due = (np.array(c, dtype=np.int64) for c in zip(*served))
        rows = patient - first
        operated = (what == OPERATION) & (due <= self.sim.weeks)
        self.out["surgery_week"][rows[operated]] = due[operated]
        self.surgeries.book(rows[operated], due[operated])
        result = what == RESULT
        self._results_served(rows[result], served_week[result], due[result])

    def _results_served(self, rows: np.ndarray, served_week: np.ndarray, due: np.ndarray) -> None:
        kind, orders = self.result_kind[rows], self.sim.orders
        epidural = kind == EPIDURAL_RESPONSE
        self.injection_week[rows[epidural]] = due[epidural]
        self.injections.book(rows[epidural], due[epidural])
        due = due + np.where(epidural, self.sim.waits.epidural_review, 0)
        scanned = (kind == URGENT_RESULT) & orders.holds_mri[self.result_order[rows]]
        self._mri_done(rows[scanned], served_week[scanned])  # an urgent scan: done when its slot comes
        self.result_week[rows] = due
        self.result_calendar.book(rows, due)
        booked = self.next_visit[rows] != NONE
        r = rows[booked]
        self._visit_in(r, np.minimum(self.next_visit[r], due[booked]))
