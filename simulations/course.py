"""One simulated patient's year through the pathway engine, week by week: the reference engine.

Each week, in this order: the natural history moves on; results due this week come in (an urgent
work-up confirms or excludes its red flag; the surgeon gives an opinion); an operation due is
done; the patient is seen if a visit was booked (a review, a result), a red flag not yet seen at
a visit makes them present unannounced, or, discharged with their symptoms back, they return;
an injection due is given (after the visit that checked consent again); a red flag not yet in
urgent care may worsen.

What the pathway does feeds back: the resting state after a visit books the next visit and the
result it waits for (booking.py), its imaging order is counted (a new order, or an amended one
replacing the order it amends), an injection gives short-term relief, surgery speeds recovery
and is recorded at later visits (previous lumbar surgery). A visit to a patient handed over (an
exit) begins a new episode: the engine restarts at the initial state, with their history kept.
"""

from __future__ import annotations

import math

import attrs

from pathway.engine import Engine, FellThrough
from pathway.errors import PatientError
from pathway.patients import checked_findings
from pathway.spec import CareStep, PathwaySpec, Urgency, Waits
from pathway.studies import Order

from .booking import FixedWaits, check_results_known, look_again, red_flag_questions
from .history import NaturalHistory
from .orders import order_table
from .outcome import KINDS, Outcome, PatientRun, SimulationError, VisitRow
from .patient import Patient

__all__ = ["CourseSimulator", "Outcome", "PatientRun", "SimulationError", "VisitRow"]


@attrs.define
class Pending:
    """The result a resting state waits for: due in `week`, for `finding`, from `order`; an urgent
    work-up's also for a red-flag category."""

    week: int
    finding: str
    order: Order
    category: str | None = None


@attrs.frozen
class Counted:
    """The order last counted for where the patient rests: an amendment replaces it."""

    studies: tuple[int, ...]
    unindicated: bool
    late: bool


class CourseSimulator:
    """Runs patients through one engine; build once per pathway and reuse for every patient."""

    def __init__(self, spec: PathwaySpec, history: NaturalHistory, weeks: int):
        self.spec, self.history, self.weeks = spec, history, weeks
        check_results_known(spec)
        self.engine = Engine(spec)
        self.orders = order_table(spec)
        self.red_flag_questions = red_flag_questions(spec)
        self.waits = FixedWaits.of(history.params)

    def run(self, seed: int, index: int) -> PatientRun:
        return _Run(self, self.history.patient(seed, index, self.weeks)).go()


