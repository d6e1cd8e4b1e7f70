"""The red flags of a block of patients as arrays: `patient.Patient`'s red flags, a row per patient.
Each patient's categories (history.RED_FLAGS) are the bits of a small number: those started
(each at its onset week), those a work-up would confirm, those hidden (atypical, until they
worsen), those worked up (excluded: no longer active), seen at a visit, or attended (shown while
the patient was in urgent care). A red flag is active when it has started and is not worked up,
and shows when it is active and not hidden.

Only the few patients with a red flag ever have a bit set; every method takes the rows it is about.
"""

from __future__ import annotations

import numpy as np

from ...model.draws import Purpose, as_uniform, hashes, offset
from ...model.history import RED_FLAGS, SERIOUSNESS, SHOWS_ON_XRAY, NaturalHistory

NEVER = np.iinfo(np.int32).max  # a red flag that never starts
CATEGORIES = len(RED_FLAGS)
BITS = (1 << np.arange(CATEGORIES)).astype(np.uint8)  # category column -> its bit
VISIBLE = np.uint8(sum(1 << RED_FLAGS.index(c) for c in SHOWS_ON_XRAY))


def _work_up_table() -> np.ndarray:
    """Patient.work_up_category for every (showing, attended) pair of bit sets: the category
    column (-1: none shows), most serious first among those new to urgent care, if any."""
    order = [RED_FLAGS.index(c) for c in SERIOUSNESS]
    table = np.full((2 ** CATEGORIES, 2 ** CATEGORIES), -1, dtype=np.int64)
    for showing in range(2 ** CATEGORIES):
        for attended in range(2 ** CATEGORIES):
            pool = (showing & ~attended) or showing
            table[showing, attended] = next((c for c in order if pool >> c & 1), -1)
    return table


WORK_UP = _work_up_table()


