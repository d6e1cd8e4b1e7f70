"""Bookings by week: who is due for something (a visit, a result, an injection, an operation) this
week is found among those booked for it, not by comparing every patient's booked week."""

from __future__ import annotations

import numpy as np


class Calendar:
    """Patients booked for something (a visit, an injection, ...), by week, so that who is due
    this week is found among those booked for it rather than among every patient. A booking can be
    superseded by a later one for another week: the caller's own array holds each patient's
    latest booked week, and only the bookings that are still the latest count."""

    def __init__(self, weeks: int):
        self.weeks = weeks  # bookings beyond the follow-up are never due
        self.booked: dict[int, list[np.ndarray]] = {}

    def book(self, rows: np.ndarray, weeks) -> None:
        for week, booked in _by_week(rows, weeks, self.weeks):
            self.booked.setdefault(week, []).append(booked)

    def due(self, week: int, latest: np.ndarray) -> np.ndarray:
        """The patients (in order) booked for `week` whose latest booking it still is."""
        booked = self.booked.pop(week, None)
        if not booked:
            return np.zeros(0, dtype=np.int64)
        rows = _union(booked)
        return rows[latest[rows] == week]


def _by_week(rows: np.ndarray, weeks, last: int):
    """(week, rows booked for it) for each week from 0 to `last` that `weeks` (one per row, or
    one for all) names."""
    if np.ndim(weeks) == 0:
        if 0 <= weeks <= last and len(rows):
            yield int(weeks), rows
        return
    inside = (weeks >= 0) & (weeks <= last)
    rows, weeks = rows[inside], weeks[inside].astype(np.int16)  # weeks <= MAX_WEEKS: a radix sort
    order = np.argsort(weeks, kind="stable")
    rows, weeks = rows[order], weeks[order]
    starts = np.flatnonzero(np.diff(weeks, prepend=-1))
    for begin, end in zip(starts, [*starts[1:], len(weeks)]):
        yield int(weeks[begin]), rows[begin:end]


def _union(parts: list[np.ndarray]) -> np.ndarray:
    """The patients in any of `parts` (each in order, each patient once), in order, each once."""
    if len(parts) == 1:
        return parts[0]
    rows = np.sort(np.concatenate(parts))
    return rows[np.append(True, np.diff(rows) != 0)]
