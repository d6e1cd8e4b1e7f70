"""The compiled cohort engine: `course.CourseSimulator` for a whole block of patients at once.

Each week every patient's natural history moves on together, and every visit of the week is
routed together through the compiled pathway (routing.py). The bookkeeping is course._Run's,
line for line, on arrays: treatment due, the reason to visit, a new episode, the visit (findings
exactly as the reference records them, the states entered, the booking of the next visit or
result), harm. The differential tests hold the two engines to identical per-patient traces.
"""

from __future__ import annotations

import numpy as np

from pathway.errors import PatientError
from pathway.guards import names_in
from pathway.patients import checked_findings
from pathway.spec import CareStep, Imaging, PathwaySpec, Waits

from ..chunk import IMAGINGS, NONE, PATIENT_FIELDS, REASONS, URGENCIES, VISIT_FIELDS, Chunk
from ..course import FixedWaits, SimulationError, _check_results_known, red_flag_questions
from ..history import RED_FLAG_FINDINGS, NaturalHistory
from .history import EPIDURAL_RESPONSES, MIMICS, NEVER, SCAN_RESULTS, XRAY_RESULTS, CohortHistory
from .routing import Router

# The results the simulator records, by the finding that holds them: their words, by code.
RESULTS = {"mri_result": SCAN_RESULTS, "xray_result": XRAY_RESULTS, "epidural_response": EPIDURAL_RESPONSES}
MRI_RESULT, XRAY_RESULT, EPIDURAL_RESPONSE = range(3)  # codes of the results, in RESULTS order
SCANS = tuple(IMAGINGS.index(i.value) for i in (Imaging.MRI, Imaging.MRI_WITH_CONTRAST, Imaging.CT))
MRIS = SCANS[:2]
XRAY, NO_IMAGING = IMAGINGS.index("xray"), IMAGINGS.index("none")
URGENT, EMERGENCY = URGENCIES.index("urgent"), URGENCIES.index("emergency")
REASON = {name: code for code, name in enumerate(REASONS)}
COUNTED = ("xray", "mri", "mri_with_contrast", "ct")  # imaging counted per patient, by IMAGINGS name


class CompiledSimulator:
    """Build once per pathway and parameters; `run(seed, first, last)` gives a chunk."""

    def __init__(self, spec: PathwaySpec, history: NaturalHistory, weeks: int):
        self.spec, self.history, self.weeks = spec, history, weeks
        _check_results_known(spec)
        self.questions = red_flag_questions(spec)
        _check_findings(spec, history, weeks, self.questions)
        self.words = {f.name: f.values for f in spec.findings if f.type == "enum"}
        self.router = Router(spec, self.words)
        self.waits = FixedWaits.of(history.params)
        states = spec.states
        self.initial = [s.id for s in states].index(spec.initial)
        self.terminal = np.array([s.terminal for s in states])
        self.waits_for = np.array([s.waits is Waits.RESULT for s in states])
        self.rests_to_visit = np.array([s.waits is Waits.VISIT for s in states])
        self.imaging = np.array([IMAGINGS.index(s.imaging.value) for s in states])
        self.is_mri = np.isin(np.arange(len(IMAGINGS)), MRIS)  # by imaging code
        self.is_scan = np.isin(np.arange(len(IMAGINGS)), SCANS)
        self.urgency = np.array([URGENCIES.index(s.urgency.value) for s in states])
        self.care_step = np.array([s.care_step.value for s in states])
        # `review_within_weeks or inf` and `or 1`, as course._Run._book has them (0 counts as unset).
        self.review_cap = np.array([s.review_within_weeks or NEVER for s in states], dtype=np.int64)
        self.look_again = np.array([s.review_within_weeks or 1 for s in states], dtype=np.int64)
        # The columns guards read (age and week always: a batch's length when no guard reads any).
        self.names = sorted({"age", "week"} | {n for t in spec.transitions for n in names_in(spec.spelled_out(t.expr))})
        # Unrecorded findings take their defaults; enums as codes, like every enum column.
        self.defaults = {f.name: f.values.index(f.default) if f.type == "enum" and f.default is not None else f.default
                         for f in spec.findings if not f.is_input}
        # A recorded result (RESULTS code) as the pathway's code for it.
        self.result_codes = {name: np.array([self.words[name].index(w) for w in words]) for name, words in RESULTS.items()
                             if name in self.words}

    def run(self, seed: int, first: int, last: int) -> Chunk:
        return _Block(self, CohortHistory(self.history, seed, first, last, self.weeks, self.words)).go()


