"""The natural history of a block of patients as arrays: `history.Patient`, one element per patient.

Every number comes from the same counter-based draws, with the same keys, as the reference
`Patient` draws them, and every comparison is the same, so patient `i` here is the person `i`
there. Weekly draws are made only for the patients who need one that week (a patient who has
improved draws for relapse, not for improvement), which is most of the engine's time saved.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

from ..draws import Purpose, normal, uniform
from ..history import (
    IMPROVEMENT_WEEK_RELAPSE_STARTS, PERSISTING_WEEKS, RED_FLAG_FINDINGS, RED_FLAGS, Mimic, NaturalHistory,
    lognormal_weeks,
)

MIMICS = tuple(m.value for m in Mimic)  # codes: 0 none, 1 hip or SI only, 2 hip or SI and spine
NEVER = np.iinfo(np.int32).max  # a red flag that never starts, a treatment never given
SHOWS_ON_XRAY = ("fracture", "malignancy", "spinal_cord_compression", "infection")  # as Patient.xray_result
EPIDURAL_RESPONSES = ("lasting_relief", "temporary_relief", "no_relief")
SCAN_RESULTS = ("concordant", "discordant", "normal")
XRAY_RESULTS = ("abnormal", "normal")

# Red-flag findings are applied category by category; the reference applies them by onset. The
# order cannot matter as long as no two categories record the same finding.
assert len({k for f in RED_FLAG_FINDINGS.values() for k in f}) == sum(map(len, RED_FLAG_FINDINGS.values()))


class CohortHistory:
    """Patients ``first .. last - 1`` drawn at presentation, then advanced a week at a time."""

    def __init__(self, model: NaturalHistory, seed: int, first: int, last: int, weeks: int,
                 words: Mapping[str, Sequence[str]]):
        """`words`: each enum finding's values, in the order of its codes (the pathway's order);
        findings are recorded as those codes, the form the compiled guards read."""
        self.model, self.seed, self.weeks, self.first = model, seed, weeks, first
        self.code = {name: {word: code for code, word in enumerate(values)} for name, values in words.items()}
        v = model.params.value
        self.index = np.arange(first, last, dtype=np.uint64)
        n = self.n = last - first
        ids = self.index[:, None]

        person = uniform(seed, ids, Purpose.PERSON, 0, np.arange(12))
        bands = list(model.age_bands)
        band = _pick(dict(bands), person[:, 0])
        low = np.array([b[0][0] for b in bands])[band]
        high = np.array([b[0][1] for b in bands])[band]
        self.age = low + (person[:, 1] * (high - low + 1)).astype(np.int64)
        self.fast = person[:, 2] < v("recovery.fast_fraction")
        without, with_spine = v("mimics.hip_or_si_without_spine"), v("mimics.hip_or_si_with_spine")
        self.mimic = np.where(person[:, 3] < without, 1, np.where(person[:, 3] < without + with_spine, 2, 0))
        nerve_root = self.mimic != 1
        pain = self._codes("pain_distribution", model.pain)[_pick(model.pain, person[:, 4])]
        weakness = self._codes("weakness", model.weakness)[_pick(model.weakness, person[:, 5])]
        flags = person[:, 6:]
        self.baseline: dict[str, np.ndarray] = {
            "pain_distribution": np.where(nerve_root, pain, self.code["pain_distribution"]["back_dominant"]),
            "pain_below_knee": (flags[:, 0] < v("presentation.pain_below_knee")) & nerve_root,
            "sensory_symptoms": (flags[:, 1] < v("presentation.sensory_symptoms")) & nerve_root,
            "reflex_change": (flags[:, 2] < v("presentation.reflex_change")) & nerve_root,
            "weakness": np.where(nerve_root, weakness, self.code["weakness"]["none"]),
            "neurogenic_claudication": flags[:, 3] < self._table("presentation.neurogenic_claudication_by_age", step=True),
            "hip_or_si_signs": self.mimic != 0,
            "bilateral_leg_symptoms": np.zeros(n, dtype=bool),
            "foot_drop": np.zeros(n, dtype=bool),
            "prior_lumbar_surgery": np.zeros(n, dtype=bool),
        }
        self.disabling = flags[:, 4] < v("course.disabling_when_persisting")
        self.wants_intervention = self.disabling & (flags[:, 5] < v("course.intervention_wanted"))

        concordant, protrusion, slip, bulge, degeneration = uniform(seed, ids, Purpose.IMAGING, 0, np.arange(5)).T
        self.concordant = nerve_root & (concordant < v("imaging.concordant_herniation"))
        self.incidental = (protrusion < self._table("imaging.disc_protrusion_by_age")) | (
            slip < self._table("imaging.spondylolisthesis_by_age"))
        self.incidental_reported = self.incidental | (bulge < self._table("imaging.disc_bulge_by_age")) | (
            degeneration < self._table("imaging.disc_degeneration_by_age"))

        categories = np.arange(len(RED_FLAGS))
        chances = uniform(seed, ids, Purpose.RED_FLAGS, 0, categories)
        onsets = (uniform(seed, ids, Purpose.RED_FLAGS, 1, categories) * (model.onset_window + 1)).astype(np.int64)
        has = (chances < np.array([model.red_flag_chance[c] for c in RED_FLAGS])) & (onsets <= weeks)
        self.onset = np.where(has, onsets, NEVER)  # (n, categories): the week each red flag starts
        self.first_onset = self.onset.min(axis=1)
        shows = [RED_FLAGS.index(c) for c in SHOWS_ON_XRAY]
        self.first_xray_visible = self.onset[:, shows].min(axis=1)

        relieved, length = uniform(seed, ids, Purpose.TREATMENT, 0, np.arange(2)).T
        lo, hi = v("treatment.epidural_relief_min_weeks"), v("treatment.epidural_relief_max_weeks")
        self.relief_weeks = np.where(relieved < v("treatment.epidural_relief"),
                                     np.round(lo + (hi - lo) * length), 0).astype(np.int64)

        # The untreated course; the chance of improving this week takes one of four values.
        p_fast, p_slow, ratio = model.improve_fast, model.improve_slow, model.surgery_ratio
        self._improve_chance = np.array([p_slow, p_fast, 1 - (1 - p_slow) ** ratio, 1 - (1 - p_fast) ** ratio])
        self.week = 0
        self.improved = np.zeros(n, dtype=bool)
        self.relapsed = np.zeros(n, dtype=bool)
        self.first_improved = np.full(n, NEVER, dtype=np.int64)
        self.surgery_week = np.full(n, NEVER, dtype=np.int64)
        self.relief_from = np.full(n, NEVER, dtype=np.int64)
        self.relief_to = np.full(n, NEVER, dtype=np.int64)

    def _codes(self, name: str, words) -> np.ndarray:
        return np.array([self.code[name][word] for word in words], dtype=np.int64)

    def _table(self, name: str, step: bool = False) -> np.ndarray:
        """`NaturalHistory.table` for every patient's age."""
        anchors = sorted(self.model.params.value(name).items())
        ages = np.array([a for a, _ in anchors])
        values = np.array([p for _, p in anchors])
        if step:
            return values[np.maximum(np.searchsorted(ages, self.age, side="right") - 1, 0)]
        return np.interp(self.age, ages, values)

    def draw(self, rows: np.ndarray, purpose: Purpose, slot: int, week: int | None = None) -> np.ndarray:
        """The weekly draw (slot 10 and up) for these patients this week, as `Patient` draws it."""
        return uniform(self.seed, self.index[rows], purpose, self.week if week is None else week, slot)

    # -- the course, week by week (as Patient.advance) ---------------------------------------------
    def advance(self, week: int) -> None:
        while self.week < week:
            self.week += 1
            t = self.week
            waiting = np.flatnonzero(~self.improved)
            well = np.flatnonzero(self.improved) if t > IMPROVEMENT_WEEK_RELAPSE_STARTS else None
            code = (self.fast[waiting] & ~self.relapsed[waiting]) + 2 * (t > self.surgery_week[waiting])
            better = waiting[self.draw(waiting, Purpose.COURSE, 10) < self._improve_chance[code]]
            self.improved[better] = True
            self.first_improved[better] = np.minimum(self.first_improved[better], t)
            if well is not None:  # improved before this week: may relapse (not both in one week)
                worse = well[self.draw(well, Purpose.COURSE, 11) < self.model.relapse]
                self.improved[worse] = False
                self.relapsed[worse] = True

    def feels_improved(self, rows=slice(None)) -> np.ndarray:
        return self.improved[rows] | ((self.relief_from[rows] <= self.week) & (self.week < self.relief_to[rows]))

    def any_red_flag(self, rows=slice(None)) -> np.ndarray:
        return self.first_onset[rows] <= self.week

    # -- what a clinician records (as Patient.findings, enums as codes) ------------------------------
    def findings(self, rows: np.ndarray, red_flag_questions: tuple[str, ...]) -> dict[str, np.ndarray]:
        found = {name: column[rows] for name, column in self.baseline.items()}
        found.update({q: np.zeros(len(rows), dtype=bool) for q in red_flag_questions})
        for c, category in enumerate(RED_FLAGS):
            active = self.onset[rows, c] <= self.week
            if active.any():
                for name, value in RED_FLAG_FINDINGS[category].items():
                    found[name] = np.where(active, self.code[name][value] if isinstance(value, str) else value,
                                           found[name])
        better = self.feels_improved(rows)
        worse = ~better & (self.draw(rows, Purpose.COURSE, 12) < self.model.worse)
        improving, worse_code, stuck = (self.code["trend"][w] for w in ("improving", "worse", "stuck"))
        found.update(
            trend=np.where(better, improving, np.where(worse, worse_code, stuck)),
            symptoms_resolved=self.improved[rows],
            conservative_care_weeks=np.full(len(rows), self.week, dtype=np.int64),
            disabling=~better & self.disabling[rows],
            intervention_considered=~better & self.wants_intervention[rows],
        )
        return found

    def needs_imaging(self, rows: np.ndarray, xray: bool) -> np.ndarray:
        """As Patient.needs_imaging, for imaging of one kind ordered for these patients now."""
        indicated = self.any_red_flag(rows) | (xray & (self.mimic[rows] != 0))
        return indicated | (~self.feels_improved(rows) & (self.week >= PERSISTING_WEEKS) & self.wants_intervention[rows])

    # -- draws that depend on what the pathway does (keyed by this week) ------------------------------
    def review_after(self, rows: np.ndarray) -> np.ndarray:
        weeks = np.array(list(self.model.review_after), dtype=np.int64)
        return weeks[_pick(self.model.review_after, self.draw(rows, Purpose.VISITS, 10))]

    def presents_with_red_flag(self, rows: np.ndarray) -> np.ndarray:
        return self.draw(rows, Purpose.VISITS, 11) < self.model.presents

    def scan_wait(self, rows: np.ndarray) -> np.ndarray:
        normals = normal(self.seed, self.index[rows], Purpose.IMAGING, self.week, 10)
        return lognormal_weeks(self.model.scan_wait, normals)

    def emergency_scan_late(self, rows: np.ndarray) -> np.ndarray:
        return self.draw(rows, Purpose.IMAGING, 11) >= self.model.emergency_scan_on_time

    def scan_result(self, rows: np.ndarray) -> np.ndarray:
        """Codes into SCAN_RESULTS."""
        return np.where(self.concordant[rows], 0, np.where(self.incidental[rows], 1, 2))

    def xray_result(self, rows: np.ndarray) -> np.ndarray:
        """Codes into XRAY_RESULTS."""
        return np.where(self.first_xray_visible[rows] <= self.week, 0, 1)

    def specialist_wait(self, rows: np.ndarray) -> np.ndarray:
        normals = normal(self.seed, self.index[rows], Purpose.TREATMENT, self.week, 10)
        return lognormal_weeks(self.model.specialist_wait, normals)

    def has_surgery(self, rows: np.ndarray) -> np.ndarray:
        return ~self.improved[rows] & (self.draw(rows, Purpose.TREATMENT, 11) < self.model.surgery_after_referral)

    def give_epidural(self, rows: np.ndarray) -> None:
        self.relief_from[rows] = self.week
        self.relief_to[rows] = self.week + self.relief_weeks[rows]

    def epidural_response(self, rows: np.ndarray) -> np.ndarray:
        """Codes into EPIDURAL_RESPONSES."""
        frm, to = self.relief_from[rows], self.relief_to[rows]
        none = (frm == NEVER) | (frm == to)
        return np.where(self.improved[rows], 0, np.where(none, 2, np.where(self.week < to, 0, 1)))

    def operate(self, rows: np.ndarray) -> None:
        self.surgery_week[rows] = self.week

    def worsens(self, rows: np.ndarray) -> np.ndarray:
        return self.draw(rows, Purpose.HARM, 10) < self.model.worsening

    def red_flag_names(self) -> np.ndarray:
        """Each patient's red-flag categories by onset, `;`-separated (as the patients table has them)."""
        flagged = np.flatnonzero(self.first_onset < NEVER)
        onset = self.onset[flagged]
        by_onset = np.argsort(onset, axis=1, kind="stable")  # ties in category order, as the reference
        present = np.take_along_axis(onset, by_onset, axis=1) < NEVER
        # One number per ordered list of categories (base 8, 0 for none), so each list is joined once.
        digits = np.where(present, by_onset + 1, 0)
        key = digits @ (8 ** np.arange(len(RED_FLAGS), dtype=np.int64))
        lists, which = np.unique(key, return_inverse=True)
        names = np.array([";".join(RED_FLAGS[d - 1] for d in _digits(k)) for k in lists] or [""], dtype=str)
        out = np.full(self.n, "", dtype=names.dtype)
        out[flagged] = names[which]
        return out


def _digits(key: int) -> list[int]:
    digits = []
    while key:
        key, digit = divmod(int(key), 8)
        digits.append(digit)
    return digits


def _pick(distribution: dict, u: np.ndarray) -> np.ndarray:
    """`history._pick` for many draws at once: the index of the outcome each draw falls in."""
    cumulative = np.array(list(itertools.accumulate(distribution.values())))  # summed in order, as _pick does
    return np.minimum(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1)
