"""The compiled cohort engine: `course.CourseSimulator` for a whole block of patients at once.

Each week every patient's natural history moves on together, and every visit of the week is
routed together through the compiled pathway (routing.py). The bookkeeping is course._Run's, on
arrays, in the same order each week: results due, operations, the reasons to visit, the visits
(findings exactly as the reference records them, the states entered, the imaging order, the
booking of the next visit and result), injections, harm. The differential tests hold the two
engines to identical per-patient traces.

Most weeks only a few patients are seen, so a week's work is kept to them: who is due for a
visit, a result, an injection or an operation is looked up in calendars of bookings (not found
by comparing every patient's booked week), the patients in each state and the weeks in care are
kept up to date as patients move, and what a visit's route does (the states it enters) is
worked out once per route (effects.py) and looked up per visit. The jobs of a block are split
by module: bookings.py (results and the next visit), imaging.py (orders), finish.py (the chunk).
"""

from __future__ import annotations

import numpy as np

from pathway.guards import names_in
from pathway.guards.vectorized import compile_vectorized
from pathway.spec import PathwaySpec, Urgency, Waits

from ...capacity.routing import result_routes
from ...model.history import NaturalHistory
from ...running.chunk import NONE, REASONS, URGENCIES, Chunk
from ..booking import PRODUCED, FixedWaits, check_results_known, red_flag_questions
from ..orders import order_table
from .bookings import RESULTS, Bookings
from .checks import check_findings
from .columns import Columns
from .effects import ENTERED, Effects
from .finish import Finish
from .history import BASELINE, NEVER, CohortHistory
from .imaging import Imaging
from .queued import Queued
from .routing import Router

REASON = {name: code for code, name in enumerate(REASONS)}


