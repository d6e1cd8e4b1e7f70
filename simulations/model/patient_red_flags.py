"""A simulated patient's red flags (mixed into patient.Patient): which categories start and when,
whether a work-up would confirm each and whether it presents typically (drawn at presentation),
and what each visit, work-up and week without urgent care does to them. The states a red flag
goes through are described in patient.py's docstring.
"""

from __future__ import annotations

import numpy as np

from .draws import Purpose, uniform
from .history import RED_FLAGS, SERIOUSNESS, RedFlag


class RedFlags:
    """Mixed into patient.Patient, which sets `model`, `week` and `_harm_draws`."""

    def _red_flags(self, seed: int, index: int, weeks: int) -> None:
        """Each category: whether it starts (week 0 draws), its onset week (week 1), whether a
        work-up would confirm it (week 2) and whether it presents typically (week 3)."""
        model = self.model
        categories = np.arange(len(RED_FLAGS))
        chances = uniform(seed, index, Purpose.RED_FLAGS, 0, categories)
        onsets = (uniform(seed, index, Purpose.RED_FLAGS, 1, categories) * (model.onset_window + 1)).astype(int)
        self.red_flags = tuple(sorted(
            (RedFlag(c, int(w)) for c, u, w in zip(RED_FLAGS, chances, onsets)
             if u < model.red_flag_chance[c] and w <= weeks),
            key=lambda f: (f.onset, RED_FLAGS.index(f.category)),
        ))
        truth = uniform(seed, index, Purpose.RED_FLAGS, 2, categories)
        self.real = {c for c, u in zip(RED_FLAGS, truth) if u < model.confirmed[c]}
        typical = uniform(seed, index, Purpose.RED_FLAGS, 3, categories)
        mine = {f.category for f in self.red_flags}
        self.hidden = {c for c, u in zip(RED_FLAGS, typical) if c in mine and not u < model.typical}  # until it worsens
        self.worked_up: set[str] = set()  # excluded by a work-up: no longer shows
        self.seen: set[str] = set()  # showed at a visit
        self.attended: set[str] = set()  # showed while the patient was in urgent care

    # -- red flags --------------------------------------------------------------------------------
    def active_red_flags(self) -> tuple[RedFlag, ...]:
        """The red flags the patient has now: started, and not excluded by a work-up."""
        return tuple(f for f in self.red_flags if f.onset <= self.week and f.category not in self.worked_up)

    def showing_red_flags(self) -> tuple[RedFlag, ...]:
        """The active red flags whose findings show: typical, or atypical and worsened."""
        return tuple(f for f in self.active_red_flags() if f.category not in self.hidden)

    def hidden_red_flags(self) -> tuple[RedFlag, ...]:
        """The active red flags whose findings do not show (atypical, not yet worsened)."""
        return tuple(f for f in self.active_red_flags() if f.category in self.hidden)

    def unseen_red_flags(self) -> tuple[RedFlag, ...]:
        """Red flags that show and have not yet shown at a visit: they bring the patient in."""
        return tuple(f for f in self.showing_red_flags() if f.category not in self.seen)

    def unattended_red_flags(self) -> tuple[RedFlag, ...]:
        """Active red flags not seen in urgent care (hidden ones never are): they may worsen."""
        return tuple(f for f in self.active_red_flags() if f.category not in self.attended)

    def see(self, urgent_care: bool) -> None:
        """Seen at a visit (that ends in, or enters, urgent care): every red flag that shows is known."""
        showing = {f.category for f in self.showing_red_flags()}
        self.seen |= showing
        if urgent_care:
            self.attended |= showing

    def work_up_category(self) -> str | None:
        """The red flag an urgent work-up ordered now is for: one that shows and is new to urgent
        care if any, else one that shows; the most serious of them (SERIOUSNESS). With none
        showing (an abnormal X-ray), the same among those the patient has."""
        showing = {f.category for f in self.showing_red_flags() or self.active_red_flags()}
        new = showing - self.attended
        pool = new or showing
        return next((c for c in SERIOUSNESS if c in pool), None)

    def work_up_result(self, category: str | None) -> str:
        """The result of a work-up for `category`: confirmed if the condition is real; else excluded,
        and the red flag is worked up (it no longer shows)."""
        if category in self.real:
            return "confirmed"
        if category is not None:
            self.worked_up.add(category)
        return "excluded"

    def worsens(self) -> bool:
        """An unattended red flag gets worse this week."""
        return bool(self._harm_draws[self.week] < self.model.worsening)

    def worsen(self) -> None:
        """Worse: every active red flag shows from now on (an atypical one as the textbook has it)."""
        self.hidden -= {f.category for f in self.active_red_flags()}

