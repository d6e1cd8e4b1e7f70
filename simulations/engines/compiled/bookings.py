"""The compiled engine's bookings (course._Run's `_result_due`, `_book`, `_order_result` and
`_injection_due`, on arrays): the result each patient waits for, the next visit, injections.

A patient waits for at most one result: due in week `result_week` (NONE: none), of kind
`result_kind` (a code into booking.PRODUCED), from order `result_order` and, for an urgent
work-up, for red-flag category `result_category`. Booking another result, or leaving the state
that ordered it, replaces or cancels it; calendars find who is due each week.
"""

from __future__ import annotations

import numpy as np

from ...running.chunk import NONE
from ..booking import PRODUCED
from .calendar import Calendar
from .red_flags import NEVER

RESULTS = tuple(PRODUCED)
MRI_RESULT, XRAY_RESULT, EPIDURAL_RESPONSE, SPECIALIST_OPINION, URGENT_RESULT = range(len(RESULTS))
CONFIRMED, EXCLUDED = PRODUCED["urgent_result"].index("confirmed"), PRODUCED["urgent_result"].index("excluded")


class Bookings:
    """Mixed into compiled.course._Block."""

    def _bookings(self, n: int) -> None:
        weeks = self.sim.weeks
        self.next_visit = np.zeros(n, dtype=np.int64)  # NONE: no visit booked
        self.visit_calendar = Calendar(weeks)
        self.visit_calendar.book(np.arange(n), 0)
        self.results = np.full((len(RESULTS), n), NONE, dtype=np.int64)  # last result of each kind (PRODUCED codes)
        self.result_week = np.full(n, NONE, dtype=np.int64)
        self.result_kind = np.zeros(n, dtype=np.int64)
        self.result_order = np.zeros(n, dtype=np.int64)
        self.result_category = np.full(n, -1, dtype=np.int64)
        self.result_in = np.full(n, NONE, dtype=np.int64)  # the week the last result came in
        self.result_calendar = Calendar(weeks)
        self.injection_week = np.full(n, NEVER, dtype=np.int64)
        self.injections, self.surgeries = Calendar(weeks), Calendar(weeks)

    def _results_due(self, week: int) -> None:
        rows = self.result_calendar.due(week, self.result_week)
        if not rows.size:
            return
        h, out, orders = self.h, self.out, self.sim.orders
        kind, order = self.result_kind[rows], self.result_order[rows]
        self.result_week[rows] = NONE
        self.result_in[rows] = week
        urgent = kind == URGENT_RESULT
        if urgent.any():
            r, o = rows[urgent], order[urgent]
            confirmed = h.flags.work_up_result(r, self.result_category[r])
            out["work_ups_confirmed"][r] += confirmed
            out["work_ups_excluded"][r] += ~confirmed
            excluded, o = r[~confirmed], o[~confirmed]  # what the work-up's imaging showed is in hand
            scanned, xrayed = excluded[orders.holds_scan[o]], excluded[orders.holds_xray[o]]
            self.results[MRI_RESULT, scanned] = h.scan_result(scanned)
            self.results[XRAY_RESULT, xrayed] = h.xray_result(xrayed)
            self.results[URGENT_RESULT, r] = np.where(confirmed, CONFIRMED, EXCLUDED)
        for code, result in ((MRI_RESULT, h.scan_result), (XRAY_RESULT, h.xray_result),
                             (EPIDURAL_RESPONSE, h.epidural_response), (SPECIALIST_OPINION, h.specialist_opinion)):
            these = kind == code
            if these.any():
                r = rows[these]
                self.results[code, r] = result(r)
                if code == MRI_RESULT:
                    self._mri_done(r[orders.holds_mri[order[these]]], week)

    def _book(self, week: int, rows: np.ndarray, resting: np.ndarray, newly: np.ndarray, imaging: np.ndarray) -> None:
        """course._Run._book: the next visit, and the result awaited, from where each patient now rests."""
        sim, h = self.sim, self.h
        gone = sim.terminal[resting] | sim.rests_for_return[resting]
        cancel = rows[newly | gone]  # a result still due for an earlier state is cancelled
        self.result_week[cancel] = NONE
        self.injection_week[cancel] = NEVER
        self.tokens[0, cancel] = -1  # a queued result (capacity.queues.RESULT) is cancelled too
        self.next_visit[rows[gone]] = NONE
        review = sim.rests_to_visit[resting]
        r = rows[review]
        self._visit_in(r, week + np.minimum(h.review_after(r), sim.review_cap[resting[review]]))
        ordered = sim.rests_for_result[resting] & newly
        r = rows[ordered]
        due = self._order_results(week, r, resting[ordered], imaging[ordered])
        self._visit_in(r, np.minimum(due, week + sim.review_cap[resting[ordered]]))
        waiting = ~gone & ~review & ~ordered  # waits on (for a result, or resting where it should decide)
        r, state = rows[waiting], resting[waiting]
        early = self.next_visit[r] > week  # seen early (a red flag): the booked visit stands
        pending = ~early & (self.result_week[r] != NONE)
        self._visit_in(r[pending], np.minimum(self.result_week[r[pending]], week + sim.review_cap[state[pending]]))
        rest = ~early & ~pending  # the result is in (or was cancelled) and the patient waits on: look again
        self._visit_in(r[rest], week + sim.look_again[state[rest]])

    def _order_results(self, week: int, rows: np.ndarray, resting: np.ndarray, imaging: np.ndarray) -> np.ndarray:
        """course._Run._order_result for each row: order the result its state awaits; the week it is due."""
        sim, h, waits = self.sim, self.h, self.sim.waits
        kind = sim.awaits[resting]
        due = np.zeros(len(rows), dtype=np.int64)
        category = np.full(len(rows), -1, dtype=np.int64)
        these = kind == MRI_RESULT
        due[these] = week + h.scan_wait(rows[these])
        due[kind == XRAY_RESULT] = week + waits.xray
        these = kind == EPIDURAL_RESPONSE
        injected = rows[these]
        self.injection_week[injected] = week + waits.epidural
        if self.queues is None:  # else booked when the list has a slot (queued.py)
            self.injections.book(injected, week + waits.epidural)
        due[these] = week + waits.epidural + waits.epidural_review
        these = kind == SPECIALIST_OPINION
        due[these] = week + h.specialist_wait(rows[these])
        these = kind == URGENT_RESULT
        due[these] = week + np.where(sim.emergency[resting[these]], 1, waits.urgent_result)
        category[these] = h.flags.work_up_category(rows[these], week)
        self.out["urgent_work_ups"][rows[these]] += 1
        if self.queues is not None:
            self._join_results(week, rows, resting, imaging, due, category)
        self.results[kind, rows] = NONE  # the result awaited is this order's
        self.result_week[rows], self.result_kind[rows] = due, kind
        self.result_order[rows], self.result_category[rows] = imaging, category
        self.result_calendar.book(rows, due)
        return due

    def _visit_in(self, rows: np.ndarray, weeks) -> None:
        """Book these patients' next visit."""
        self.next_visit[rows] = weeks
        self.visit_calendar.book(rows, weeks)

    def _injections_due(self, week: int) -> None:
        rows = self.injections.due(week, self.injection_week)
        if rows.size:
            self.h.give_epidural(rows)
            self.out["epidurals"][rows] += 1
            self.injection_week[rows] = NEVER