class CompiledSimulator:
    """Build once per pathway and parameters; `run(seed, first, last)` gives a chunk."""

    URGENT, EMERGENCY = URGENCIES.index("urgent"), URGENCIES.index("emergency")

    def __init__(self, spec: PathwaySpec, history: NaturalHistory, weeks: int):
        self.spec, self.history, self.weeks = spec, history, weeks
        check_results_known(spec)
        self.questions = red_flag_questions(spec)
        check_findings(spec, history, weeks, self.questions)
        self.words = {f.name: f.values for f in spec.findings if f.type == "enum"}
        self.router = Router(spec, self.words)
        self.effects = Effects(self)
        self.waits = FixedWaits.of(history.params)
        self.orders = order_table(spec)
        self.routes = result_routes(self.orders)
        self._states(spec.states)
        self._keying(spec)
        self._imaging_rules(spec)
        # Unrecorded findings take their defaults; enums as codes, like every enum column.
        self.defaults = {f.name: f.values.index(f.default) if f.type == "enum" and f.default is not None else f.default
                         for f in spec.findings if not f.is_input}
        # A recorded result (a code into PRODUCED's words) as the pathway's code for it.
        self.result_codes = {name: np.array([self.words[name].index(w) for w in words])
                             for name, words in PRODUCED.items() if name in self.words}

    def _states(self, states) -> None:
        """What the bookkeeping reads of each state, as arrays by state index."""
        self.initial = [s.id for s in states].index(self.spec.initial)
        self.terminal = np.array([s.terminal for s in states])
        self.rests_for_result = np.array([s.waits is Waits.RESULT for s in states]) & ~self.terminal
        self.rests_to_visit = np.array([s.waits is Waits.VISIT for s in states]) & ~self.terminal
        self.rests_for_return = np.array([s.waits is Waits.RETURN for s in states]) & ~self.terminal
        self.in_care = ~self.terminal & ~self.rests_for_return
        self.awaits = np.array([RESULTS.index(s.awaits) if s.awaits in PRODUCED else -1 for s in states])
        self.urgency = np.array([URGENCIES.index(s.urgency.value) for s in states])
        self.emergency = np.array([s.urgency is Urgency.EMERGENCY for s in states])
        self.care_step = np.array([s.care_step.value for s in states])
        # `review_within_weeks or inf` and `or 1`, as course._Run._book has them (0 counts as unset).
        self.review_cap = np.array([s.review_within_weeks or NEVER for s in states], dtype=np.int64)
        self.look_again = np.array([s.review_within_weeks or 1 for s in states], dtype=np.int64)

    def _keying(self, spec: PathwaySpec) -> None:
        """The columns guards read (age and week always: a batch's length when no guard reads any),
        and how a visit is keyed (see _Block._keys): by the parts of the guards that read only the
        patient's presentation (screen negative, no red flag showing nor a standing risk factor:
        found once per chunk, the red-flag questions all no; else the presentation as the red
        flags and risk factors change it, at each visit), and the columns that change week to week."""
        self.names = sorted({"age", "week"} | {n for t in spec.transitions for n in names_in(spec.spelled_out(t.expr))})
        fixed = set(BASELINE) | {"age"}
        visit_keys = self.router.visit_keys
        keyed = [name for name, *_ in visit_keys.columns or ()]
        self.changing = tuple(name for name in keyed if name not in fixed and name not in self.questions)
        self.fixed_parts = visit_keys.fixed_parts(fixed, {q: False for q in self.questions}) if keyed else []
        self.flag_parts = visit_keys.fixed_parts(fixed | set(self.questions), {}) if keyed else []
        room = len(spec.states) * visit_keys.radix(self.changing) if keyed else 0
        self.plain_keys = visit_keys.keyed and room * 2 ** len(self.fixed_parts) < 2**62
        self.flag_keys = self.plain_keys and room * 2 ** len(self.flag_parts) < 2**62

    def _imaging_rules(self, spec: PathwaySpec) -> None:
        """Each imaging rule's guard as a mask, the columns they read, and each state's order for
        every combination of rules holding (code 0 for a state that orders nothing)."""
        conditions = {c.name: c.expr for c in spec.conditions}
        self.rule_masks = [compile_vectorized(r.expr, conditions, self.words) for r in spec.imaging_rules]
        self.rule_names = tuple(sorted({"age", "week"} | {
            n for r in spec.imaging_rules for n in names_in(spec.spelled_out(r.expr))}))
        # Screen negative, the rules read a patient's presentation, unchanged, and these
        # columns: yes/no or enum codes, their bits are kept per patient with the values they were
        # worked out for (None: a number among them, so never kept).
        fixed = set(BASELINE) | {"age"} | set(self.questions)
        read = [n for n in self.rule_names if n not in fixed and n != "week"]
        changing = [n for n in read if n in self.words or getattr(spec.finding.get(n), "type", "") == "boolean"]
        uses_week = any("week" in names_in(spec.spelled_out(r.expr)) for r in spec.imaging_rules)
        self.rule_changing = tuple(changing) if len(changing) == len(read) and not uses_week else None
        combinations = 2 ** len(spec.imaging_rules)
        self.state_orders = np.array([
            self.orders.by_purpose[s.purpose] if s.purpose is not None else np.zeros(combinations, dtype=np.int64)
            for s in spec.states]).reshape(len(spec.states), combinations)
        self.orders_imaging = np.array([s.purpose is not None for s in spec.states])

    def run(self, seed: int, first: int, last: int, visits_in_order: bool = True, queues=None) -> Chunk:
        """Patients first .. last - 1. `visits_in_order=False`: the chunk's visits (and steps) may
        stay in the order they were made, week by week: for a chunk only counted, never listed.
        `queues`: the catchment's (capacity.queues.Queues), when its patients share capacity."""
        history = CohortHistory(self.history, seed, first, last, self.weeks, self.words)
        return _Block(self, history, queues).go(visits_in_order)


