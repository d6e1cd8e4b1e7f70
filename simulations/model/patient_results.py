"""What a simulated patient gives the pathway when it asks (mixed into patient.Patient): the
weeks to a review, a scan or a specialist, whether they present or return, the results of scans,
X-rays, opinions and injections, and an operation. Each draw is keyed by the week it is asked in
(the patient's `week`), so it is the same whichever engine asks.
"""

from __future__ import annotations

from .history import SHOWS_ON_XRAY, _pick, lognormal_weeks


class PathwayResults:
    """Mixed into patient.Patient, which sets the draws and the course these read."""

    def review_after(self) -> int:
        """Weeks to the next planned review, booked this week."""
        return int(_pick(self.model.review_after, self._review_draws[self.week]))

    def presents_with_red_flag(self) -> bool:
        return bool(self._present_draws[self.week] < self.model.presents)

    def returns(self) -> bool:
        """Discharged, with the symptoms back: comes back this week."""
        return bool(self._return_draws[self.week] < self.model.returns)

    def scan_wait(self) -> int:
        """Weeks from a routine MRI or CT request this week to its report."""
        return int(lognormal_weeks(self.model.scan_wait, self._scan_wait_normals[self.week:self.week + 1])[0])

    def emergency_scan_late(self) -> bool:
        """An emergency MRI requested this week misses its 4-hour target."""
        return bool(self._scan_late_draws[self.week] >= self.model.emergency_scan_on_time)

    def scan_result(self) -> str:
        if self.concordant:
            return "concordant"
        return "discordant" if self.incidental else "normal"

    def xray_result(self) -> str:
        return "abnormal" if any(f.category in SHOWS_ON_XRAY for f in self.active_red_flags()) else "normal"

    def specialist_wait(self) -> int:
        """Weeks from a routine referral this week to the specialist's appointment."""
        return int(lognormal_weeks(self.model.specialist_wait, self._specialist_normals[self.week:self.week + 1])[0])

    def specialist_opinion(self) -> str:
        """Seen by the specialist this week: surgery for those still not improved who choose it."""
        has_surgery = not self.improved and bool(self._surgery_draws[self.week] < self.model.surgery_after_referral)
        return "surgery" if has_surgery else "no_surgery"

    def give_epidural(self) -> None:
        """An injection this week: short-term relief for some (Pinto 2012), lasting 4-12 weeks."""
        v = self.model.params.value
        relieved, length = self._relief_draws
        weeks = 0
        if relieved < v("treatment.epidural_relief"):
            low, high = v("treatment.epidural_relief_min_weeks"), v("treatment.epidural_relief_max_weeks")
            weeks = round(low + (high - low) * length)
        self.relief = (self.week, self.week + weeks)

    def epidural_response(self) -> str:
        if self.improved:
            return "lasting_relief"
        if self.relief is None or self.relief[0] == self.relief[1]:
            return "no_relief"
        return "lasting_relief" if self.week < self.relief[1] else "temporary_relief"

    def operate(self) -> None:
        self.surgery_week = self.week
