"""One simulated patient's year through the pathway engine, week by week.

Each week the natural history moves on; the patient is seen when the pathway booked a visit
(a review within its `review_within_weeks`, or when an ordered result is ready) or when a red
flag makes them present unannounced. What the pathway does feeds back: an injection gives
short-term relief, surgery speeds recovery, and a red flag left unescalated may worsen.
A patient whose pathway has ended (discharged, referred, re-routed) and who then develops a
red flag presents again, as a new episode from the start of the pathway.
"""

from __future__ import annotations

import math

import attrs

from pathway.engine import Engine, FellThrough
from pathway.errors import PatientError, PathwayError
from pathway.patients import checked_findings
from pathway.spec import CareStep, Imaging, PathwaySpec, Urgency, Waits

from .history import NaturalHistory, Patient

SCANS = (Imaging.MRI, Imaging.MRI_WITH_CONTRAST, Imaging.CT)
MRIS = (Imaging.MRI, Imaging.MRI_WITH_CONTRAST)
IMAGING_TYPES = tuple(i for i in Imaging if i is not Imaging.NONE)


class SimulationError(PathwayError):
    """The pathway and the natural history do not fit together (e.g. a finding the model records
    that the pathway does not know): every problem, named."""


@attrs.define
class Outcome:
    """One patient's row in the patients table: who they were and what happened."""

    id: str
    age: int
    recovery: str  # fast | slow natural course
    mimic: str
    red_flags: str  # categories, `;`-separated, by onset
    red_flag_onset_week: int | None = None
    red_flag_seen_week: int | None = None  # first visit with a red flag showing
    urgent_care_week: int | None = None  # first week in an urgent or emergency state
    escalation_delay_weeks: int | None = None  # red-flag onset to urgent care
    red_flag_never_escalated: bool = False  # seen at a visit, yet never reached urgent care
    red_flag_not_seen: bool = False  # no visit between its onset and the end of follow-up
    red_flag_worsened: bool = False
    xray: int = 0
    mri: int = 0
    mri_with_contrast: int = 0
    ct: int = 0
    imaging_without_indication: int = 0
    emergency_mri_late: int = 0  # emergency MRIs that missed the 4-hour target
    first_mri_week: int | None = None
    mri_incidental: bool = False  # the MRI report lists a finding common in people without pain
    epidurals: int = 0
    surgical_referral: bool = False
    surgery_week: int | None = None
    rerouted: bool = False
    discharged_week: int | None = None
    final_state: str = ""
    weeks_in_pathway: int = 0
    episodes: int = 1
    visits: int = 0
    fell_through_week: int | None = None  # the pathway had no transition for this patient
    first_improved_week: int | None = None
    improved: tuple[bool, ...] = ()  # improved at each week 0..weeks


@attrs.frozen
class VisitRow:
    patient: str
    episode: int
    week: int
    reason: str  # first | review | result | red_flag | new_episode
    start: str
    path: str  # states entered, `>`-separated
    transitions: str  # transition ids, space-separated
    state: str
    urgency: str
    imaging: str


@attrs.frozen
class PatientRun:
    outcome: Outcome
    visits: tuple[VisitRow, ...]
    states: tuple[str, ...]  # resting state at the end of each week 0..weeks
    transitions: frozenset[str]  # transition ids this patient took at least once


@attrs.frozen
class FixedWaits:
    """The waits the simulator books that are the same for everyone, in whole weeks."""

    xray: int
    urgent_mri: int
    epidural: int  # from booking to the injection
    epidural_review: int  # from the injection to reviewing its response
    surgery_delay: int  # from the specialist's decision to the operation

    @classmethod
    def of(cls, params) -> FixedWaits:
        v = params.value
        return cls(
            xray=_weeks(v("waits.xray_weeks")), urgent_mri=_weeks(v("waits.urgent_mri_weeks"), at_least=0),
            epidural=_weeks(v("waits.epidural_weeks")), epidural_review=_weeks(v("waits.epidural_review_weeks")),
            surgery_delay=_weeks(v("treatment.surgery_delay_weeks")),
        )


def red_flag_questions(spec: PathwaySpec) -> tuple[str, ...]:
    """The red-flag questions asked at every visit (answered no unless a red flag shows)."""
    return tuple(f.name for f in spec.findings if f.red_flag and not f.is_input)