class _Block(Bookings, Imaging, Columns, Finish, Queued):
    """The bookkeeping of one block of patients: course._Run with a row per patient."""

    def __init__(self, sim: CompiledSimulator, history: CohortHistory, queues=None):
        self.sim, self.h = sim, history
        n, span = history.n, sim.weeks + 1
        self.state = np.full(n, sim.initial, dtype=np.int64)
        # Kept as patients move, not counted every week: how many rest in each state, whether each
        # rests where it waits for a return, and the weeks each spent in care before its current
        # stretch, which began in week `since` (NEVER: not in care).
        self.resting = np.bincount(self.state, minlength=len(sim.terminal))
        self.in_return = np.full(n, sim.rests_for_return[sim.initial])
        self.weeks_in_pathway = np.zeros(n, dtype=np.int64)
        self.since = np.full(n, 0 if sim.in_care[sim.initial] else NEVER, dtype=np.int64)
        self.episodes = np.ones(n, dtype=np.int64)
        self._bookings(n)
        self._imaging(n)
        self._queued(n, queues)
        self.out = self._outcomes(n)
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
            self._results_due(week)
            self.h.operate(self.surgeries.due(week, self.out["surgery_week"]))
            rows, reasons = self._reasons_to_visit(week)
            self._visit(week, rows, reasons)
            self._injections_due(week)
            self._harm(week)
            self.states[week] = self.state
            self.occupancy[week] = self.resting
            self.h.feels_improved_into(self.improved[week])
            if self.queues is not None:  # every patient's week is done: the catchment's slots
                self._serve(week)
        return self._finish(visits_in_order)

    def _move(self, week: int, rows: np.ndarray, states: np.ndarray) -> None:
        """These patients rest in `states` from this week (its end, unless they move again)."""
        sim, before = self.sim, self.state[rows]
        self.resting -= np.bincount(before, minlength=len(self.resting))
        self.resting += np.bincount(states, minlength=len(self.resting))
        was, now = sim.in_care[before], sim.in_care[states]
        left = rows[was & ~now]
        self.weeks_in_pathway[left] += week - self.since[left]
        self.since[left] = NEVER
        self.since[rows[now & ~was]] = week
        self.state[rows] = states
        self.in_return[rows] = sim.rests_for_return[states]

    # -- each week --------------------------------------------------------------------------------
    def _reasons_to_visit(self, week: int) -> tuple[np.ndarray, np.ndarray]:
        """The patients seen this week (in order) and why: a booked visit, a red flag not yet seen
        at a visit, or, discharged with the symptoms back, a return."""
        sim, state, h = self.sim, self.state, self.h
        booked = self.visit_calendar.due(week, self.next_visit)
        due = booked[~sim.terminal[state[booked]]]
        if week == 0:
            due_reasons = np.full(len(due), REASON["first"])
        else:
            due_reasons = np.where(self.result_in[due] == week, REASON["result"], REASON["review"])
        flagged = h.red_flagged()
        unseen = flagged[h.flags.unseen(flagged, week)]
        self.marked[due] = True
        presents = unseen[~self.marked[unseen]]  # not those seen anyway
        presents = presents[h.presents_with_red_flag(presents)]
        self.marked[presents] = True
        unwell = np.flatnonzero(self.in_return & ~h.improved)
        returns = unwell[~self.marked[unwell]]
        returns = returns[h.returns(returns)]
        self.marked[due] = self.marked[presents] = False
        # Back with a red flag after a handover: a new episode from the start.
        ended = sim.terminal[state[presents]]
        again = presents[ended]
        self._move(week, again, np.full(len(again), sim.initial))
        self.episodes[again] += 1
        self.pending_order[again] = 0
        rows = np.concatenate([due, presents, returns])
        reasons = np.concatenate([due_reasons, np.where(ended, REASON["new_episode"], REASON["red_flag"]),
                                  np.full(len(returns), REASON["return"])])
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
        out["returns"][rows] += sim.rests_for_return[start] & (reasons != REASON["new_episode"])  # rested there before
        unseen = rows[(out["red_flag_seen_week"][rows] == NONE) & self.h.any_red_flag(rows)]
        out["red_flag_seen_week"][unseen] = week
        missed = rows[(out["red_flag_missed_week"][rows] == NONE) & self.h.any_hidden_red_flag(rows)]
        out["red_flag_missed_week"][missed] = week
        acting = np.flatnonzero(effects["acts"][ids])  # the visits whose route enters a state that does something
        if acting.size:
            self._entered(week, rows[acting], {name: effects[name][ids[acting]] for name in ENTERED})
        newly = effects["newly"][ids]
        urgency = effects["urgency"][ids]
        imaging = self._orders(week, rows, resting, newly)
        self._book(week, rows, resting, newly, imaging)
        self.h.flags.see(rows, (urgency >= sim.URGENT) | (sim.urgency[resting] >= sim.URGENT), week)
        self._record(week, rows, reasons, start, resting, urgency, imaging, *routes.steps(ids))

    def _entered(self, week: int, rows: np.ndarray, entered: dict[str, np.ndarray]) -> None:
        """course._Run._entered for every state each of these patients entered at this visit (the
        effects of the visit's route): everything adds up, or keeps the first."""
        out, delay = self.out, self.sim.waits.surgery_delay
        urgent = rows[entered["urgent"]]
        out["urgent_care_week"][urgent[out["urgent_care_week"][urgent] == NONE]] = week
        out["surgical_referral"][rows[entered["referred"]]] = True
        out["rerouted"][rows[entered["rerouted"]]] = True
        discharged = rows[entered["discharged"]]
        out["discharged_week"][discharged[out["discharged_week"][discharged] == NONE]] = week
        if self.queues is not None:  # handed over to the surgeons: operated when theatre has a slot
            self._join_operations(week, rows[entered["surgery"]])
        elif week + delay <= self.sim.weeks:  # handed over to the surgeons: operated after the delay
            operated = rows[entered["surgery"]]
            out["surgery_week"][operated] = week + delay
            self.surgeries.book(operated, week + delay)

    def _harm(self, week: int) -> None:
        flagged = self.h.red_flagged()
        at_risk = flagged[self.h.flags.unattended(flagged, week)]
        worse = at_risk[self.h.worsens(at_risk)]
        self.out["red_flag_worsened"][worse] = True
        self.h.flags.worsen(worse, week)