class _Block:
    """The bookkeeping of one block of patients: course._Run with a row per patient."""

    def __init__(self, sim: CompiledSimulator, history: CohortHistory):
        self.sim, self.h = sim, history
        n, span = history.n, sim.weeks + 1
        self.state = np.full(n, sim.initial, dtype=np.int64)
        self.episodes = np.ones(n, dtype=np.int64)
        self.next_visit = np.zeros(n, dtype=np.int64)  # NONE: no visit booked
        self.injection_week = np.full(n, NEVER, dtype=np.int64)
        self.specialist_week = np.full(n, NEVER, dtype=np.int64)
        self.ready = np.full((n, span), NONE, dtype=np.int8)  # result due that week (RESULTS code)
        self.ready_imaging = np.zeros((n, span), dtype=np.int8)
        self.results = np.full((len(RESULTS), n), NONE, dtype=np.int64)  # last result of each kind
        counts = ("visits", "imaging_without_indication", "emergency_mri_late", "epidurals", *COUNTED)
        weeks = ("red_flag_seen_week", "urgent_care_week", "first_mri_week", "surgery_week", "discharged_week",
                 "fell_through_week")
        flags = ("red_flag_worsened", "mri_incidental", "surgical_referral", "rerouted")
        self.out = {
            **{k: np.zeros(n, dtype=np.int64) for k in counts},
            **{k: np.full(n, NONE, dtype=np.int64) for k in weeks},
            **{k: np.zeros(n, dtype=bool) for k in flags},
        }
        # Week-major while running (each week writes one contiguous row), patient-major in the chunk.
        self.states = np.zeros((span, n), dtype=np.int16)
        self.improved = np.zeros((span, n), dtype=bool)
        self.weeks_in_pathway = np.zeros(n, dtype=np.int64)
        self.visits: list[dict[str, np.ndarray]] = []
        self.steps: list[tuple[np.ndarray, np.ndarray]] = []  # (visit, transition), by week then position
        self.visit_count = 0

    def go(self) -> Chunk:
        for week in range(self.sim.weeks + 1):
            self.h.advance(week)
            self._treatment_due(week)
            rows, reasons = self._reasons_to_visit(week)
            self._visit(week, rows, reasons)
            self._harm()
            self.states[week] = self.state
            self.improved[week] = self.h.feels_improved()
            self.weeks_in_pathway += ~self.sim.terminal[self.state]
        return self._finish()

    # -- each week --------------------------------------------------------------------------------
    def _treatment_due(self, week: int) -> None:
        h, out, delay = self.h, self.out, self.sim.waits.surgery_delay
        self.h.give_epidural(np.flatnonzero(self.injection_week == week))
        seen = np.flatnonzero(self.specialist_week == week)
        if week + delay <= self.sim.weeks:
            out["surgery_week"][seen[h.has_surgery(seen)]] = week + delay
        h.operate(np.flatnonzero(out["surgery_week"] == week))
        due = np.flatnonzero(self.ready[:, week] != NONE)
        kind = self.ready[due, week]
        for code, result in ((MRI_RESULT, h.scan_result), (XRAY_RESULT, h.xray_result),
                             (EPIDURAL_RESPONSE, h.epidural_response)):
            rows = due[kind == code]
            self.results[code, rows] = result(rows)
        self._mri_done(due[self.sim.is_mri[self.ready_imaging[due, week]]], week)

    def _reasons_to_visit(self, week: int) -> tuple[np.ndarray, np.ndarray]:
        terminal = self.sim.terminal[self.state]
        due = (self.next_visit == week) & ~terminal
        reason = np.full(self.h.n, NONE, dtype=np.int64)
        if week == 0:
            reason[due] = REASON["first"]
        else:
            reason[due] = np.where(self.sim.waits_for[self.state[due]], REASON["result"], REASON["review"])
        unescalated = np.flatnonzero(~due & (self.out["urgent_care_week"] == NONE) & self.h.any_red_flag())
        presents = unescalated[self.h.presents_with_red_flag(unescalated)]
        # Back with a red flag after leaving the pathway: a new episode from the start.
        again = presents[terminal[presents]]
        reason[presents] = REASON["red_flag"]
        reason[again] = REASON["new_episode"]
        self.state[again] = self.sim.initial
        self.episodes[again] += 1
        rows = np.flatnonzero(reason != NONE)
        return rows, reason[rows]

    def _visit(self, week: int, rows: np.ndarray, reasons: np.ndarray) -> None:
        if not rows.size:
            return
        sim, out = self.sim, self.out
        start = self.state[rows]
        routed = sim.router.route(start, self._env(week, rows))
        self.state[rows] = routed.resting
        fell = rows[routed.fell]
        out["fell_through_week"][fell] = week
        self.next_visit[fell] = NONE
        ok = ~routed.fell
        kept = ok[routed.step_visit]
        step_visit, position, fired = routed.step_visit[kept], routed.step_position[kept], routed.step_transition[kept]
        # From here on only visits that routed; `index` numbers them within the batch.
        index = np.cumsum(ok) - 1
        rows, reasons, start = rows[ok], reasons[ok], start[ok]
        step_visit = index[step_visit]
        out["visits"][rows] += 1
        unseen = rows[(out["red_flag_seen_week"][rows] == NONE) & self.h.any_red_flag(rows)]
        out["red_flag_seen_week"][unseen] = week
        entered = ~sim.router.stay[fired]  # per step: a state entered (stays enter nothing)
        dest = sim.router.dest[fired]
        for p in range(int(position.max()) + 1 if position.size else 0):  # in the order entered
            at = (position == p) & entered
            self._entered(week, rows[step_visit[at]], dest[at])
        resting = self.state[rows]
        newly = np.zeros(len(rows), dtype=bool)
        newly[step_visit[entered & (dest == resting[step_visit])]] = True
        self._book(week, rows, resting, newly)
        self._record(week, rows, reasons, start, resting, step_visit, fired, entered, dest)

    def _env(self, week: int, rows: np.ndarray) -> dict[str, np.ndarray]:
        """What the guards read at these visits: Patient.findings, checked_findings' defaults,
        age and week; only the columns some guard reads."""
        found = self.h.findings(rows, self.sim.questions)
        for code, name in enumerate(RESULTS):
            recorded = self.results[code, rows]
            if name in self.sim.result_codes:
                found[name] = np.where(recorded == NONE, self.sim.defaults[name], self.sim.result_codes[name][recorded])
        found.update(age=self.h.age[rows], week=np.full(len(rows), week, dtype=np.int64))
        n = len(rows)
        return {name: found[name] if name in found else np.full(n, self.sim.defaults[name])
                for name in self.sim.names}

    def _entered(self, week: int, rows: np.ndarray, states: np.ndarray) -> None:
        """course._Run._entered for one state entered by each of these patients."""
        sim, h, out = self.sim, self.h, self.out
        imaging, urgency, step = sim.imaging[states], sim.urgency[states], sim.care_step[states]
        for name in COUNTED:
            out[name][rows] += imaging == IMAGINGS.index(name)
        imaged = imaging != NO_IMAGING
        out["imaging_without_indication"][rows[imaged]] += ~h.needs_imaging(rows[imaged], imaging[imaged] == XRAY)
        # An MRI in a terminal state is handed over: scanned there and then.
        handed = sim.is_mri[imaging] & sim.terminal[states]
        emergency = urgency[handed] == EMERGENCY
        late = rows[handed][emergency]
        out["emergency_mri_late"][late] += h.emergency_scan_late(late)
        self._mri_done(rows[handed], week + np.where(emergency, 0, sim.waits.urgent_mri))
        urgent = rows[(urgency >= URGENT) & (out["urgent_care_week"][rows] == NONE)]
        out["urgent_care_week"][urgent] = week
        referred = rows[step == CareStep.SURGICAL_REFERRAL.value]
        out["surgical_referral"][referred] = True
        self.specialist_week[referred] = week + h.specialist_wait(referred)
        out["rerouted"][rows[step == CareStep.ALTERNATIVE_DIAGNOSIS.value]] = True
        discharged = rows[(step == CareStep.DISCHARGED.value) & (out["discharged_week"][rows] == NONE)]
        out["discharged_week"][discharged] = week
        out["epidurals"][rows[step == CareStep.EPIDURAL_INJECTION.value]] += 1

    def _book(self, week: int, rows: np.ndarray, resting: np.ndarray, newly: np.ndarray) -> None:
        """course._Run._book: the next visit from where each patient now rests."""
        sim, h = self.sim, self.h
        terminal = sim.terminal[resting]
        review = sim.rests_to_visit[resting] & ~terminal
        ordered = newly & ~terminal & ~review
        imaging = sim.imaging[resting]
        scan, xray = ordered & sim.is_scan[imaging], ordered & (imaging == XRAY)
        injection = ordered & ~scan & ~xray
        self.next_visit[rows[terminal]] = NONE
        r = rows[review]
        self.next_visit[r] = week + np.minimum(h.review_after(r), sim.review_cap[resting[review]])
        r = rows[scan]
        self._result_due(r, week + h.scan_wait(r), MRI_RESULT, imaging[scan])
        r = rows[xray]
        self._result_due(r, np.full(len(r), week + sim.waits.xray), XRAY_RESULT, imaging[xray])
        r = rows[injection]
        self.injection_week[r] = week + sim.waits.epidural
        self._result_due(r, self.injection_week[r] + sim.waits.epidural_review, EPIDURAL_RESPONSE, NO_IMAGING)
        # Seen while waiting and the result is not in: look again at the longest wait allowed;
        # seen early (a red flag), the booked visit stands.
        waiting = ~terminal & ~review & ~newly
        r = rows[waiting]
        late = (self.next_visit[r] == NONE) | (self.next_visit[r] <= week)
        self.next_visit[r[late]] = week + sim.look_again[resting[waiting][late]]

    def _result_due(self, rows: np.ndarray, weeks: np.ndarray, result: int, imaging) -> None:
        self.next_visit[rows] = weeks
        within = weeks <= self.sim.weeks  # results due after follow-up ends are never read
        imaging = np.broadcast_to(imaging, rows.shape)
        self.ready[rows[within], weeks[within]] = result
        self.ready_imaging[rows[within], weeks[within]] = imaging[within]

    def _mri_done(self, rows: np.ndarray, weeks) -> None:
        first = self.out["first_mri_week"]
        weeks = np.broadcast_to(weeks, rows.shape)
        first[rows] = np.where((first[rows] == NONE) | (weeks < first[rows]), weeks, first[rows])
        self.out["mri_incidental"][rows] = self.h.incidental_reported[rows]

    def _harm(self) -> None:
        at_risk = np.flatnonzero((self.out["urgent_care_week"] == NONE) & self.h.any_red_flag())
        self.out["red_flag_worsened"][at_risk[self.h.worsens(at_risk)]] = True

    def _record(self, week, rows, reasons, start, resting, step_visit, fired, entered, dest) -> None:
        """The visits' rows (urgency: the most urgent state entered, or where the patient rests;
        imaging: the last state entered that orders any) and their transitions."""
        sim = self.sim
        n = len(rows)
        urgency = np.where(np.bincount(step_visit[entered], minlength=n) > 0, 0, sim.urgency[resting])
        np.maximum.at(urgency, step_visit[entered], sim.urgency[dest[entered]])
        imaging = np.zeros(n, dtype=np.int64)
        orders = np.flatnonzero(entered & (sim.imaging[dest] != NO_IMAGING))[::-1]  # steps come by position
        visits, last = np.unique(step_visit[orders], return_index=True)
        imaging[visits] = sim.imaging[dest[orders[last]]]
        self.visits.append(dict(zip(VISIT_FIELDS, (
            self.h.index[rows].astype(np.int64), self.episodes[rows], np.full(n, week, dtype=np.int64),
            reasons, start, resting, urgency, imaging))))
        self.steps.append((step_visit + self.visit_count, fired))
        self.visit_count += n

    def _finish(self) -> Chunk:
        h, out = self.h, self.out
        onset = np.where(h.first_onset < NEVER, h.first_onset, NONE)
        flagged, escalated = onset != NONE, out["urgent_care_week"] != NONE
        patients = {
            "age": h.age, "recovery": np.where(h.fast, "fast", "slow"), "mimic": np.array(MIMICS)[h.mimic],
            "red_flags": h.red_flag_names(), "red_flag_onset_week": onset,
            "escalation_delay_weeks": np.where(flagged & escalated,
                                               np.maximum(0, out["urgent_care_week"] - onset), NONE),
            "red_flag_never_escalated": flagged & ~escalated & (out["red_flag_seen_week"] != NONE),
            "red_flag_not_seen": flagged & ~escalated & (out["red_flag_seen_week"] == NONE),
            "final_state": self.state.copy(),
            "weeks_in_pathway": self.weeks_in_pathway,
            "episodes": self.episodes,
            "first_improved_week": np.where(h.first_improved < NEVER, h.first_improved, NONE),
            **out,
        }
        empty = np.zeros(0, dtype=np.int64)
        visits = {k: np.concatenate([v[k] for v in self.visits] or [empty]) for k in VISIT_FIELDS}
        step_visit, fired = (np.concatenate([step[i] for step in self.steps] or [empty]) for i in (0, 1))
        # Visits were made week by week (each week's by patient); the chunk lists them by patient,
        # then week: a stable sort by patient. Steps likewise, by visit, keeping their firing order.
        order = np.argsort(visits["patient"], kind="stable")
        renumber = np.empty_like(order)
        renumber[order] = np.arange(len(order))
        step_visit = renumber[step_visit]
        step_order = np.argsort(step_visit, kind="stable")
        return Chunk(
            first=h.first,
            patients={name: patients[name] for name in PATIENT_FIELDS},
            improved=np.ascontiguousarray(self.improved.T), states=np.ascontiguousarray(self.states.T),
            visits={k: v[order] for k, v in visits.items()},
            steps={"visit": step_visit[step_order], "transition": fired[step_order].astype(np.int64)},
        )


