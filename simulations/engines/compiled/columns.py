"""What the guards read at a week's visits (course._Run's findings, as columns), and the key that
fixes each visit's route (route_keys.py): mixed into compiled.course._Block."""

from __future__ import annotations

import numpy as np

from ...running.chunk import NONE
from .bookings import RESULTS


class Columns:
    def _env(self, week: int, rows: np.ndarray, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
        """What the guards read at these visits: Patient.findings, checked_findings' defaults,
        age and week; only the columns some guard reads (or those in `names`)."""
        names = self.sim.names if names is None else names
        wanted = frozenset(names)
        found = self.h.findings(rows, self.sim.questions, wanted)
        for code, name in enumerate(RESULTS):
            if name in self.sim.result_codes and name in wanted:
                recorded = self.results[code, rows]
                found[name] = np.where(recorded == NONE, self.sim.defaults[name], self.sim.result_codes[name][recorded])
        if "age" in wanted:
            found["age"] = self.h.age[rows]
        if "week" in wanted:
            found["week"] = np.full(len(rows), week, dtype=np.int64)
        n = len(rows)
        return {name: found[name] if name in found else np.full(n, self.sim.defaults[name]) for name in names}

    def _keys(self, week: int, rows: np.ndarray, start: np.ndarray) -> np.ndarray | None:
        """Each visit's route key (VisitKeys.key), or None when the pathway's visits cannot be keyed.
        A visit with no red flag showing and no standing risk factor (screen negative) records the
        patient's presentation unchanged and no to every red-flag question, so its guards depend on
        the presentation only through a few parts (VisitKeys.fixed_parts, worked out once per
        patient): its key is those parts and the columns
        that change (even). Any other visit's guards depend on the presentation and the red-flag
        questions only through parts of their own, worked out at the visit: its key is those and
        the columns that change (odd; or every column, when such keys would not fit)."""
        visit_keys, sim = self.sim.router.visit_keys, self.sim
        if not visit_keys.keyed:
            return None
        keys = np.empty(len(rows), dtype=np.int64)
        flagged = self.h.screen_positive(rows)
        if self.fixed_keys is None:
            flagged[:] = True
        plain = np.flatnonzero(~flagged)
        if plain.size:
            r = rows[plain]
            key = (start[plain] << len(sim.fixed_parts)) + self.fixed_keys[r]
            key = visit_keys.extend_key(key, self._env(week, r, sim.changing), sim.changing)
            if key is None:
                return None
            keys[plain] = 2 * key
        flagged = np.flatnonzero(flagged)
        if flagged.size:
            env = self._env(week, rows[flagged])
            if sim.flag_keys:
                key = start[flagged] << len(sim.flag_parts)
                memo: dict = {}
                for j, part in enumerate(sim.flag_parts):
                    key |= part(env, memo).astype(np.int64) << j
                key = visit_keys.extend_key(key, env, sim.changing)
            else:
                key = visit_keys.key(start[flagged], env)
            if key is None:
                return None
            keys[flagged] = 2 * key + 1
        return keys

