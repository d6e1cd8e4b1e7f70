"""The reference engine: a `transitions.Machine` built from the validated spec.

Semantics (stated once, here and in the README): at a visit the patient's state tries its
transitions in order - red-flag escalations first, then its own by priority - and takes the
first whose guard holds; it keeps going through states that decide at once until it enters a
state that waits for the next visit or a result, or a terminal state. A waiting state whose
transitions all fail keeps the patient (an implicit stay); a deciding state must always decide.
"""

from __future__ import annotations

from typing import Self

from transitions import Machine

from .guards import compile_guard, describe, explain
from .patients import Patient, Visit
from .spec import Imaging, PathwaySpec, Transition, Urgency, Waits
from .trace import Step, Trace, VisitTrace

TRIGGER = "advance"


class FellThrough(RuntimeError):
    """A deciding state had no transition whose guard held: the pathway has a gap."""


class _Course:
    """The Machine's model: one patient's position and the findings of the current visit."""

    def __init__(self) -> None:
        self.env: dict = {}
        self.taken: Transition | None = None


class Engine:
    """Builds one Machine for the spec; each patient is a model added to it for the run."""

    def __init__(self, spec: PathwaySpec):
        self.spec = spec
        exprs = {c.name: c.expr for c in spec.conditions}
        self._exprs = exprs
        self._labels = {c.name: c.label for c in spec.conditions}
        self._holds = {t.id: compile_guard(t.expr, exprs) for t in spec.transitions}
        self._words = {t.id: describe(t.expr, spec.finding, self._labels) for t in spec.transitions}
        self.machine = Machine(
            model=None,
            states=[s.id for s in spec.states],
            initial=spec.initial,
            auto_transitions=False,
            send_event=True,
        )
        for state in spec.states:
            for t in spec.outgoing(state.id):
                self.machine.add_transition(
                    TRIGGER,
                    t.source,
                    None if t.is_stay else t.dest,  # None: an internal stay, no exit or re-entry
                    conditions=[self._condition(t)],
                    after=[self._recorder(t)],
                )

    def _condition(self, t: Transition):
        holds = self._holds[t.id]
        return lambda event: holds(event.model.env)

    @staticmethod
    def _recorder(t: Transition):
        def record(event) -> None:
            event.model.taken = t

        return record

    def start(self, age: int, patient_id: str = "", at: str | None = None) -> CourseRun:
        """Begin one patient's course at the initial state (or resting in state ``at``, to ask
        what a visit from there would do); feed it visits one at a time.

        Close it when done (or use it as a context manager) so the machine drops its model.
        """
        if at is not None and at not in self.spec.state:
            raise ValueError(f"no state `{at}` in {self.spec.name}")
        course = CourseRun(self, age, patient_id)
        if at is not None:
            self.machine.set_state(at, model=course._model)
        return course

    def run(self, patient: Patient) -> Trace:
        with self.start(patient.age, patient.id) as course:
            for visit in patient.visits:
                course.visit(visit.week, visit.findings)
            return course.trace()

    def _visit(self, course: _Course, week: int, env: dict) -> VisitTrace:
        course.env = env
        start = course.state
        steps: list[Step] = []
        note = ""
        while True:
            state = self.spec.state[course.state]
            if state.terminal:
                note = "" if steps else f"the pathway ended at {state.label}; no further decisions"
                break
            course.taken = None
            if not getattr(course, TRIGGER)():
                if state.waits is Waits.DECIDES:
                    raise FellThrough(f"week {week}: no transition from `{state.id}` applies to these findings")
                note = f"no transition applied; stays in {state.label}"
                break
            steps.append(self._step(course.taken, env))
            if course.taken.is_stay or self.spec.state[course.state].waits is not Waits.DECIDES:
                break
        return self._summary(week, start, steps, course.state, note)

    def _step(self, t: Transition, env: dict) -> Step:
        return Step(
            transition=t.id, source=t.source, dest=t.dest, guard=t.text, guard_words=self._words[t.id],
            because=tuple(explain(t.expr, env, self._exprs)), rationale=t.rationale,
            citations=t.citations, escalation=t.escalation, stay=t.is_stay,
        )

    def _summary(self, week: int, start: str, steps: list[Step], resting: str, note: str) -> VisitTrace:
        entered = tuple(s.dest for s in steps if not s.stay)
        states = [self.spec.state[s] for s in entered] or [self.spec.state[resting]]
        ordering = [self.spec.state[s].imaging for s in entered if self.spec.state[s].imaging is not Imaging.NONE]
        return VisitTrace(
            week=week, start=start, steps=tuple(steps), state=resting, entered=entered,
            urgency=max((s.urgency for s in states), key=lambda u: u.rank, default=Urgency.NONE),
            imaging=ordering[-1] if ordering else Imaging.NONE, note=note,
        )


class CourseRun:
    """One patient's course, visit by visit: the incremental form of `Engine.run`.

        with engine.start(age=47) as course:
            course.visit(1, findings)   # every non-input finding answered, defaults filled in
            course.state                # where the patient rests now
            trace = course.trace()
    """

    def __init__(self, engine: Engine, age: int, patient_id: str = "") -> None:
        self.engine = engine
        self.age = age
        self.patient_id = patient_id
        self._model = _Course()
        self._visits: list[VisitTrace] = []
        self._closed = False
        engine.machine.add_model(self._model)  # sets the model at the initial state

    @property
    def state(self) -> str:
        return self._model.state

    def visit(self, week: int, findings: dict) -> VisitTrace:
        """Route one visit; the guards read the findings plus the inputs age and week.

        Raises FellThrough when a deciding state has no transition for these findings (the
        course then rests where it fell: close it).
        """
        if self._closed:
            # A removed model keeps its triggers; refuse rather than run outside the machine.
            raise RuntimeError("this course is closed; start a new one with Engine.start")
        env = Visit(week=week, findings=findings).env(self.age)
        visit = self.engine._visit(self._model, week, env)
        self._visits.append(visit)
        return visit

    def trace(self) -> Trace:
        """The visits so far (a FellThrough visit is not among them)."""
        spec = self.engine.spec
        return Trace(spec.name, spec.version, spec.content_hash, self.age, tuple(self._visits))

    def close(self) -> None:
        """Remove the model from the machine; safe to call more than once."""
        if not self._closed:
            self._closed = True
            self.engine.machine.remove_model(self._model)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
