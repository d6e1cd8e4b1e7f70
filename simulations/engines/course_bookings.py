"""course._Run's bookings: the result each patient waits for, the next visit, injections, and
(with capacity) the orders queued at a resource and what a slot, once served, books.

Without capacity every wait is fixed or drawn when the order is made (booking.py). With
capacity (simulations/capacity/) an order that a resource produces joins that resource's
queue: the result is due `QUEUED` (never) until the queue serves it, and `served` then books it
as an order made with that wait would have been booked.
"""

from __future__ import annotations

import math

import attrs
import numpy as np

from pathway.spec import Urgency, Waits
from pathway.studies import Order

from ..capacity.queues import OPERATION, RESULT
from ..capacity.routing import EPIDURAL, QUEUED, THEATRE, lane_of
from ..model.history import RED_FLAGS
from .booking import look_again


@attrs.define
class Pending:
    """The result a resting state waits for: due in `week`, for `finding`, from `order`; an urgent
    work-up's also for a red-flag category."""

    week: int
    finding: str
    order: Order
    category: str | None = None


class Bookings:
    """Mixed into course._Run."""

    def _result_due(self, week: int) -> None:
        pending, p, table = self.pending, self.p, self.sim.orders
        if pending is None or pending.week != week:
            return
        self.pending, self.result_in = None, week
        order = table.code(pending.order)
        if pending.finding == "urgent_result":
            value = p.work_up_result(pending.category)
            self.out.work_ups_confirmed += value == "confirmed"
            self.out.work_ups_excluded += value == "excluded"
            if value == "excluded":  # what the work-up's imaging showed is in hand
                if table.holds_scan[order]:
                    self.results["mri_result"] = p.scan_result()
                if table.holds_xray[order]:
                    self.results["xray_result"] = p.xray_result()
        else:
            value = {"mri_result": p.scan_result, "xray_result": p.xray_result, "epidural_response": p.epidural_response,
                     "specialist_opinion": p.specialist_opinion}[pending.finding]()
            if pending.finding == "mri_result" and table.holds_mri[order]:
                self._mri_done(week)
        self.results[pending.finding] = value

    def _injection_due(self, week: int) -> None:
        if week == self.injection_week:
            self.p.give_epidural()
            self.out.epidurals += 1
            self.injection_week = None

    def _book(self, week: int, state, entered: bool, order: Order) -> None:
        """Book the next visit, and the result awaited, from where the patient now rests."""
        if entered or state.terminal or state.waits is Waits.RETURN:
            self.pending = self.injection_week = None  # a result still due for an earlier state is cancelled
            self.queued[RESULT] = None
        if state.terminal or state.waits is Waits.RETURN:
            self.next_visit = None
        elif state.waits is Waits.VISIT:
            self.next_visit = week + min(self.p.review_after(), state.review_within_weeks or math.inf)
        elif entered and state.waits is Waits.RESULT:  # a new order: visit when its result is in, or sooner to look again
            due = self._order_result(week, state, order)
            self.next_visit = min(due, week + look_again(state.review_within_weeks))
        elif self.next_visit is not None and self.next_visit > week:
            pass  # seen early (a red flag): the booked visit stands
        elif self.pending is not None:
            self.next_visit = min(self.pending.week, week + look_again(state.review_within_weeks))
        else:  # the result is in (or was cancelled) and the patient waits on: look again
            self.next_visit = week + (state.review_within_weeks or 1)

    def _order_result(self, week: int, state, order: Order) -> int:
        """Order the result `state` awaits; the week it is due (QUEUED: when its queue serves it)."""
        waits, p, category = self.sim.waits, self.p, None
        if state.awaits == "urgent_result":
            category = p.work_up_category()
            self.out.urgent_work_ups += 1
        resource = self._route(state, order)
        if resource >= 0:
            due = QUEUED
            if resource == EPIDURAL:
                self.injection_week = QUEUED
            code = -1 if category is None else RED_FLAGS.index(category)
            self._join(RESULT, resource, lane_of(state.urgency.value), week, code)
        elif state.awaits == "mri_result":
            due = week + p.scan_wait()
        elif state.awaits == "xray_result":
            due = week + waits.xray
        elif state.awaits == "epidural_response":
            self.injection_week = week + waits.epidural
            due = self.injection_week + waits.epidural_review
        elif state.awaits == "specialist_opinion":
            due = week + p.specialist_wait()
        else:  # urgent_result
            due = week + (1 if state.urgency is Urgency.EMERGENCY else waits.urgent_result)
        self.results.pop(state.awaits, None)  # the result awaited is this order's
        self.pending = Pending(due, state.awaits, order, category)
        return due

    # -- capacity ----------------------------------------------------------------------------------
    def _route(self, state, order: Order) -> int:
        """The resource this result's order queues at (-1: none, or no capacity modelled)."""
        if self.queues is None:
            return -1
        return int(self.sim.routes[self.sim.result_kind[state.awaits], self.sim.orders.code(order)])

    def _operate_after(self, week: int, delay: int) -> None:
        """Handed over to the spinal surgeons: operated after the delay, or when theatre has a slot."""
        if self.queues is not None:
            self._join(OPERATION, THEATRE, 2, week, -1)
        elif week + delay <= self.sim.weeks:
            self.out.surgery_week = week + delay

    def _join(self, what: int, resource: int, lane: int, week: int, category: int) -> None:
        ids = self.queues.join(resource, lane, np.array([self.index]), week, what, np.array([category]))
        self.queued[what] = int(ids[0])

    def served(self, what: int, served_week: int, due: int) -> None:
        """A queue served this patient's order in `served_week`: book what it gives from week `due`."""
        if what == OPERATION:
            if due <= self.sim.weeks:
                self.out.surgery_week = due
            return
        pending = self.pending
        if pending.finding == "epidural_response":
            self.injection_week = due
            due += self.sim.waits.epidural_review
        elif pending.finding == "urgent_result" and self.sim.orders.holds_mri[self.sim.orders.code(pending.order)]:
            self._mri_done(served_week)  # an urgent scan: done when its slot comes
        pending.week = due
        if self.next_visit is not None:
            self.next_visit = min(self.next_visit, due)