class _Run:
    """The bookkeeping of one patient's run."""

    def __init__(self, sim: CourseSimulator, patient: Patient):
        self.sim, self.spec, self.p = sim, sim.spec, patient
        self.out = Outcome(patient.id, patient.age, "fast" if patient.fast else "slow", patient.mimic.value,
                           ";".join(f.category for f in patient.red_flags),
                           mri_contraindicated=patient.baseline["mri_contraindicated"])
        if patient.red_flags:
            self.out.red_flag_onset_week = patient.red_flags[0].onset
        self.visits: list[VisitRow] = []
        self.taken: set[str] = set()
        self.results: dict[str, str] = {}
        self.next_visit: int | None = 0
        self.pending: Pending | None = None
        self.result_in: int | None = None  # the week the last result came in
        self.injection_week: int | None = None
        self.counted: Counted | None = None
        self.course = sim.engine.start(patient.age, patient.id)

    def go(self) -> PatientRun:
        states, improved = [], []
        try:
            for week in range(self.sim.weeks + 1):
                self.p.advance(week)
                self._result_due(week)
                if week == self.out.surgery_week:
                    self.p.operate()
                reason = self._reason_to_visit(week)
                if reason:
                    self._visit(week, reason)
                self._injection_due(week)
                self._harm()
                states.append(self.course.state)
                improved.append(self.p.feels_improved())
        finally:
            self.course.close()
        self._finish(states, improved)
        return PatientRun(self.out, tuple(self.visits), tuple(states), frozenset(self.taken))

    # -- each week ------------------------------------------------------------------------------------
    def _result_due(self, week: int) -> None:
        pending, p, table = self.pending, self.p, self.sim.orders
        if pending is None or pending.week != week:
            return
        self.pending, self.result_in = None, week
        order = table.code(pending.order)
        if pending.finding == "urgent_result":
            value = p.work_up_result(pending.category)
            self.out.work_ups_confirmed += value == "confirmed"
            self.out.work_ups_excluded += value == "excluded"
            if value == "excluded":  # what the work-up's imaging showed is in hand
                if table.holds_scan[order]:
                    self.results["mri_result"] = p.scan_result()
                if table.holds_xray[order]:
                    self.results["xray_result"] = p.xray_result()
        else:
            value = {"mri_result": p.scan_result, "xray_result": p.xray_result, "epidural_response": p.epidural_response,
                     "specialist_opinion": p.specialist_opinion}[pending.finding]()
            if pending.finding == "mri_result" and table.holds_mri[order]:
                self._mri_done(week)
        self.results[pending.finding] = value

    def _reason_to_visit(self, week: int) -> str:
        state = self.spec.state[self.course.state]
        if self.next_visit == week and not state.terminal:
            return "first" if week == 0 else ("result" if self.result_in == week else "review")
        if self.p.unseen_red_flags() and self.p.presents_with_red_flag():
            # Back with a red flag after a handover: a new episode.
            return "new_episode" if state.terminal else "red_flag"
        if awaits_return(state) and not self.p.improved and self.p.returns():
            return "return"
        return ""

    def _injection_due(self, week: int) -> None:
        if week == self.injection_week:
            self.p.give_epidural()
            self.out.epidurals += 1
            self.injection_week = None

    def _harm(self) -> None:
        if self.p.unattended_red_flags() and self.p.worsens():
            self.out.red_flag_worsened = True
            self.p.worsen()

    # -- a visit ----------------------------------------------------------------------------------------
    def _visit(self, week: int, reason: str) -> None:
        before = self.spec.state[self.course.state]
        recorded = self.p.findings(self.sim.red_flag_questions, week, self.results)
        try:
            findings = checked_findings(recorded, self.spec, f"simulated patient {self.p.id}, week {week}")
        except PatientError as err:
            raise SimulationError(err.problems) from None
        self.out.episodes += reason == "new_episode"
        try:
            visit = self.course.visit(week, findings)
        except FellThrough:
            self.out.fell_through_week = week
            self.next_visit = None
            return
        self.out.visits += 1
        self.out.returns += awaits_return(before)
        if self.out.red_flag_seen_week is None and self.p.showing_red_flags():
            self.out.red_flag_seen_week = week
        if self.out.red_flag_missed_week is None and self.p.hidden_red_flags():
            self.out.red_flag_missed_week = week
        self.taken.update(s.transition for s in visit.steps)
        for state_id in visit.entered:
            self._entered(week, self.spec.state[state_id])
        resting = self.spec.state[visit.state]
        self._ordered(week, visit.imaging, visit.amended, resting, entered=resting.id in visit.entered)
        self._book(week, resting, entered=resting.id in visit.entered, order=visit.imaging)
        self.p.see(urgent_care=visit.urgency >= Urgency.URGENT or resting.urgency >= Urgency.URGENT)
        self.visits.append(VisitRow(
            self.p.id, self.out.episodes, week, reason, visit.start, ">".join(visit.entered),
            " ".join(s.transition for s in visit.steps), visit.state, visit.urgency.value, visit.imaging.id,
        ))

    def _entered(self, week: int, state) -> None:
        out = self.out
        if state.urgency >= Urgency.URGENT and out.urgent_care_week is None:
            out.urgent_care_week = week
        if state.care_step is CareStep.SURGICAL_REFERRAL:
            out.surgical_referral = True
        elif state.care_step is CareStep.ALTERNATIVE_DIAGNOSIS:
            out.rerouted = True
        elif state.care_step is CareStep.DISCHARGED and out.discharged_week is None:
            out.discharged_week = week
        elif state.care_step is CareStep.SPINAL_SURGERY and week + self.sim.waits.surgery_delay <= self.sim.weeks:
            out.surgery_week = week + self.sim.waits.surgery_delay  # handed over to the surgeons: operated after the delay

    def _ordered(self, week: int, order: Order, amended: bool, resting, entered: bool) -> None:
        """Count the visit's order: a new one, or an amended one in place of the order it amends."""
        if not order:
            if entered:
                self.counted = None
            return
        table, p = self.sim.orders, self.p
        code = table.code(order)
        emergency = resting.urgency is Urgency.EMERGENCY
        new = Counted(tuple(table.studies[code].tolist()), not p.indicated(bool(table.xray_only[code])),
                      emergency and bool(table.holds_mri[code]) and p.emergency_scan_late())
        if amended:
            if self.counted is not None:
                self._count(self.counted, -1)
            if self.pending is not None:
                self.pending.order = order
        self._count(new, +1)
        self.counted = new
        if table.holds_mri[code] and resting.awaits != "mri_result":  # an urgent scan: done there and then
            self._mri_done(week + (0 if emergency else self.sim.waits.urgent_mri))

    def _count(self, counted: Counted, sign: int) -> None:
        out = self.out
        for kind, studies in zip(KINDS, counted.studies):
            setattr(out, kind, getattr(out, kind) + sign * studies)
        out.imaging_orders += sign
        out.imaging_without_indication += sign * counted.unindicated
        out.emergency_mri_late += sign * counted.late

    def _book(self, week: int, state, entered: bool, order: Order) -> None:
        """Book the next visit, and the result awaited, from where the patient now rests."""
        if entered or state.terminal or state.waits is Waits.RETURN:
            self.pending = self.injection_week = None  # a result still due for an earlier state is cancelled
        if state.terminal or state.waits is Waits.RETURN:
            self.next_visit = None
        elif state.waits is Waits.VISIT:
            self.next_visit = week + min(self.p.review_after(), state.review_within_weeks or math.inf)
        elif entered and state.waits is Waits.RESULT:  # a new order: visit when its result is in, or sooner to look again
            due = self._order_result(week, state, order)
            self.next_visit = min(due, week + look_again(state.review_within_weeks))
        elif self.next_visit is not None and self.next_visit > week:
            pass  # seen early (a red flag): the booked visit stands
        elif self.pending is not None:
            self.next_visit = min(self.pending.week, week + look_again(state.review_within_weeks))
        else:  # the result is in (or was cancelled) and the patient waits on: look again
            self.next_visit = week + (state.review_within_weeks or 1)

    def _order_result(self, week: int, state, order: Order) -> int:
        """Order the result `state` awaits; the week it is due."""
        waits, p, category = self.sim.waits, self.p, None
        if state.awaits == "mri_result":
            due = week + p.scan_wait()
        elif state.awaits == "xray_result":
            due = week + waits.xray
        elif state.awaits == "epidural_response":
            self.injection_week = week + waits.epidural
            due = self.injection_week + waits.epidural_review
        elif state.awaits == "specialist_opinion":
            due = week + p.specialist_wait()
        else:  # urgent_result
            due = week + (1 if state.urgency is Urgency.EMERGENCY else waits.urgent_result)
            category = p.work_up_category()
            self.out.urgent_work_ups += 1
        self.results.pop(state.awaits, None)  # the result awaited is this order's
        self.pending = Pending(due, state.awaits, order, category)
        return due

    def _mri_done(self, week: int) -> None:
        if self.out.first_mri_week is None or week < self.out.first_mri_week:
            self.out.first_mri_week = week
        self.out.mri_incidental = self.p.incidental_reported

    def _finish(self, states: list[str], improved: list[bool]) -> None:
        out = self.out
        if out.red_flag_onset_week is not None:
            if out.urgent_care_week is None:
                out.red_flag_never_escalated = out.red_flag_seen_week is not None
                out.red_flag_not_seen = out.red_flag_seen_week is None
            else:
                out.escalation_delay_weeks = max(0, out.urgent_care_week - out.red_flag_onset_week)
        out.final_state = states[-1]
        out.weeks_in_pathway = sum(in_care(self.spec.state[s]) for s in states)
        out.first_improved_week = self.p.first_improved
        out.improved = tuple(improved)


def awaits_return(state) -> bool:
    """Rests until the patient comes back (discharged with return criteria); an exit never does."""
    return not state.terminal and state.waits is Waits.RETURN


def in_care(state) -> bool:
    """Under the pathway's care: neither handed over (an exit) nor discharged (waiting for a return)."""
    return not state.terminal and not awaits_return(state)