class CourseSimulator:
    """Runs patients through one engine; build once per pathway and reuse for every patient."""

    def __init__(self, spec: PathwaySpec, history: NaturalHistory, weeks: int):
        self.spec, self.history, self.weeks = spec, history, weeks
        _check_results_known(spec)
        self.engine = Engine(spec)
        self.red_flag_questions = red_flag_questions(spec)
        self.waits = FixedWaits.of(history.params)

    def run(self, seed: int, index: int) -> PatientRun:
        return _Run(self, self.history.patient(seed, index, self.weeks)).go()


class _Run:
    """The bookkeeping of one patient's run."""

    def __init__(self, sim: CourseSimulator, patient: Patient):
        self.sim, self.spec, self.p = sim, sim.spec, patient
        self.out = Outcome(patient.id, patient.age, "fast" if patient.fast else "slow", patient.mimic.value,
                           ";".join(f.category for f in patient.red_flags))
        if patient.red_flags:
            self.out.red_flag_onset_week = patient.red_flags[0].onset
        self.visits: list[VisitRow] = []
        self.taken: set[str] = set()
        self.results: dict[str, str] = {}
        self.next_visit: int | None = 0
        self.ready: dict[int, tuple[str, Imaging]] = {}  # week -> (finding, imaging) of a result due then
        self.injection_week: int | None = None
        self.specialist_week: int | None = None
        self.course = sim.engine.start(patient.age, patient.id)

    def go(self) -> PatientRun:
        states, improved = [], []
        try:
            for week in range(self.sim.weeks + 1):
                self.p.advance(week)
                self._treatment_due(week)
                reason = self._reason_to_visit(week)
                if reason == "new_episode":
                    self._new_episode()
                if reason:
                    self._visit(week, reason)
                self._harm(week)
                states.append(self.course.state)
                improved.append(self.p.feels_improved())
        finally:
            self.course.close()
        self._finish(states, improved)
        return PatientRun(self.out, tuple(self.visits), tuple(states), frozenset(self.taken))

    # -- each week ------------------------------------------------------------------------------------
    def _treatment_due(self, week: int) -> None:
        if week == self.injection_week:
            self.p.give_epidural()
        if week == self.specialist_week and self.p.has_surgery() and week + self.sim.waits.surgery_delay <= self.sim.weeks:
            self.out.surgery_week = week + self.sim.waits.surgery_delay
        if week == self.out.surgery_week:
            self.p.operate()
        if week in self.ready:
            name, imaging = self.ready.pop(week)
            self.results[name] = {"mri_result": self.p.scan_result, "xray_result": self.p.xray_result,
                                  "epidural_response": self.p.epidural_response}[name]()
            if imaging in MRIS:
                self._mri_done(week)

    def _reason_to_visit(self, week: int) -> str:
        state = self.spec.state[self.course.state]
        unescalated = self.out.urgent_care_week is None and self.p.active_red_flags()
        if self.next_visit == week and not state.terminal:
            return "first" if week == 0 else ("result" if state.waits is Waits.RESULT else "review")
        if not unescalated or not self.p.presents_with_red_flag():
            return ""
        # Back with a red flag after leaving the pathway (discharged, referred, re-routed): a new episode.
        return "red_flag" if not state.terminal else "new_episode"

    def _new_episode(self) -> None:
        self.course.close()
        self.course = self.sim.engine.start(self.p.age, self.p.id)
        self.out.episodes += 1

    def _visit(self, week: int, reason: str) -> None:
        start = self.course.state
        recorded = self.p.findings(self.sim.red_flag_questions, week, self.results)
        try:
            findings = checked_findings(recorded, self.spec, f"simulated patient {self.p.id}, week {week}")
        except PatientError as err:
            raise SimulationError(err.problems) from None
        try:
            visit = self.course.visit(week, findings)
        except FellThrough:
            self.out.fell_through_week = week
            self.next_visit = None
            return
        self.out.visits += 1
        if self.out.red_flag_seen_week is None and self.p.active_red_flags():
            self.out.red_flag_seen_week = week
        self.taken.update(s.transition for s in visit.steps)
        for state_id in visit.entered:
            self._entered(week, self.spec.state[state_id])
        self._book(week, visit.entered)
        self.visits.append(VisitRow(
            self.p.id, self.out.episodes, week, reason, start, ">".join(visit.entered),
            " ".join(s.transition for s in visit.steps), visit.state, visit.urgency.value, visit.imaging.value,
        ))

    def _entered(self, week: int, state) -> None:
        out = self.out
        if state.imaging is not Imaging.NONE:
            setattr(out, state.imaging.value, getattr(out, state.imaging.value) + 1)
            out.imaging_without_indication += not self.p.needs_imaging(state.imaging.value)
            if state.imaging in MRIS and state.terminal:  # handed over: scanned there and then
                emergency = state.urgency is Urgency.EMERGENCY
                out.emergency_mri_late += emergency and self.p.emergency_scan_late()
                self._mri_done(week + (0 if emergency else self.sim.waits.urgent_mri))
        if state.urgency >= Urgency.URGENT and out.urgent_care_week is None:
            out.urgent_care_week = week
        if state.care_step is CareStep.SURGICAL_REFERRAL:
            out.surgical_referral = True
            self.specialist_week = week + self.p.specialist_wait()
        elif state.care_step is CareStep.ALTERNATIVE_DIAGNOSIS:
            out.rerouted = True
        elif state.care_step is CareStep.DISCHARGED and out.discharged_week is None:
            out.discharged_week = week
        elif state.care_step is CareStep.EPIDURAL_INJECTION:
            out.epidurals += 1

    def _book(self, week: int, entered: tuple[str, ...]) -> None:
        """Book the next visit from where the patient now rests."""
        state = self.spec.state[self.course.state]
        if state.terminal:
            self.next_visit = None
        elif state.waits is Waits.VISIT:
            self.next_visit = week + min(self.p.review_after(), state.review_within_weeks or math.inf)
        elif state.id in entered:  # a new order: visit when its result is in
            if state.imaging in SCANS:
                self.next_visit = week + self.p.scan_wait()
                self.ready[self.next_visit] = ("mri_result", state.imaging)
            elif state.imaging is Imaging.XRAY:
                self.next_visit = week + self.sim.waits.xray
                self.ready[self.next_visit] = ("xray_result", state.imaging)
            else:  # an injection: given after its wait, response reviewed after that
                self.injection_week = week + self.sim.waits.epidural
                self.next_visit = self.injection_week + self.sim.waits.epidural_review
                self.ready[self.next_visit] = ("epidural_response", Imaging.NONE)
        elif self.next_visit is None or self.next_visit <= week:
            # Seen while waiting and the result is not in (it cannot be here): look again at the
            # longest wait the state allows. Seen early (a red flag), the booked visit stands.
            self.next_visit = week + (state.review_within_weeks or 1)

    def _mri_done(self, week: int) -> None:
        if self.out.first_mri_week is None or week < self.out.first_mri_week:
            self.out.first_mri_week = week
        self.out.mri_incidental = self.p.incidental_reported

    def _harm(self, week: int) -> None:
        if self.out.urgent_care_week is None and self.p.active_red_flags() and self.p.worsens():
            self.out.red_flag_worsened = True

    def _finish(self, states: list[str], improved: list[bool]) -> None:
        out = self.out
        if out.red_flag_onset_week is not None:
            if out.urgent_care_week is None:
                out.red_flag_never_escalated = out.red_flag_seen_week is not None
                out.red_flag_not_seen = out.red_flag_seen_week is None
            else:
                out.escalation_delay_weeks = max(0, out.urgent_care_week - out.red_flag_onset_week)
        out.final_state = states[-1]
        out.weeks_in_pathway = sum(not self.spec.state[s].terminal for s in states)
        out.first_improved_week = self.p.first_improved
        out.improved = tuple(improved)


def _check_results_known(spec: PathwaySpec) -> None:
    """Every state that waits for a result must wait for one the natural history produces."""
    unknown = [
        f"{s.line}: state `{s.id}` waits for a result, but the simulator only produces scan reports "
        "(imaging mri, mri_with_contrast or ct), X-ray reports (imaging xray) and injection responses "
        "(care_step epidural_injection)"
        for s in spec.states
        if s.waits is Waits.RESULT and s.imaging not in (*SCANS, Imaging.XRAY)
        and s.care_step is not CareStep.EPIDURAL_INJECTION
    ]
    if unknown:
        raise SimulationError(unknown)


def _weeks(value: float, at_least: int = 1) -> int:
    return max(at_least, math.ceil(value))
