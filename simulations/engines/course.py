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

import attrs

from pathway.engine import Engine, FellThrough
from pathway.errors import PatientError
from pathway.patients import checked_findings
from pathway.spec import CareStep, PathwaySpec, Urgency, Waits
from pathway.studies import Order

from ..capacity.queues import OPERATION, RESULT, Queues
from ..capacity.routing import result_routes
from ..model.history import NaturalHistory
from ..model.patient import Patient
from .booking import PRODUCED, FixedWaits, check_results_known, red_flag_questions
from .course_bookings import Bookings, Pending
from .orders import order_table
from .outcome import KINDS, Outcome, PatientRun, SimulationError, VisitRow

__all__ = ["CourseSimulator", "Outcome", "PatientRun", "Pending", "SimulationError", "VisitRow"]


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
        self.routes = result_routes(self.orders)
        self.result_kind = {name: j for j, name in enumerate(PRODUCED)}

    def run(self, seed: int, index: int) -> PatientRun:
        return _Run(self, self.history.patient(seed, index, self.weeks)).go()

    def run_catchment(self, seed: int, first: int, last: int, queues: Queues) -> list[PatientRun]:
        """Patients first .. last - 1, one catchment sharing `queues`: in lockstep, week by week
        (every patient's week, then the queues serve the week's slots)."""
        runs = [_Run(self, self.history.patient(seed, i, self.weeks), queues, i) for i in range(first, last)]

        def valid(what: int, patient: int, entry: int) -> bool:
            return runs[patient - first].queued[what] == entry

        try:
            for week in range(self.weeks + 1):
                for run in runs:
                    run.step(week)
                for what, patient, _, served_week, due in queues.serve(week, valid):
                    runs[patient - first].served(what, served_week, due)
        finally:
            for run in runs:
                run.course.close()
        return [run.finish() for run in runs]


class _Run(Bookings):
    """The bookkeeping of one patient's run (its bookings: course_bookings.Bookings)."""

    def __init__(self, sim: CourseSimulator, patient: Patient, queues: Queues | None = None, index: int = 0):
        self.sim, self.spec, self.p = sim, sim.spec, patient
        self.queues, self.index = queues, index
        self.queued: dict[int, int | None] = {RESULT: None, OPERATION: None}  # entry ids of orders in a queue
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
        self.states: list[str] = []
        self.improved: list[bool] = []

    def go(self) -> PatientRun:
        try:
            for week in range(self.sim.weeks + 1):
                self.step(week)
        finally:
            self.course.close()
        return self.finish()

    def step(self, week: int) -> None:
        """One week of the patient's run."""
        self.p.advance(week)
        self._result_due(week)
        if week == self.out.surgery_week:
            self.p.operate()
        reason = self._reason_to_visit(week)
        if reason:
            self._visit(week, reason)
        self._injection_due(week)
        self._harm()
        self.states.append(self.course.state)
        self.improved.append(self.p.feels_improved())

    def finish(self) -> PatientRun:
        self._finish(self.states, self.improved)
        return PatientRun(self.out, tuple(self.visits), tuple(self.states), frozenset(self.taken))

    # -- each week ------------------------------------------------------------------------------------
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
        elif state.care_step is CareStep.SPINAL_SURGERY:
            self._operate_after(week, self.sim.waits.surgery_delay)

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
                      emergency and bool(table.holds_mri[code]) and self.queues is None and p.emergency_scan_late())
        if amended:
            if self.counted is not None:
                self._count(self.counted, -1)
            if self.pending is not None:
                self.pending.order = order
        self._count(new, +1)
        self.counted = new
        queued = self.queues is not None and resting.awaits == "urgent_result"  # done when its slot comes
        if table.holds_mri[code] and resting.awaits != "mri_result" and not queued:  # an urgent scan: done there and then
            self._mri_done(week + (0 if emergency else self.sim.waits.urgent_mri))

    def _count(self, counted: Counted, sign: int) -> None:
        out = self.out
        for kind, studies in zip(KINDS, counted.studies):
            setattr(out, kind, getattr(out, kind) + sign * studies)
        out.imaging_orders += sign
        out.imaging_without_indication += sign * counted.unindicated
        out.emergency_mri_late += sign * counted.late

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
