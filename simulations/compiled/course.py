"""The compiled cohort engine: `course.CourseSimulator` for a whole block of patients at once.

Each week every patient's natural history moves on together, and every visit of the week is
routed together through the compiled pathway (routing.py). The bookkeeping is course._Run's, on
arrays: treatment due, the reason to visit, a new episode, the visit (findings exactly as the
reference records them, the states entered, the booking of the next visit or result), harm.
The differential tests hold the two engines to identical per-patient traces.

Most weeks only a few patients are seen, so a week's work is kept to them: who is due for a
visit, an injection, a specialist or a result is looked up in calendars of bookings (not found
by comparing every patient's booked week), the patients in each state and the weeks in the
pathway are kept up to date as patients move, and what a visit's route does (the states it
enters) is worked out once per route (`_Effects`) and looked up per visit.
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
from .history import BASELINE, EPIDURAL_RESPONSES, MIMICS, NEVER, SCAN_RESULTS, XRAY_RESULTS, CohortHistory
from .routing import Router, Routes

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
        self.effects = _Effects(self)
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
        # A visit with no red flag showing is keyed (see _Block._keys) by the parts of the guards
        # that then read only the patient's presentation (found once per chunk), and the columns
        # that change week to week.
        fixed = set(BASELINE) | {"age"}
        keyed = [name for name, *_ in self.router.columns or ()]
        self.changing = tuple(name for name in keyed if name not in fixed and name not in self.questions)
        self.fixed_parts = self.router.fixed_parts(fixed, {q: False for q in self.questions}) if keyed else []
        self.plain_keys = self.router.keyed and (
            len(states) * 2 ** len(self.fixed_parts) * self.router.radix(self.changing) < 2**62)
        # Unrecorded findings take their defaults; enums as codes, like every enum column.
        self.defaults = {f.name: f.values.index(f.default) if f.type == "enum" and f.default is not None else f.default
                         for f in spec.findings if not f.is_input}
        # A recorded result (RESULTS code) as the pathway's code for it.
        self.result_codes = {name: np.array([self.words[name].index(w) for w in words]) for name, words in RESULTS.items()
                             if name in self.words}

    def run(self, seed: int, first: int, last: int, visits_in_order: bool = True) -> Chunk:
        """Patients first .. last - 1. `visits_in_order=False`: the chunk's visits (and steps) may
        stay in the order they were made, week by week: for a chunk only counted, never listed."""
        history = CohortHistory(self.history, seed, first, last, self.weeks, self.words)
        return _Block(self, history).go(visits_in_order)


class _Block:
    """The bookkeeping of one block of patients: course._Run with a row per patient."""

    def __init__(self, sim: CompiledSimulator, history: CohortHistory):
        self.sim, self.h = sim, history
        n, span = history.n, sim.weeks + 1
        self.state = np.full(n, sim.initial, dtype=np.int64)
        # Kept as patients move, not counted every week: how many rest in each state, and the
        # weeks each spent in the pathway (not in a terminal state) before its current stretch,
        # which began in week `since` (NEVER: resting in a terminal state).
        self.resting = np.bincount(self.state, minlength=len(sim.terminal))
        self.weeks_in_pathway = np.zeros(n, dtype=np.int64)
        self.since = np.full(n, NEVER if sim.terminal[sim.initial] else 0, dtype=np.int64)
        self.episodes = np.ones(n, dtype=np.int64)
        self.next_visit = np.zeros(n, dtype=np.int64)  # NONE: no visit booked
        self.injection_week = np.full(n, NEVER, dtype=np.int64)
        self.specialist_week = np.full(n, NEVER, dtype=np.int64)
        # Who is booked for what, week by week (course._Run compares every patient's booked week).
        self.visit_calendar, self.injections, self.specialists, self.surgeries = (
            _Calendar(sim.weeks) for _ in range(4))
        self.visit_calendar.book(np.arange(n), 0)
        self.ready = _Results(sim.weeks)  # results due, by week
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
        self.states = np.zeros((span, n), dtype=np.int16)
        self.improved = np.zeros((span, n), dtype=bool)
        self.visits: list[dict[str, np.ndarray]] = []
        self.steps: list[tuple[np.ndarray, np.ndarray]] = []  # (visit, transition), by week, then visit
        self.visit_ranks: list[np.ndarray] = []
        self.visit_count = 0
        self.occupancy = np.zeros((span, len(sim.spec.states)), dtype=np.int64)
        self.marked = np.zeros(n, dtype=bool)  # scratch: all False between uses
        # Each patient's part of a visit key that never changes (see _keys): which fixed parts hold.
        self.fixed_keys = None
        if sim.plain_keys:
            presentation = {**history.baseline, "age": history.age}
            self.fixed_keys = np.zeros(n, dtype=np.int64)
            for j, part in enumerate(sim.fixed_parts):
                self.fixed_keys |= part(presentation).astype(np.int64) << j

    def go(self, visits_in_order: bool = True) -> Chunk:
        for week in range(self.sim.weeks + 1):
            self.h.advance(week)
            self._treatment_due(week)
            rows, reasons = self._reasons_to_visit(week)
            self._visit(week, rows, reasons)
            self._harm()
            self.states[week] = self.state
            self.occupancy[week] = self.resting
            self.h.feels_improved_into(self.improved[week])
        return self._finish(visits_in_order)

    def _move(self, week: int, rows: np.ndarray, states: np.ndarray) -> None:
        """These patients rest in `states` from this week (its end, unless they move again)."""
        sim, before = self.sim, self.state[rows]
        self.resting -= np.bincount(before, minlength=len(self.resting))
        self.resting += np.bincount(states, minlength=len(self.resting))
        was, now = ~sim.terminal[before], ~sim.terminal[states]
        left = rows[was & ~now]
        self.weeks_in_pathway[left] += week - self.since[left]
        self.since[left] = NEVER
        came = rows[now & ~was]
        self.since[came] = week
        self.state[rows] = states

    # -- each week --------------------------------------------------------------------------------
    def _treatment_due(self, week: int) -> None:
        h, out, delay = self.h, self.out, self.sim.waits.surgery_delay
        self.h.give_epidural(self.injections.due(week, self.injection_week))
        seen = self.specialists.due(week, self.specialist_week)
        if week + delay <= self.sim.weeks:
            operated = seen[h.has_surgery(seen)]
            out["surgery_week"][operated] = week + delay
            self.surgeries.book(operated, week + delay)
        h.operate(self.surgeries.due(week, out["surgery_week"]))
        due, kind, imaging = self.ready.due(week)
        for code, result in ((MRI_RESULT, h.scan_result), (XRAY_RESULT, h.xray_result),
                             (EPIDURAL_RESPONSE, h.epidural_response)):
            rows = due[kind == code]
            self.results[code, rows] = result(rows)
        self._mri_done(due[self.sim.is_mri[imaging]], week)

    def _reasons_to_visit(self, week: int) -> tuple[np.ndarray, np.ndarray]:
        """The patients seen this week (in order) and why: a booked visit, or a red flag."""
        sim, state = self.sim, self.state
        booked = self.visit_calendar.due(week, self.next_visit)
        due = booked[~sim.terminal[state[booked]]]
        if week == 0:
            due_reasons = np.full(len(due), REASON["first"])
        else:
            due_reasons = np.where(sim.waits_for[state[due]], REASON["result"], REASON["review"])
        flagged = self.h.red_flagged()
        unescalated = flagged[self.out["urgent_care_week"][flagged] == NONE]
        self.marked[due] = True
        unescalated = unescalated[~self.marked[unescalated]]  # not those seen anyway
        self.marked[due] = False
        presents = unescalated[self.h.presents_with_red_flag(unescalated)]
        # Back with a red flag after leaving the pathway: a new episode from the start.
        ended = sim.terminal[state[presents]]
        again = presents[ended]
        self._move(week, again, np.full(len(again), sim.initial))
        self.episodes[again] += 1
        if not presents.size:
            return due, due_reasons
        rows = np.concatenate([due, presents])
        reasons = np.concatenate([due_reasons, np.where(ended, REASON["new_episode"], REASON["red_flag"])])
        order = np.argsort(rows, kind="stable")
        return rows[order], reasons[order]

    def _visit(self, week: int, rows: np.ndarray, reasons: np.ndarray) -> None:
        if not rows.size:
            return
        sim, out = self.sim, self.out
        start = self.state[rows]
        routes, ids = sim.router.routes(start, self._keys(week, rows, start),
                                        lambda visits: self._env(week, rows[visits]))
        effects = sim.effects.of(routes)
        resting = effects["resting"][ids]
        self._move(week, rows, resting)
        fell = effects["fell"][ids]
        if fell.any():  # the pathway had a gap: no visit recorded, none booked
            out["fell_through_week"][rows[fell]] = week
            self.next_visit[rows[fell]] = NONE
            ok = ~fell
            rows, reasons, start, resting, ids = rows[ok], reasons[ok], start[ok], resting[ok], ids[ok]
        out["visits"][rows] += 1
        unseen = rows[(out["red_flag_seen_week"][rows] == NONE) & self.h.any_red_flag(rows)]
        out["red_flag_seen_week"][unseen] = week
        acting = np.flatnonzero(effects["acts"][ids])  # the visits whose route enters a state that does something
        if acting.size:
            self._entered(week, rows[acting], {name: effects[name][ids[acting]] for name in ENTERED})
        self._book(week, rows, resting, effects["newly"][ids])
        self._record(week, rows, reasons, start, resting, effects["urgency"][ids], effects["imaging"][ids],
                     *routes.steps(ids))

    def _env(self, week: int, rows: np.ndarray, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
        """What the guards read at these visits: Patient.findings, checked_findings' defaults,
        age and week; only the columns some guard reads (or those in `names`)."""
        names = self.sim.names if names is None else names
        wanted = frozenset(names)
        found = self.h.findings(rows, self.sim.questions, wanted)
        for code, name in enumerate(RESULTS):
            if name in self.sim.result_codes and name in wanted:
                recorded = self.results[code, rows]
                found[name] = np.where(recorded == NONE, self.sim.defaults[name], self.sim.result_codes[name][recorded])
        if "age" in wanted:
            found["age"] = self.h.age[rows]
        if "week" in wanted:
            found["week"] = np.full(len(rows), week, dtype=np.int64)
        n = len(rows)
        return {name: found[name] if name in found else np.full(n, self.sim.defaults[name]) for name in names}

    def _keys(self, week: int, rows: np.ndarray, start: np.ndarray) -> np.ndarray | None:
        """Each visit's route key (Router.key), or None when the pathway's visits cannot be keyed.
        A visit with no red flag showing records the patient's presentation unchanged and no to every
        red-flag question, so its guards depend on the presentation only through a few parts
        (Router.fixed_parts, worked out once per patient): its key is those parts and the columns
        that change (even); a visit with a red flag showing is keyed by every column (odd)."""
        router, sim = self.sim.router, self.sim
        if not router.keyed:
            return None
        keys = np.empty(len(rows), dtype=np.int64)
        flagged = self.h.first_onset[rows] <= week
        if self.fixed_keys is None:
            flagged[:] = True
        plain = np.flatnonzero(~flagged)
        if plain.size:
            r = rows[plain]
            key = (start[plain] << len(sim.fixed_parts)) + self.fixed_keys[r]
            key = router.extend_key(key, self._env(week, r, sim.changing), sim.changing)
            if key is None:
                return None
            keys[plain] = 2 * key
        flagged = np.flatnonzero(flagged)
        if flagged.size:
            key = router.key(start[flagged], self._env(week, rows[flagged]))
            if key is None:
                return None
            keys[flagged] = 2 * key + 1
        return keys

    def _entered(self, week: int, rows: np.ndarray, entered: dict[str, np.ndarray]) -> None:
        """course._Run._entered for every state each of these patients entered at this visit (the
        counts and flags of the visit's route, `_Effects`): everything adds up, or keeps the first."""
        h, out = self.h, self.out
        for name in (*COUNTED, "epidurals"):
            out[name][rows] += entered[name]
        for entries, xray in (("xray_entries", True), ("other_imaging_entries", False)):
            some = np.flatnonzero(entered[entries])
            r = rows[some]
            out["imaging_without_indication"][r] += entered[entries][some] * ~h.needs_imaging(r, xray)
        # An MRI in a terminal state is handed over: scanned there and then.
        some = np.flatnonzero(entered["emergency_handed"])
        late = rows[some]
        out["emergency_mri_late"][late] += entered["emergency_handed"][some] * h.emergency_scan_late(late)
        handed = entered["mri_delay"] >= 0
        self._mri_done(rows[handed], week + entered["mri_delay"][handed])
        urgent = rows[entered["urgent"]]
        out["urgent_care_week"][urgent[out["urgent_care_week"][urgent] == NONE]] = week
        referred = rows[entered["referred"]]
        out["surgical_referral"][referred] = True
        self.specialist_week[referred] = week + h.specialist_wait(referred)
        self.specialists.book(referred, self.specialist_week[referred])
        out["rerouted"][rows[entered["rerouted"]]] = True
        discharged = rows[entered["discharged"]]
        out["discharged_week"][discharged[out["discharged_week"][discharged] == NONE]] = week

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
        self._visit_in(r, week + np.minimum(h.review_after(r), sim.review_cap[resting[review]]))
        r = rows[scan]
        self._result_due(r, week + h.scan_wait(r), MRI_RESULT, imaging[scan])
        r = rows[xray]
        self._result_due(r, np.full(len(r), week + sim.waits.xray), XRAY_RESULT, imaging[xray])
        r = rows[injection]
        self.injection_week[r] = week + sim.waits.epidural
        self.injections.book(r, week + sim.waits.epidural)
        self._result_due(r, self.injection_week[r] + sim.waits.epidural_review, EPIDURAL_RESPONSE, NO_IMAGING)
        # Seen while waiting and the result is not in: look again at the longest wait allowed;
        # seen early (a red flag), the booked visit stands.
        waiting = ~terminal & ~review & ~newly
        r = rows[waiting]
        late = (self.next_visit[r] == NONE) | (self.next_visit[r] <= week)
        self._visit_in(r[late], week + sim.look_again[resting[waiting][late]])

    def _visit_in(self, rows: np.ndarray, weeks) -> None:
        """Book these patients' next visit."""
        self.next_visit[rows] = weeks
        self.visit_calendar.book(rows, weeks)

    def _result_due(self, rows: np.ndarray, weeks: np.ndarray, result: int, imaging) -> None:
        self._visit_in(rows, weeks)
        self.ready.book(rows, weeks, result, imaging)

    def _mri_done(self, rows: np.ndarray, weeks) -> None:
        first = self.out["first_mri_week"]
        weeks = np.broadcast_to(weeks, rows.shape)
        first[rows] = np.where((first[rows] == NONE) | (weeks < first[rows]), weeks, first[rows])
        self.out["mri_incidental"][rows] = self.h.incidental_reported(rows)

    def _harm(self) -> None:
        flagged = self.h.red_flagged()
        at_risk = flagged[self.out["urgent_care_week"][flagged] == NONE]
        self.out["red_flag_worsened"][at_risk[self.h.worsens(at_risk)]] = True

    def _record(self, week, rows, reasons, start, resting, urgency, imaging, step_visit, fired) -> None:
        """The visits' rows (urgency: the most urgent state entered, or where the patient rests;
        imaging: the last state entered that orders any) and their transitions."""
        n = len(rows)
        self.visits.append(dict(zip(VISIT_FIELDS, (
            self.h.index[rows].astype(np.int64), self.episodes[rows], np.full(n, week, dtype=np.int64),
            reasons, start, resting, urgency, imaging))))
        self.steps.append((step_visit + self.visit_count, fired))
        self.visit_ranks.append(self.out["visits"][rows] - 1)  # each patient's how-manieth visit
        self.visit_count += n

    def _finish(self, visits_in_order: bool) -> Chunk:
        h, out = self.h, self.out
        onset = np.where(h.first_onset < NEVER, h.first_onset, NONE)
        flagged, escalated = onset != NONE, out["urgent_care_week"] != NONE
        red_flags, red_flag_words = h.red_flag_names()
        patients = {
            "age": h.age, "recovery": (~h.fast).astype(np.int8), "mimic": h.mimic.astype(np.int8),
            "red_flags": red_flags, "red_flag_onset_week": onset,
            "escalation_delay_weeks": np.where(flagged & escalated,
                                               np.maximum(0, out["urgent_care_week"] - onset), NONE),
            "red_flag_never_escalated": flagged & ~escalated & (out["red_flag_seen_week"] != NONE),
            "red_flag_not_seen": flagged & ~escalated & (out["red_flag_seen_week"] == NONE),
            "final_state": self.state.astype(np.int16),
            # Those still in the pathway: their last stretch, to the end of follow-up.
            "weeks_in_pathway": self.weeks_in_pathway + np.where(
                self.since < NEVER, self.sim.weeks + 1 - self.since, 0),
            "episodes": self.episodes,
            "first_improved_week": np.where(h.first_improved < NEVER, h.first_improved, NONE),
            **out,
        }
        empty = np.zeros(0, dtype=np.int64)
        visits = {k: np.concatenate([v[k] for v in self.visits] or [empty]) for k in VISIT_FIELDS}
        rank = np.concatenate(self.visit_ranks or [empty])
        step_visit, fired = (np.concatenate([step[i] for step in self.steps] or [empty]) for i in (0, 1))
        if not visits_in_order:
            return self._chunk(patients, visits, {"visit": step_visit, "transition": fired}, red_flag_words)
        # Visits were made week by week (each week's by patient); the chunk lists them by patient,
        # then week: patient p's k-th visit goes after every visit of the patients before p, k-th.
        before = np.cumsum(out["visits"]) - out["visits"]
        moved = before[visits["patient"] - h.first] + rank  # each visit's place in the chunk
        order = np.empty_like(moved)
        order[moved] = np.arange(len(moved))
        # Steps likewise, each visit's together in firing order (as they already are): a visit's
        # steps move to where its new place puts them.
        per_visit = np.bincount(step_visit, minlength=len(moved))
        placed = np.cumsum(per_visit[order]) - per_visit[order]  # first step of each visit, in chunk order
        from_start = np.arange(len(step_visit)) - (np.cumsum(per_visit) - per_visit)[step_visit]
        step_order = np.empty_like(step_visit)
        step_order[placed[moved[step_visit]] + from_start] = np.arange(len(step_visit))
        steps = {"visit": moved[step_visit][step_order], "transition": fired[step_order]}
        return self._chunk(patients, {k: v[order] for k, v in visits.items()}, steps, red_flag_words)

    def _chunk(self, patients: dict, visits: dict, steps: dict, red_flag_words: tuple[str, ...]) -> Chunk:
        """The chunk, every column narrowed (but the visits' patients and steps' visits: indexes)."""
        return Chunk(
            first=self.h.first,
            patients={name: _narrow(patients[name]) for name in PATIENT_FIELDS},
            improved=self.improved, states=self.states,
            visits={k: v if k == "patient" else _narrow(v) for k, v in visits.items()},
            steps={"visit": steps["visit"], "transition": _narrow(steps["transition"])},
            words={"recovery": ("fast", "slow"), "mimic": MIMICS, "red_flags": red_flag_words},
            occupancy=self.occupancy,
        )


class _Effects:
    """What a visit along each route does, as tables by route number: course._Run._entered for the
    states the route enters (counts of imaging and injections, whether it reaches urgent care, a
    referral, ...: every effect adds up or keeps the first, so the order they were entered in does
    not matter), whether it newly entered where it rests, and the visit's urgency and imaging as
    _record has them. Made once per route, when the router first meets it."""

    def __init__(self, sim: CompiledSimulator):
        self.sim = sim
        self.routes: Routes | None = None
        self.tables: dict[str, np.ndarray] = {}

    def of(self, routes: Routes) -> dict[str, np.ndarray]:
        if routes is not self.routes:
            self.routes, self.tables = routes, {}
        done = len(self.tables.get("resting", ()))
        if len(routes) > done:
            more = self._tables(routes, done, len(routes))
            self.tables = {name: np.concatenate([self.tables[name], t]) if self.tables else t for name, t in more.items()}
        return self.tables

    def _tables(self, routes: Routes, first: int, last: int) -> dict[str, np.ndarray]:
        sim, count = self.sim, last - first
        fired = routes.transitions[routes.offsets[first]:routes.offsets[last]]
        route = np.repeat(np.arange(count), np.diff(routes.offsets[first:last + 1]))
        entered = ~sim.router.stay[fired]  # stays enter nothing
        route, dest = route[entered], sim.router.dest[fired[entered]]
        imaging, urgency, step = sim.imaging[dest], sim.urgency[dest], sim.care_step[dest]
        resting = routes.resting[first:last]

        def each(mask: np.ndarray) -> np.ndarray:  # per route: how many states it entered with `mask`
            return np.bincount(route[mask], minlength=count)

        handed = sim.is_mri[imaging] & sim.terminal[dest]
        emergency_handed = each(handed & (urgency == EMERGENCY))
        tables = {name: each(imaging == IMAGINGS.index(name)) for name in COUNTED}
        tables.update(
            epidurals=each(step == CareStep.EPIDURAL_INJECTION.value),
            xray_entries=each(imaging == XRAY), other_imaging_entries=each((imaging != NO_IMAGING) & (imaging != XRAY)),
            emergency_handed=emergency_handed,
            # The earliest handed-over MRI: an emergency's now, an urgent one's after the wait; -1: none.
            mri_delay=np.where(emergency_handed > 0, 0, np.where(each(handed) > 0, sim.waits.urgent_mri, -1)),
            urgent=each(urgency >= URGENT) > 0,
            referred=each(step == CareStep.SURGICAL_REFERRAL.value) > 0,
            rerouted=each(step == CareStep.ALTERNATIVE_DIAGNOSIS.value) > 0,
            discharged=each(step == CareStep.DISCHARGED.value) > 0,
            newly=each(dest == resting[route]) > 0,
            resting=resting, fell=routes.fell[first:last],
        )
        tables["acts"] = np.any([tables[name] != 0 if name != "mri_delay" else tables[name] >= 0 for name in ENTERED],
                                axis=0)
        most = np.full(count, -1)
        np.maximum.at(most, route, urgency)
        tables["urgency"] = np.where(most >= 0, most, sim.urgency[resting])
        last_imaging = np.zeros(count, dtype=np.int64)
        orders = np.flatnonzero(imaging != NO_IMAGING)[::-1]  # each route's last first
        with_imaging, at = np.unique(route[orders], return_index=True)
        last_imaging[with_imaging] = imaging[orders[at]]
        tables["imaging"] = last_imaging
        return tables


ENTERED = ("xray", "mri", "mri_with_contrast", "ct", "epidurals", "xray_entries", "other_imaging_entries",
           "emergency_handed", "mri_delay", "urgent", "referred", "rerouted", "discharged")


class _Calendar:
    """Patients booked for something (a visit, an injection, ...), by week, so that who is due
    this week is found among those booked for it rather than among every patient. A booking can be
    superseded by a later one for another week: the caller's own array holds each patient's
    latest booked week, and only the bookings that are still the latest count."""

    def __init__(self, weeks: int):
        self.weeks = weeks  # bookings beyond the follow-up are never due
        self.booked: dict[int, list[np.ndarray]] = {}

    def book(self, rows: np.ndarray, weeks) -> None:
        for week, booked in _by_week(rows, weeks, self.weeks):
            self.booked.setdefault(week, []).append(booked)

    def due(self, week: int, latest: np.ndarray) -> np.ndarray:
        """The patients (in order) booked for `week` whose latest booking it still is."""
        booked = self.booked.pop(week, None)
        if not booked:
            return np.zeros(0, dtype=np.int64)
        rows = _union(booked)
        return rows[latest[rows] == week]


class _Results:
    """Results due, by week: course._Run's table of (patient, week) -> the result kind and the
    imaging it came from, kept as bookings; a later booking of a patient for the same week
    overwrites the earlier, as writing to the table did."""

    def __init__(self, weeks: int):
        self.weeks = weeks  # results due after follow-up ends are never read
        self.booked: dict[int, list[tuple[np.ndarray, int, np.ndarray]]] = {}

    def book(self, rows: np.ndarray, weeks, kind: int, imaging) -> None:
        imaging = np.broadcast_to(imaging, rows.shape)
        for week, where in _by_week(np.arange(len(rows)), weeks, self.weeks):
            self.booked.setdefault(week, []).append((rows[where], kind, imaging[where]))

    def due(self, week: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The patients with a result due this week (in order), its kind and the imaging."""
        booked = self.booked.pop(week, [])
        if not booked:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        if len(booked) == 1:  # one booking: its patients are in order, each once
            rows, kind, imaging = booked[0]
            return rows, np.full(len(rows), kind), imaging
        rows = np.concatenate([r for r, _, _ in booked])
        kinds = np.concatenate([np.full(len(r), k) for r, k, _ in booked])
        imaging = np.concatenate([i for _, _, i in booked])
        # The latest booking of each patient stands: by patient, the last of each in booking order.
        order = np.argsort(rows, kind="stable")
        rows = rows[order]
        last = np.append(np.diff(rows) != 0, True)
        return rows[last], kinds[order][last], imaging[order][last]


def _by_week(rows: np.ndarray, weeks, last: int):
    """(week, rows booked for it) for each week from 0 to `last` that `weeks` (one per row, or
    one for all) names."""
    if np.ndim(weeks) == 0:
        if 0 <= weeks <= last and len(rows):
            yield int(weeks), rows
        return
    inside = (weeks >= 0) & (weeks <= last)
    rows, weeks = rows[inside], weeks[inside].astype(np.int16)  # weeks <= MAX_WEEKS: a radix sort
    order = np.argsort(weeks, kind="stable")
    rows, weeks = rows[order], weeks[order]
    starts = np.flatnonzero(np.diff(weeks, prepend=-1))
    for begin, end in zip(starts, [*starts[1:], len(weeks)]):
        yield int(weeks[begin]), rows[begin:end]


def _union(parts: list[np.ndarray]) -> np.ndarray:
    """The patients in any of `parts` (each in order, each patient once), in order, each once."""
    if len(parts) == 1:
        return parts[0]
    rows = np.sort(np.concatenate(parts))
    return rows[np.append(True, np.diff(rows) != 0)]


def _narrow(values: np.ndarray) -> np.ndarray:
    """Whole numbers in the narrowest signed type that holds them (chunks travel between processes
    and to disk: most columns are weeks and small counts)."""
    if values.dtype == bool or not values.size:
        return values
    low, high = values.min(), values.max()
    for kind in (np.int8, np.int16, np.int32):
        if np.iinfo(kind).min <= low and high <= np.iinfo(kind).max:
            return values.astype(kind)
    return values.astype(np.int64)


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
