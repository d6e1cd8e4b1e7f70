"""The reference engine: a `transitions.Machine` built from the validated spec.

Semantics (stated here and in docs/reference/states-and-transitions.md): at a visit the patient's
state tries its transitions in order - red-flag escalations first, then its own by priority - and
takes the first whose guard holds; it keeps going through states that decide at once until it
enters a state that waits (for a visit, a result or the patient's return) or an exit. A waiting
state whose transitions all fail keeps the patient (an implicit stay); a deciding state must
always decide. An exit is a handover: a later visit begins a new episode at the initial state.

The state the patient rests in after the visit orders its imaging purpose, with the imaging
rules applied to this visit's findings: a new order when the state was entered at this visit,
an amended one when the findings now call for other studies than the order already made.
The visit's urgency is that of the most urgent state entered at it (none if it entered none).
"""

from __future__ import annotations

from typing import Self

import attrs
from transitions import Machine

from .guards import compile_guard, describe, explain
from .patients import Patient, Visit
from .spec import PathwaySpec, Transition, Urgency, Waits
from .studies import NO_ORDER, Order, apply_rules
from .trace import Step, Trace, VisitTrace

TRIGGER = "advance"


class FellThrough(RuntimeError):
    """A deciding state had no transition whose guard held: the pathway has a gap."""


class _Course:
    """The Machine's model: one patient's position and the findings of the current visit."""

    def __init__(self) -> None:
        self.env: dict = {}
        self.taken: Transition | None = None
        self.pending: Order = NO_ORDER  # the imaging ordered and not yet resulted


class Engine:
    """Builds one Machine for the spec; each patient is a model added to it for the run."""

    def __init__(self, spec: PathwaySpec):
        self.spec = spec
        exprs = {c.name: c.expr for c in spec.conditions}
        self._exprs = exprs
        self._labels = {c.name: c.label for c in spec.conditions}
        self._holds = {t.id: compile_guard(t.expr, exprs) for t in spec.transitions}
        self._rule_holds = {r.id: compile_guard(r.expr, exprs) for r in spec.imaging_rules}
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
        """Route every visit of the patient, in order; raises FellThrough if a deciding state has no way on."""
        with self.start(patient.age, patient.id) as course:
            for visit in patient.visits:
                course.visit(visit.week, visit.findings)
            return course.trace()

    def _visit(self, course: _Course, week: int, env: dict) -> VisitTrace:
        course.env = env
        handed_over = self.spec.state[course.state]
        if handed_over.terminal:  # seen again after a handover: a new episode, history kept
            self.machine.set_state(self.spec.initial, model=course)
            course.pending = NO_ORDER
        start = course.state
        steps: list[Step] = []
        note = f"a new episode (before it: {handed_over.label})" if handed_over.terminal else ""
        while True:
            state = self.spec.state[course.state]
            if state.terminal:
                break
            course.taken = None
            # (A state with no transitions at all has no trigger in the machine: nothing applies.)
            if not self.spec.outgoing(state.id) or not getattr(course, TRIGGER)():
                if state.waits is Waits.DECIDES:
                    raise FellThrough(f"week {week}: no transition from `{state.id}` applies to these findings")
                note = f"no transition applied; stays in {state.label}"
                break
            steps.append(self._step(course.taken, env))
            if course.taken.is_stay or self.spec.state[course.state].waits is not Waits.DECIDES:
                break
        visit = self._summary(week, start, steps, course.state, note)
        return self._ordered(course, visit, env, new_episode=handed_over.terminal)

    def order(self, state_id: str, env: dict) -> tuple[Order, tuple[str, ...]]:
        """What a state orders for these findings, and the imaging rules that shaped it."""
        state = self.spec.state[state_id]
        if state.purpose is None:
            return NO_ORDER, ()
        return apply_rules(self.spec.purpose[state.purpose], self.spec.imaging_rules,
                           lambda rule: self._rule_holds[rule.id](env))

    def _ordered(self, course: _Course, visit: VisitTrace, env: dict, new_episode: bool) -> VisitTrace:
        """The visit with its imaging: a new order on entering the resting state, an amended one
        when the findings now call for other studies than those pending, else nothing new."""
        order, rules = self.order(visit.state, env)
        entered = visit.state in visit.entered
        amended = bool(order) and not entered and order != course.pending
        course.pending = order
        if not (entered or amended):
            order, rules = NO_ORDER, ()
        return attrs.evolve(visit, imaging=order, imaging_rules=rules, amended=amended, new_episode=new_episode)

    def _step(self, t: Transition, env: dict) -> Step:
        return Step(
            transition=t.id, source=t.source, dest=t.dest, guard=t.text, guard_words=self._words[t.id],
            because=tuple(explain(t.expr, env, self._exprs)), rationale=t.rationale,
            citations=t.citations, escalation=t.escalation, stay=t.is_stay,
        )

    def _summary(self, week: int, start: str, steps: list[Step], resting: str, note: str) -> VisitTrace:
        entered = tuple(s.dest for s in steps if not s.stay)
        return VisitTrace(
            week=week, start=start, steps=tuple(steps), state=resting, entered=entered,
            urgency=max((self.spec.state[s].urgency for s in entered), default=Urgency.NONE), note=note,
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

    @property
    def pending(self):
        """The imaging ordered and not yet resulted (the resting state's order, kept to the findings)."""
        return self._model.pending

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
