"""The natural history of a block of patients as arrays: `history.Patient`, one element per patient.

Every number comes from the same counter-based draws, with the same keys, as the reference
`Patient` draws them, and every comparison is the same, so patient `i` here is the person `i`
there. Draws are made from each patient's share of the counter, mixed once (draws.patient_keys),
and compared with probabilities as hashes (draws.bound): the weekly course, one draw for every
patient every week, is most of the engine's arithmetic.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import numpy as np

from ...model.draws import Purpose, as_uniform, below, bounds, hashes, mix, offset, patient_keys
from ...model.history import (
    IMPROVEMENT_WEEK_RELAPSE_STARTS, PERSISTING_WEEKS, RED_FLAG_FINDINGS, RED_FLAGS, RISK_FACTORS,
    XRAY_INDICATED_OVER_AGE, Mimic, NaturalHistory,
)
from ...model.patient import PERSON_SLOTS
from .asked import Asked, pick as _pick
from .red_flags import NEVER, CohortRedFlags

MIMICS = tuple(m.value for m in Mimic)  # codes: 0 none, 1 hip or SI only, 2 hip or SI and spine

# The findings recorded as they were at presentation (unless a red flag changes them).
BASELINE = ("pain_distribution", "pain_below_knee", "sensory_symptoms", "reflex_change", "weakness",
            "neurogenic_claudication", "hip_or_si_signs", "bilateral_leg_symptoms", "foot_drop", "mri_contraindicated")

# Red-flag findings are applied category by category; the reference applies them by onset. The
# order cannot matter as long as no two categories record the same finding.
assert len({k for f in RED_FLAG_FINDINGS.values() for k in f}) == sum(map(len, RED_FLAG_FINDINGS.values()))


class CohortHistory(Asked):
    """Patients ``first .. last - 1`` drawn at presentation, then advanced a week at a time."""

    def __init__(self, model: NaturalHistory, seed: int, first: int, last: int, weeks: int,
                 words: Mapping[str, Sequence[str]]):
        """`words`: each enum finding's values, in the order of its codes (the pathway's order);
        findings are recorded as those codes, the form the compiled guards read."""
        self.model, self.seed, self.weeks, self.first = model, seed, weeks, first
        self.code = {name: {word: code for code, word in enumerate(values)} for name, values in words.items()}
        v = model.params.value
        self.index = np.arange(first, last, dtype=np.uint64)
        self.keys = patient_keys(self.index)
        n = self.n = last - first

        person = self._at_start(Purpose.PERSON, PERSON_SLOTS)
        bands = list(model.age_bands)
        band = _pick(dict(bands), person[:, 0])
        low = np.array([b[0][0] for b in bands])[band]
        high = np.array([b[0][1] for b in bands])[band]
        self.age = low + (person[:, 1] * (high - low + 1)).astype(np.int64)
        self.fast = person[:, 2] < v("recovery.fast_fraction")
        without, with_spine = v("mimics.hip_or_si_without_spine"), v("mimics.hip_or_si_with_spine")
        self.mimic = np.where(person[:, 3] < without, 1, np.where(person[:, 3] < without + with_spine, 2, 0))
        nerve_root = self.nerve_root = self.mimic != 1
        pain = self._codes("pain_distribution", model.pain)[_pick(model.pain, person[:, 4])]
        weakness = self._codes("weakness", model.weakness)[_pick(model.weakness, person[:, 5])]
        flags = person[:, 6:]
        self.baseline: dict[str, np.ndarray] = {  # BASELINE
            "pain_distribution": np.where(nerve_root, pain, self.code["pain_distribution"]["back_dominant"]),
            "pain_below_knee": (flags[:, 0] < v("presentation.pain_below_knee")) & nerve_root,
            "sensory_symptoms": (flags[:, 1] < v("presentation.sensory_symptoms")) & nerve_root,
            "reflex_change": (flags[:, 2] < v("presentation.reflex_change")) & nerve_root,
            "weakness": np.where(nerve_root, weakness, self.code["weakness"]["none"]),
            "neurogenic_claudication": flags[:, 3] < self._table("presentation.neurogenic_claudication_by_age", step=True),
            "hip_or_si_signs": self.mimic != 0,
            "bilateral_leg_symptoms": np.zeros(n, dtype=bool),
            "foot_drop": np.zeros(n, dtype=bool),
            "mri_contraindicated": flags[:, 6] < model.mri_contraindicated,
        }
        self.disabling = flags[:, 4] < v("course.disabling_when_persisting")
        self.wants_intervention = self.disabling & (flags[:, 5] < v("course.intervention_wanted"))
        has, self.xray_risk, self.imaging_risk = model.risk_factors(seed, self.index)
        self.standing = {name: has[:, j] for j, name in enumerate(RISK_FACTORS) if has[:, j].any()}
        self.risk_factored = has.any(axis=1)  # a red-flag question answered yes at every visit

        # What a scan shows and how long an epidural relieves are drawn when first asked for (few
        # are scanned or injected).
        self.flags = CohortRedFlags(model, seed, self.keys, weeks)
        self.first_onset = self.flags.first_onset

        # The untreated course. The chance of improving this week takes one of four values, by
        # `speed` (fast and never relapsed: +1; operated on: +2); an improved patient's is that
        # of relapsing, once relapse can start. As bounds on the draws' hashes, by speed + 4 x improved.
        p_fast, p_slow, ratio = model.improve_fast, model.improve_slow, model.surgery_ratio
        improve = [p_slow, p_fast, 1 - (1 - p_slow) ** ratio, 1 - (1 - p_fast) ** ratio]
        self._course = bounds(improve + [0.0] * 4)
        self._course_relapsing = bounds(improve + [model.relapse] * 4)
        self.week = 0
        self.improved = np.zeros(n, dtype=bool)
        self.speed = self.fast.astype(np.intp)
        self.course = self.speed.copy()  # speed + 4 x improved: the row of the course's bounds
        # The counters of the weekly draw, but for the week: slot 10 (improve), or once improved 11 (relapse).
        self.course_keys = self.keys.copy()
        self.first_improved = np.full(n, NEVER, dtype=np.int64)
        self.relief_from = np.full(n, NEVER, dtype=np.int64)
        self.relief_to = np.full(n, NEVER, dtype=np.int64)
        self.relieved = np.zeros(0, dtype=np.int64)  # patients ever given an epidural (some twice)
        self.operated = np.full(n, NEVER, dtype=np.int64)  # the week of the operation
        self.scan = np.zeros(n, dtype=np.uint8)  # what a scan shows (bits), once drawn: _scans

    def _at_start(self, purpose: Purpose, slots: int, rows=slice(None)) -> np.ndarray:
        """(patients, slots) draws at presentation (week 0, slots 0 .. slots - 1), for these patients."""
        return as_uniform(hashes(self.keys[rows][:, None], offset(self.seed, purpose, 0, np.arange(slots))))

    def _codes(self, name: str, words) -> np.ndarray:
        return np.array([self.code[name][word] for word in words], dtype=np.int64)

    def _table(self, name: str, step: bool = False, rows=slice(None)) -> np.ndarray:
        """`NaturalHistory.table` for these patients' ages."""
        ages, values = _anchors(self.model.params.value(name))
        age = self.age[rows]
        if step:
            return values[np.maximum(np.searchsorted(ages, age, side="right") - 1, 0)]
        return np.interp(age, ages, values)

    def _hashes(self, rows: np.ndarray, purpose: Purpose, slot: int) -> np.ndarray:
        """The hashes of this week's draws (slot 10 and up) for these patients, as `Patient` draws them."""
        return hashes(self.keys[rows], offset(self.seed, purpose, self.week, slot))

    def draw(self, rows: np.ndarray, purpose: Purpose, slot: int) -> np.ndarray:
        return as_uniform(self._hashes(rows, purpose, slot))

    def below(self, rows: np.ndarray, purpose: Purpose, slot: int, p: float) -> np.ndarray:
        """This week's draws for these patients, below `p`."""
        return below(self._hashes(rows, purpose, slot), p)

    # -- the course, week by week (as Patient.advance) ---------------------------------------------
    def advance(self, week: int) -> None:
        """Every patient draws once a week: to improve (slot 10), or once improved, to relapse (slot
        11: a draw that cannot succeed until after IMPROVEMENT_WEEK_RELAPSE_STARTS, its bound 0
        till then); never both in one week."""
        while self.week < week:
            self.week += 1
            t = self.week
            counters = np.add(self.course_keys, offset(self.seed, Purpose.COURSE, t, 10))
            table = self._course_relapsing if t > IMPROVEMENT_WEEK_RELAPSE_STARTS else self._course
            changed = np.flatnonzero(mix(counters) < np.take(table, self.course))  # improved, or relapsed
            if not changed.size:
                continue
            better = ~self.improved[changed]
            first = changed[better]
            self.first_improved[first] = np.minimum(self.first_improved[first], t)
            self.speed[changed[~better]] &= 2  # relapsed: no longer fast
            self.improved[changed] = better
            self.course[changed] = self.speed[changed] + 4 * better
            self.course_keys[changed] = self.keys[changed] + better * _NEXT_SLOT

    def feels_improved(self, rows: np.ndarray) -> np.ndarray:
        """Improved, or while an epidural's relief lasts (only those given one can be relieved)."""
        feels = self.improved[rows]
        if self.relieved.size:
            some = np.flatnonzero(self.relief_from[rows] <= self.week)
            r = rows[some]
            feels[some] |= self.week < self.relief_to[r]
        return feels

    def feels_improved_into(self, out: np.ndarray) -> None:
        """`feels_improved()` for every patient, written into `out`: only those given an epidural
        can feel better than they are."""
        np.copyto(out, self.improved)
        rows = self.relieved
        out[rows] |= (self.relief_from[rows] <= self.week) & (self.week < self.relief_to[rows])

    def any_red_flag(self, rows: np.ndarray) -> np.ndarray:
        """A red flag shows (active, not hidden)."""
        return self.flags.any_showing(rows, self.week)

    def screen_positive(self, rows: np.ndarray) -> np.ndarray:
        """A red-flag question is answered yes: a red flag shows, or a standing risk factor."""
        return self.any_red_flag(rows) | self.risk_factored[rows]

    def any_hidden_red_flag(self, rows: np.ndarray) -> np.ndarray:
        """A red flag is active, its findings hidden (atypical, not yet worsened)."""
        return self.flags.any_hidden(rows, self.week)

    def red_flagged(self) -> np.ndarray:
        """The patients (in order) whose first red flag has started by now (those any can show for)."""
        return self.flags.candidates(self.week)

    # -- what a clinician records (as Patient.findings, enums as codes) ------------------------------
    def findings(self, rows: np.ndarray, red_flag_questions: tuple[str, ...],
                 wanted: frozenset[str] | None = None) -> dict[str, np.ndarray]:
        """What is recorded at these visits; only the findings in `wanted` (None: all)."""
        def want(name: str) -> bool:
            return wanted is None or name in wanted

        found = {name: column[rows] for name, column in self.baseline.items() if want(name)}
        found.update({q: np.zeros(len(rows), dtype=bool) for q in red_flag_questions if want(q)})
        found.update({name: has[rows] for name, has in self.standing.items() if want(name)})  # copies
        flagged = np.flatnonzero(self.first_onset[rows] <= self.week)  # the few any red flag can show for
        if flagged.size:
            active = self.flags.showing_columns(rows[flagged], self.week)  # (flagged, categories)
            for c, category in enumerate(RED_FLAGS):
                these = flagged[active[:, c]]
                for name, value in RED_FLAG_FINDINGS[category].items():
                    if these.size and want(name):
                        found[name][these] = self.code[name][value] if isinstance(value, str) else value
        better = self.feels_improved(rows)
        if want("trend"):
            worse = ~better & self.below(rows, Purpose.COURSE, 12, self.model.worse)
            improving, worse_code, stuck = (self.code["trend"][w] for w in ("improving", "worse", "stuck"))
            found["trend"] = np.where(better, improving, np.where(worse, worse_code, stuck))
        later = {
            "symptoms_resolved": lambda: self.improved[rows],
            "conservative_care_weeks": lambda: np.full(len(rows), self.week, dtype=np.int64),
            "disabling": lambda: ~better & self.disabling[rows],
            "intervention_considered": lambda: ~better & self.wants_intervention[rows],
            "prior_lumbar_surgery": lambda: self.operated[rows] <= self.week,
        }
        found.update({name: make() for name, make in later.items() if want(name)})
        return found

    def indicated(self, rows: np.ndarray, xray_only: np.ndarray) -> np.ndarray:
        """As Patient.indicated, for orders (X-rays only or not, one per row) made for these patients now."""
        xray = xray_only & ((self.mimic[rows] != 0) | (self.age[rows] > XRAY_INDICATED_OVER_AGE) | self.xray_risk[rows])
        indicated = self.flags.any_active(rows, self.week) | self.imaging_risk[rows] | xray
        return indicated | (~self.feels_improved(rows) & (self.week >= PERSISTING_WEEKS) & self.wants_intervention[rows])



# A draw's counter one slot on (slot 11 for 10): the same keys, this much further.
_NEXT_SLOT = np.uint64((int(offset(0, Purpose.COURSE, 0, 11)) - int(offset(0, Purpose.COURSE, 0, 10))) % 2**64)


@functools.lru_cache(maxsize=64)
def _sorted_anchors(items: tuple) -> tuple[np.ndarray, np.ndarray]:
    anchors = sorted(items)
    return np.array([a for a, _ in anchors]), np.array([p for _, p in anchors])


def _anchors(table) -> tuple[np.ndarray, np.ndarray]:
    """An age table's ages, in order, and its values (made once per table)."""
    return _sorted_anchors(tuple(table.items()))