def _check_findings(spec: PathwaySpec, history: NaturalHistory, weeks: int, questions: tuple[str, ...]) -> None:
    """Refuse, before any patient is simulated, findings the natural history can record that
    this pathway does not accept: every value of every finding is checked as strictly as the
    reference engine checks each visit (checked_findings), so both engines refuse the same specs."""
    possible: dict[str, list] = {
        "pain_distribution": [*history.pain, "back_dominant"], "weakness": [*history.weakness, "none"],
        **{name: [False, True] for name in ("pain_below_knee", "sensory_symptoms", "reflex_change",
                                            "neurogenic_claudication", "hip_or_si_signs",
                                            "bilateral_leg_symptoms", "foot_drop", "prior_lumbar_surgery")},
        **{q: [False] for q in questions},
        "trend": ["improving", "worse", "stuck"], "symptoms_resolved": [False, True],
        "conservative_care_weeks": [0, weeks], "disabling": [False, True], "intervention_considered": [False, True],
    }
    for flag in RED_FLAG_FINDINGS.values():
        for name, value in flag.items():
            possible.setdefault(name, []).append(value)
    base = {name: values[0] for name, values in possible.items()}
    variants = [base] + [{**base, name: value} for name, values in possible.items() for value in values[1:]]
    variants += [{**base, name: value} for name, words in RESULTS.items() for value in words]
    problems: list = []
    for answers in variants:
        try:
            checked_findings(answers, spec, "simulated patients")
        except PatientError as err:
            problems += [p for p in err.problems if p not in problems]
    if problems:
        raise SimulationError(problems)
