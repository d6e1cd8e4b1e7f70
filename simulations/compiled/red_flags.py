"""The red flags of a block of patients as arrays: `patient.Patient`'s red flags, a row per patient
and a column per category (history.RED_FLAGS): when each starts, whether a work-up would
confirm it, and whether it has been worked up (excluded: it no longer shows), seen at a visit,
or attended (shown while the patient was in urgent care).

Only the few patients with a red flag ever have a row that is not all NEVER or False; every
method takes the rows it is about.
"""

from __future__ import annotations

import numpy as np

from ..draws import Purpose, as_uniform, hashes, offset
from ..history import RED_FLAGS, SERIOUSNESS, SHOWS_ON_XRAY, NaturalHistory

NEVER = np.iinfo(np.int32).max  # a red flag that never starts
BY_SERIOUSNESS = np.array([RED_FLAGS.index(c) for c in SERIOUSNESS])  # category column, most serious first
VISIBLE = np.array([RED_FLAGS.index(c) for c in SHOWS_ON_XRAY])


class CohortRedFlags:
    def __init__(self, model: NaturalHistory, seed: int, keys: np.ndarray, weeks: int):
        n, categories = len(keys), len(RED_FLAGS)

        def draws(week: int, rows) -> np.ndarray:  # (rows, categories) Purpose.RED_FLAGS draws of a week
            return as_uniform(hashes(keys[rows][:, None], offset(seed, Purpose.RED_FLAGS, week, np.arange(categories))))

        rows, which = np.nonzero(draws(0, slice(None)) < np.array([model.red_flag_chance[c] for c in RED_FLAGS]))
        # An onset week only for a red flag the patient will have, as the reference draws it.
        onsets = (as_uniform(hashes(keys[rows], offset(seed, Purpose.RED_FLAGS, 1, which)))
                  * (model.onset_window + 1)).astype(np.int64)
        self.onset = np.full((n, categories), NEVER, dtype=np.int64)  # the week each red flag starts
        within = onsets <= weeks
        self.onset[rows[within], which[within]] = onsets[within]
        self.first_onset = self.onset.min(axis=1)
        self.flagged = np.flatnonzero(self.first_onset < NEVER)  # the few with a red flag, in order
        self.real = np.zeros((n, categories), dtype=bool)  # a work-up would confirm it
        self.real[self.flagged] = draws(2, self.flagged) < np.array([model.confirmed[c] for c in RED_FLAGS])
        self.worked_up, self.seen, self.attended = (np.zeros((n, categories), dtype=bool) for _ in range(3))
        self._candidates = (-1, self.flagged)  # (week, candidates(week))

    def candidates(self, week: int) -> np.ndarray:
        """The patients (in order) whose first red flag has started by `week`: the only ones any
        red flag can show for (a worked-up one shows no more)."""
        at, rows = self._candidates
        if at != week:
            rows = self.flagged[self.first_onset[self.flagged] <= week]
            self._candidates = (week, rows)
        return rows

    def showing(self, rows: np.ndarray, week: int) -> np.ndarray:
        """(rows, categories): the red flags that show (started, not worked up)."""
        return (self.onset[rows] <= week) & ~self.worked_up[rows]

    def any_showing(self, rows: np.ndarray, week: int) -> np.ndarray:
        some = np.flatnonzero(self.first_onset[rows] <= week)
        shows = np.zeros(len(rows), dtype=bool)
        shows[some] = self.showing(rows[some], week).any(axis=1)
        return shows

    def unseen(self, rows: np.ndarray, week: int) -> np.ndarray:
        """Which of these patients have a red flag showing not yet seen at a visit (it brings them in)."""
        return (self.showing(rows, week) & ~self.seen[rows]).any(axis=1)

    def unattended(self, rows: np.ndarray, week: int) -> np.ndarray:
        """Which have a red flag showing not yet attended in urgent care (it may worsen)."""
        return (self.showing(rows, week) & ~self.attended[rows]).any(axis=1)

    def see(self, rows: np.ndarray, urgent_care: np.ndarray, week: int) -> None:
        some = np.flatnonzero(self.first_onset[rows] <= week)
        rows, urgent_care = rows[some], urgent_care[some]
        showing = self.showing(rows, week)
        self.seen[rows] |= showing
        self.attended[rows[urgent_care]] |= showing[urgent_care]

    def work_up_category(self, rows: np.ndarray, week: int) -> np.ndarray:
        """Patient.work_up_category: a category column per row (-1: none shows)."""
        showing = self.showing(rows, week)[:, BY_SERIOUSNESS]
        new = showing & ~self.attended[rows][:, BY_SERIOUSNESS]
        pool = np.where(new.any(axis=1)[:, None], new, showing)
        return np.where(pool.any(axis=1), BY_SERIOUSNESS[np.argmax(pool, axis=1)], -1)

    def work_up_result(self, rows: np.ndarray, category: np.ndarray) -> np.ndarray:
        """Patient.work_up_result: confirmed (True) or excluded; an excluded red flag is worked up."""
        some = category >= 0
        confirmed = np.zeros(len(rows), dtype=bool)
        confirmed[some] = self.real[rows[some], category[some]]
        excluded = some & ~confirmed
        self.worked_up[rows[excluded], category[excluded]] = True
        return confirmed

    def xray_abnormal(self, rows: np.ndarray, week: int) -> np.ndarray:
        some = np.flatnonzero(self.first_onset[rows] <= week)
        abnormal = np.zeros(len(rows), dtype=bool)
        abnormal[some] = self.showing(rows[some], week)[:, VISIBLE].any(axis=1)
        return abnormal

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
