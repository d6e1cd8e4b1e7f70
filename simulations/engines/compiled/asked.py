"""What the pathway asks of a block of patients' natural history (`patient.Patient`'s draws that
depend on what the pathway does, each keyed by the week it is asked in, and the results it
reads): waits, scan and X-ray results, the surgeon's opinion, an injection's relief and response.
Mixed into compiled.history.CohortHistory."""

from __future__ import annotations

import numpy as np

import itertools

from ...model.draws import Purpose, as_normal
from ...model.history import lognormal_weeks
from ..booking import PRODUCED
from .red_flags import NEVER

SCANNED, EXPLAINS, INCIDENTAL, REPORTED = 1, 2, 4, 8  # the bits of CohortHistory.scan
# Results as codes into booking.PRODUCED's words, by the finding that holds them.
SCAN = {w: j for j, w in enumerate(PRODUCED["mri_result"])}
EPIDURAL = {w: j for j, w in enumerate(PRODUCED["epidural_response"])}


class Asked:
    def _scans(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What these patients' spine scans show: a herniation that explains the pain, an incidental
        finding that imitates one, an incidental finding the report lists (drawn once a patient's
        first scan asks, then kept)."""
        new = rows[self.scan[rows] == 0]
        if new.size:
            v = self.model.params.value
            concordant, protrusion, slip, bulge, degeneration = self._at_start(Purpose.IMAGING, 5, new).T
            explains = self.nerve_root[new] & (concordant < v("imaging.concordant_herniation"))
            incidental = (protrusion < self._table("imaging.disc_protrusion_by_age", rows=new)) | (
                slip < self._table("imaging.spondylolisthesis_by_age", rows=new))
            reported = incidental | (bulge < self._table("imaging.disc_bulge_by_age", rows=new)) | (
                degeneration < self._table("imaging.disc_degeneration_by_age", rows=new))
            self.scan[new] = SCANNED | explains * EXPLAINS | incidental * INCIDENTAL | reported * REPORTED
        scan = self.scan[rows]
        return (scan & EXPLAINS) > 0, (scan & INCIDENTAL) > 0, (scan & REPORTED) > 0

    def incidental_reported(self, rows: np.ndarray) -> np.ndarray:
        return self._scans(rows)[2]

    def _relief_weeks(self, rows: np.ndarray) -> np.ndarray:
        """How long an epidural relieves these patients (0: not at all)."""
        v = self.model.params.value
        relieved, length = self._at_start(Purpose.TREATMENT, 2, rows).T
        lo, hi = v("treatment.epidural_relief_min_weeks"), v("treatment.epidural_relief_max_weeks")
        return np.where(relieved < v("treatment.epidural_relief"), np.round(lo + (hi - lo) * length), 0).astype(np.int64)


    # -- draws that depend on what the pathway does (keyed by this week) ------------------------------
    def review_after(self, rows: np.ndarray) -> np.ndarray:
        weeks = np.array(list(self.model.review_after), dtype=np.int64)
        return weeks[pick(self.model.review_after, self.draw(rows, Purpose.VISITS, 10))]

    def presents_with_red_flag(self, rows: np.ndarray) -> np.ndarray:
        return self.below(rows, Purpose.VISITS, 11, self.model.presents)

    def returns(self, rows: np.ndarray) -> np.ndarray:
        return self.below(rows, Purpose.VISITS, 12, self.model.returns)

    def scan_wait(self, rows: np.ndarray) -> np.ndarray:
        return lognormal_weeks(self.model.scan_wait, as_normal(self._hashes(rows, Purpose.IMAGING, 10)))

    def emergency_scan_late(self, rows: np.ndarray) -> np.ndarray:
        return ~self.below(rows, Purpose.IMAGING, 11, self.model.emergency_scan_on_time)

    def scan_result(self, rows: np.ndarray) -> np.ndarray:
        """Codes into PRODUCED["mri_result"]."""
        explains, incidental, _ = self._scans(rows)
        return np.where(explains, SCAN["concordant"], np.where(incidental, SCAN["discordant"], SCAN["normal"]))

    def xray_result(self, rows: np.ndarray) -> np.ndarray:
        """Codes into PRODUCED["xray_result"]: abnormal 0, normal 1."""
        return np.where(self.flags.xray_abnormal(rows, self.week), 0, 1)

    def specialist_wait(self, rows: np.ndarray) -> np.ndarray:
        return lognormal_weeks(self.model.specialist_wait, as_normal(self._hashes(rows, Purpose.TREATMENT, 10)))

    def specialist_opinion(self, rows: np.ndarray) -> np.ndarray:
        """Codes into PRODUCED["specialist_opinion"]: surgery 0, no_surgery 1."""
        surgery = ~self.improved[rows] & self.below(rows, Purpose.TREATMENT, 11, self.model.surgery_after_referral)
        return np.where(surgery, 0, 1)

    def give_epidural(self, rows: np.ndarray) -> None:
        self.relief_from[rows] = self.week
        self.relief_to[rows] = self.week + self._relief_weeks(rows)
        if rows.size:
            self.relieved = np.concatenate([self.relieved, rows])

    def epidural_response(self, rows: np.ndarray) -> np.ndarray:
        """Codes into PRODUCED["epidural_response"]."""
        frm, to = self.relief_from[rows], self.relief_to[rows]
        none = (frm == NEVER) | (frm == to)
        lasting, temporary, no = EPIDURAL["lasting_relief"], EPIDURAL["temporary_relief"], EPIDURAL["no_relief"]
        return np.where(self.improved[rows], lasting, np.where(none, no, np.where(self.week < to, lasting, temporary)))

    def operate(self, rows: np.ndarray) -> None:
        """Operated on this week: recovery speeds up from next week, for good (Patient.advance
        compares the week with the latest operation's, which only moves later)."""
        self.speed[rows] |= 2
        self.course[rows] |= 2
        self.operated[rows] = self.week

    def worsens(self, rows: np.ndarray) -> np.ndarray:
        return self.below(rows, Purpose.HARM, 10, self.model.worsening)


def pick(distribution: dict, u: np.ndarray) -> np.ndarray:
    """`history._pick` for many draws at once: the index of the outcome each draw falls in."""
    cumulative = np.array(list(itertools.accumulate(distribution.values())))  # summed in order, as _pick does
    return np.minimum(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1)
