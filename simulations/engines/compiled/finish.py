"""The compiled engine's outcomes and its chunk: the per-patient columns (course._Run's Outcome, a
column per field), the visits as they are made, and at the end the chunk, visits listed by
patient then week as the reference lists them."""

from __future__ import annotations

import numpy as np

from ...running.chunk import NONE, PATIENT_FIELDS, VISIT_FIELDS, Chunk
from ..outcome import KINDS
from .history import MIMICS
from .red_flags import NEVER

COUNTS = ("visits", "urgent_work_ups", "work_ups_confirmed", "work_ups_excluded", "imaging_orders", *KINDS,
          "imaging_without_indication", "emergency_mri_late", "epidurals", "returns")
WEEKS = ("red_flag_seen_week", "red_flag_missed_week", "urgent_care_week", "first_mri_week", "surgery_week", "discharged_week",
         "fell_through_week")
FLAGS = ("red_flag_worsened", "mri_incidental", "surgical_referral", "rerouted")


class Finish:
    """Mixed into compiled.course._Block."""

    @staticmethod
    def _outcomes(n: int) -> dict[str, np.ndarray]:
        return {
            **{k: np.zeros(n, dtype=np.int64) for k in COUNTS},
            **{k: np.full(n, NONE, dtype=np.int64) for k in WEEKS},
            **{k: np.zeros(n, dtype=bool) for k in FLAGS},
        }

    def _record(self, week, rows, reasons, start, resting, urgency, imaging, step_visit, fired) -> None:
        """The visits' rows (urgency: the most urgent state entered, none if none; imaging: the
        order made or amended, 0 for none) and their transitions."""
        n = len(rows)
        self.visits.append(dict(zip(VISIT_FIELDS, (
            self.h.index[rows].astype(np.int64), self.episodes[rows], np.full(n, week, dtype=np.int64),
            reasons, start, resting, urgency, imaging))))
        self.steps.append((step_visit + self.visit_count, fired))
        self.visit_ranks.append(self.out["visits"][rows] - 1)  # each patient's how-manieth visit
        self.visit_count += n

    def _finish(self, visits_in_order: bool) -> Chunk:
        h, out = self.h, self.out
        onset = np.where(h.first_onset < NEVER, h.first_onset, NONE)
        flagged, escalated = onset != NONE, out["urgent_care_week"] != NONE
        red_flags, red_flag_words = h.flags.red_flag_names()
        patients = {
            "age": h.age, "recovery": (~h.fast).astype(np.int8), "mimic": h.mimic.astype(np.int8),
            "red_flags": red_flags, "red_flag_onset_week": onset,
            "escalation_delay_weeks": np.where(flagged & escalated,
                                               np.maximum(0, out["urgent_care_week"] - onset), NONE),
            "red_flag_never_escalated": flagged & ~escalated & (out["red_flag_seen_week"] != NONE),
            "red_flag_not_seen": flagged & ~escalated & (out["red_flag_seen_week"] == NONE),
            "mri_contraindicated": h.baseline["mri_contraindicated"],
            "final_state": self.state.astype(np.int16),
            # Those still in care: their last stretch, to the end of follow-up.
            "weeks_in_pathway": self.weeks_in_pathway + np.where(
                self.since < NEVER, self.sim.weeks + 1 - self.since, 0),
            "episodes": self.episodes,
            "first_improved_week": np.where(h.first_improved < NEVER, h.first_improved, NONE),
            **out,
        }
        empty = np.zeros(0, dtype=np.int64)
        visits = {k: np.concatenate([v[k] for v in self.visits] or [empty]) for k in VISIT_FIELDS}
        rank = np.concatenate(self.visit_ranks or [empty])
        step_visit, fired = (np.concatenate([step[i] for step in self.steps] or [empty]) for i in (0, 1))
        if not visits_in_order:
            return self._chunk(patients, visits, {"visit": step_visit, "transition": fired}, red_flag_words)
        # Visits were made week by week (each week's by patient); the chunk lists them by patient,
        # then week: patient p's k-th visit goes after every visit of the patients before p, k-th.
        before = np.cumsum(out["visits"]) - out["visits"]
        moved = before[visits["patient"] - h.first] + rank  # each visit's place in the chunk
        order = np.empty_like(moved)
        order[moved] = np.arange(len(moved))
        # Steps likewise, each visit's together in firing order (as they already are): a visit's
        # steps move to where its new place puts them.
        per_visit = np.bincount(step_visit, minlength=len(moved))
        placed = np.cumsum(per_visit[order]) - per_visit[order]  # first step of each visit, in chunk order
        from_start = np.arange(len(step_visit)) - (np.cumsum(per_visit) - per_visit)[step_visit]
        step_order = np.empty_like(step_visit)
        step_order[placed[moved[step_visit]] + from_start] = np.arange(len(step_visit))
        steps = {"visit": moved[step_visit][step_order], "transition": fired[step_order]}
        return self._chunk(patients, {k: v[order] for k, v in visits.items()}, steps, red_flag_words)

    def _chunk(self, patients: dict, visits: dict, steps: dict, red_flag_words: tuple[str, ...]) -> Chunk:
        """The chunk, every column narrowed (but the visits' patients and steps' visits: indexes)."""
        return Chunk(
            first=self.h.first,
            patients={name: _narrow(patients[name]) for name in PATIENT_FIELDS},
            improved=self.improved, states=self.states,
            visits={k: v if k == "patient" else _narrow(v) for k, v in visits.items()},
            steps={"visit": steps["visit"], "transition": _narrow(steps["transition"])},
            words={"recovery": ("fast", "slow"), "mimic": MIMICS, "red_flags": red_flag_words},
            occupancy=self.occupancy,
        )


def _narrow(values: np.ndarray) -> np.ndarray:
    """Whole numbers in the narrowest signed type that holds them (chunks travel between processes
    and to disk: most columns are weeks and small counts)."""
    if values.dtype == bool or not values.size:
        return values
    low, high = values.min(), values.max()
    for kind in (np.int8, np.int16, np.int32):
        if np.iinfo(kind).min <= low and high <= np.iinfo(kind).max:
            return values.astype(kind)
    return values.astype(np.int64)
