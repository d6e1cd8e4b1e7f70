"""The compiled engine's imaging orders (pathway.engine's `order` and `_ordered`, then course._Run's
`_ordered` and `_count`, on arrays).

After a visit the state the patient rests in orders its purpose with the imaging rules that
hold applied: each rule's guard is a mask over the visits resting in a state with a purpose,
the rules that hold are the bits of a number, and the order's code is looked up in the state's
row of `state_orders` (orders.py numbers every order once per pathway). The engine's pending
order is kept per patient; a visit reports a new order on entering its resting state, an
amended one when the order differs from the pending one, else none. An amended order replaces
the order it amends in the counts: the patient's imaging is counted once.
"""

from __future__ import annotations

import numpy as np

from ...running.chunk import NONE
from ..outcome import KINDS
from .bookings import MRI_RESULT, URGENT_RESULT


class Imaging:
    """Mixed into compiled.course._Block."""

    def _imaging(self, n: int) -> None:
        self.pending_order = np.zeros(n, dtype=np.int64)  # the engine's pending order (0: none)
        # The order last counted for where each patient rests, and whether it had no indication
        # and was a late emergency MRI: what an amendment takes back.
        self.counted_order = np.zeros(n, dtype=np.int64)
        self.counted_unindicated = np.zeros(n, dtype=bool)
        self.counted_late = np.zeros(n, dtype=bool)
        # Which imaging rules hold for each patient screen negative, and for which values
        # of the other columns the rules read (sim.rule_changing; -1: not worked out yet).
        self.rule_bits = np.zeros(n, dtype=np.int64)
        self.rule_values = np.full(n, -1, dtype=np.int64)

    def _orders(self, week: int, rows: np.ndarray, resting: np.ndarray, newly: np.ndarray) -> np.ndarray:
        """What each visit orders (order codes, 0 for none), counted."""
        sim = self.sim
        order = np.zeros(len(rows), dtype=np.int64)
        some = np.flatnonzero(sim.orders_imaging[resting])
        if some.size:
            order[some] = sim.state_orders[resting[some], self._rules_holding(week, rows[some])]
        amended = (order != 0) & ~newly & (order != self.pending_order[rows])
        amended = (order != 0) & ~newly & (order != self.pending_order[rows])
        self.pending_order[rows] = order
        reset = rows[newly & (order == 0)]  # a new resting state that orders nothing: nothing to amend
        self.counted_order[reset] = 0
        self.counted_unindicated[reset] = self.counted_late[reset] = False
        reported = np.where(newly | amended, order, 0)
        counted = np.flatnonzero(reported)
        if counted.size:
            self._count_orders(week, rows[counted], resting[counted], reported[counted], amended[counted])
        return reported

    def _rules_holding(self, week: int, rows: np.ndarray) -> np.ndarray:
        """Which imaging rules hold at these visits, as the bits of a number (bit j: rule j). For
        a patient screen negative (CohortHistory.screen_positive) they are kept, and worked out
        again only when the other columns the rules read have changed."""
        sim = self.sim
        bits = np.zeros(len(rows), dtype=np.int64)
        work = np.ones(len(rows), dtype=bool)
        if sim.rule_changing is not None:
            plain = ~self.h.screen_positive(rows)
            values = np.zeros(len(rows), dtype=np.int64)
            for name, column in self._env(week, rows, sim.rule_changing).items():
                values = values * len(sim.words.get(name, (0, 1))) + column
            kept = plain & (self.rule_values[rows] == values)
            bits[kept] = self.rule_bits[rows[kept]]
            work = ~kept
        todo = np.flatnonzero(work)
        if todo.size:
            env = self._env(week, rows[todo], sim.rule_names)
            memo: dict = {}
            for j, mask in enumerate(sim.rule_masks):
                bits[todo] |= mask(env, memo).astype(np.int64) << j
            if sim.rule_changing is not None:
                keep = todo[plain[todo]]
                self.rule_bits[rows[keep]], self.rule_values[rows[keep]] = bits[keep], values[keep]
        return bits

    def _count_orders(self, week: int, rows: np.ndarray, resting: np.ndarray, order: np.ndarray,
                      amended: np.ndarray) -> None:
        sim, h, table = self.sim, self.h, self.sim.orders
        emergency = sim.emergency[resting]
        unindicated = ~h.indicated(rows, table.xray_only[order])
        late = emergency & table.holds_mri[order] & (self.queues is None) & h.emergency_scan_late(rows)
        again = rows[amended]
        if again.size:
            self._add(again, self.counted_order[again], self.counted_unindicated[again], self.counted_late[again], -1)
            waiting = self.result_week[again] != NONE
            self.result_order[again[waiting]] = order[amended][waiting]
        self._add(rows, order, unindicated, late, +1)
        self.counted_order[rows], self.counted_unindicated[rows], self.counted_late[rows] = order, unindicated, late
        scan = table.holds_mri[order] & (sim.awaits[resting] != MRI_RESULT)  # an urgent scan: done there and then,
        if self.queues is not None:  # or, queued, when its slot comes (queued.py)
            scan &= sim.awaits[resting] != URGENT_RESULT
        self._mri_done(rows[scan], week + np.where(emergency[scan], 0, sim.waits.urgent_mri))

    def _add(self, rows: np.ndarray, order: np.ndarray, unindicated: np.ndarray, late: np.ndarray, sign: int) -> None:
        out, studies = self.out, self.sim.orders.studies[order]
        for j, kind in enumerate(KINDS):
            out[kind][rows] += sign * studies[:, j]
        out["imaging_orders"][rows] += sign * (order != 0)
        out["imaging_without_indication"][rows] += sign * unindicated
        out["emergency_mri_late"][rows] += sign * late

    def _mri_done(self, rows: np.ndarray, weeks) -> None:
        first = self.out["first_mri_week"]
        weeks = np.broadcast_to(weeks, rows.shape)
        first[rows] = np.where((first[rows] == NONE) | (weeks < first[rows]), weeks, first[rows])
        self.out["mri_incidental"][rows] = self.h.incidental_reported(rows)