class CohortRedFlags:
    def __init__(self, model: NaturalHistory, seed: int, keys: np.ndarray, weeks: int):
        n = len(keys)

        def draws(week: int, rows) -> np.ndarray:  # (rows, categories) Purpose.RED_FLAGS draws of a week
            return as_uniform(hashes(keys[rows][:, None], offset(seed, Purpose.RED_FLAGS, week, np.arange(CATEGORIES))))

        rows, which = np.nonzero(draws(0, slice(None)) < np.array([model.red_flag_chance[c] for c in RED_FLAGS]))
        # An onset week only for a red flag the patient will have, as the reference draws it.
        onsets = (as_uniform(hashes(keys[rows], offset(seed, Purpose.RED_FLAGS, 1, which)))
                  * (model.onset_window + 1)).astype(np.int64)
        self.onset = np.full((n, CATEGORIES), NEVER, dtype=np.int64)  # the week each red flag starts
        within = onsets <= weeks
        rows, which, onsets = rows[within], which[within], onsets[within]
        self.onset[rows, which] = onsets
        self.first_onset = self.onset.min(axis=1)
        self.flagged = np.flatnonzero(self.first_onset < NEVER)  # the few with a red flag, in order
        confirmed = draws(2, self.flagged) < np.array([model.confirmed[c] for c in RED_FLAGS])
        self.real = np.zeros(n, dtype=np.uint8)  # a work-up would confirm it
        self.real[self.flagged] = confirmed.astype(np.uint8) @ BITS
        atypical = ~(draws(3, self.flagged) < model.typical) & (self.onset[self.flagged] < NEVER)
        self.hidden = np.zeros(n, dtype=np.uint8)  # atypical red flags the patient has, until they worsen
        self.hidden[self.flagged] = atypical.astype(np.uint8) @ BITS
        self.started, self.worked_up, self.seen, self.attended = (np.zeros(n, dtype=np.uint8) for _ in range(4))
        by_week = np.argsort(onsets, kind="stable")
        self._onsets = (rows[by_week], BITS[which[by_week]], onsets[by_week])  # (row, bit, week), by week
        self._week = -1  # the week `started` is up to date for
        self._candidates = (-1, self.flagged)  # (week, candidates(week))

    def _to(self, week: int) -> None:
        """`started` as of `week`: each red flag from its onset week on."""
        if week != self._week:
            rows, bits, weeks = self._onsets
            begin, end = np.searchsorted(weeks, [self._week + 1, week + 1])
            np.bitwise_or.at(self.started, rows[begin:end], bits[begin:end])
            self._week = week

    def candidates(self, week: int) -> np.ndarray:
        """The patients (in order) whose first red flag has started by `week`: the only ones any
        red flag can show for (a worked-up one shows no more)."""
        at, rows = self._candidates
        if at != week:
            rows = self.flagged[self.first_onset[self.flagged] <= week]
            self._candidates = (week, rows)
        return rows

    def active(self, rows: np.ndarray, week: int) -> np.ndarray:
        """The red flags the patients have (started, not worked up), as bit sets."""
        self._to(week)
        return self.started[rows] & ~self.worked_up[rows]

    def showing(self, rows: np.ndarray, week: int) -> np.ndarray:
        """The active red flags whose findings show (not hidden), as bit sets."""
        return self.active(rows, week) & ~self.hidden[rows]

    def showing_columns(self, rows: np.ndarray, week: int) -> np.ndarray:
        """(rows, categories) bool: the red flags that show."""
        return (self.showing(rows, week)[:, None] & BITS) != 0

    def any_showing(self, rows: np.ndarray, week: int) -> np.ndarray:
        return self._any(rows, week, self.showing)

    def any_active(self, rows: np.ndarray, week: int) -> np.ndarray:
        return self._any(rows, week, self.active)

    def any_hidden(self, rows: np.ndarray, week: int) -> np.ndarray:
        return self._any(rows, week, lambda r, w: self.active(r, w) & self.hidden[r])

    def _any(self, rows: np.ndarray, week: int, bits) -> np.ndarray:
        """Which of these patients have a red flag among `bits(rows, week)`."""
        some = np.flatnonzero(self.first_onset[rows] <= week)  # the few any red flag can be active for
        found = np.zeros(len(rows), dtype=bool)
        found[some] = bits(rows[some], week) != 0
        return found

    def unseen(self, rows: np.ndarray, week: int) -> np.ndarray:
        """Which of these patients have a red flag showing not yet seen at a visit (it brings them in)."""
        return (self.showing(rows, week) & ~self.seen[rows]) != 0

    def unattended(self, rows: np.ndarray, week: int) -> np.ndarray:
        """Which have an active red flag not yet attended in urgent care (it may worsen)."""
        return (self.active(rows, week) & ~self.attended[rows]) != 0

    def worsen(self, rows: np.ndarray, week: int) -> None:
        """Patient.worsen: every active red flag shows from now on."""
        self.hidden[rows] &= ~self.active(rows, week)

    def see(self, rows: np.ndarray, urgent_care: np.ndarray, week: int) -> None:
        some = np.flatnonzero(self.first_onset[rows] <= week)
        rows, urgent_care = rows[some], urgent_care[some]
        showing = self.showing(rows, week)
        self.seen[rows] |= showing
        self.attended[rows[urgent_care]] |= showing[urgent_care]

    def work_up_category(self, rows: np.ndarray, week: int) -> np.ndarray:
        """Patient.work_up_category: a category column per row (-1: none active)."""
        showing = self.showing(rows, week)
        showing = np.where(showing != 0, showing, self.active(rows, week))
        return WORK_UP[showing, showing & self.attended[rows]]

    def work_up_result(self, rows: np.ndarray, category: np.ndarray) -> np.ndarray:
        """Patient.work_up_result: confirmed (True) or excluded; an excluded red flag is worked up."""
        bit = np.where(category >= 0, BITS[np.maximum(category, 0)], 0).astype(np.uint8)
        confirmed = (self.real[rows] & bit) != 0
        excluded = ~confirmed
        self.worked_up[rows[excluded]] |= bit[excluded]
        return confirmed

    def xray_abnormal(self, rows: np.ndarray, week: int) -> np.ndarray:
        return (self.active(rows, week) & VISIBLE) != 0

    def red_flag_names(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """Each patient's red-flag categories by onset, `;`-separated (as the patients table has
        them): codes into the words, the first "" (no red flag)."""
        flagged = self.flagged
        onset = self.onset[flagged]
        by_onset = np.argsort(onset, axis=1, kind="stable")  # ties in category order, as the reference
        present = np.take_along_axis(onset, by_onset, axis=1) < NEVER
        # One number per ordered list of categories (base 8, 0 for none), so each list is joined once.
        digits = np.where(present, by_onset + 1, 0)
        key = digits @ (8 ** np.arange(len(RED_FLAGS), dtype=np.int64))
        lists, which = np.unique(key, return_inverse=True)
        words = ("", *(";".join(RED_FLAGS[d - 1] for d in _digits(k)) for k in lists))
        codes = np.zeros(len(self.first_onset), dtype=np.int32)
        codes[flagged] = which.ravel() + 1
        return codes, words


def _digits(key: int) -> list[int]:
    digits = []
    while key:
        key, digit = divmod(int(key), 8)
        digits.append(digit)
    return digits
