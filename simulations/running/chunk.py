"""A block of consecutive patients' runs as columns: what either engine produces, what the
totals, the tables and the differential tests read.

Both engines (the reference, one `transitions` course per patient, and the compiled, whole
arrays per week) produce a `Chunk`; two chunks of the same patients are equal exactly when the
per-patient traces are: every outcome, the resting state each week, every visit and every
transition fired, in order.

Encoding (NumPy arrays, one element per patient, visit or step):
- whole numbers as signed integers (the reference engine's ``int64``; the compiled engine's the
  narrowest type that holds every value), with ``NONE`` (-1) for "did not happen" (every real
  value is 0 or more);
- yes/no as ``bool``;
- the natural history's words (``recovery``, ``mimic``, ``red_flags``) as integer codes into
  ``chunk.words[name]``, a tuple of the words;
- states, transitions, reasons, urgencies and imaging orders as small integer codes: indexes
  into ``spec.states``, ``spec.transitions``, ``REASONS``, ``URGENCIES`` and the pathway's
  orders (``orders.order_table(spec)``).

A *slim* chunk (``Chunk.slim``) keeps only what the tables need: the patients, ``improved`` at
a few weeks, and the visits only if asked; its totals are made from the whole chunk first, where
it ran. Slim chunks are what worker processes send back, and what checkpoints keep.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from pathway.spec import PathwaySpec, Urgency

from ..engines.orders import order_table
from ..engines.outcome import Outcome, PatientRun

NONE = -1
REASONS = ("first", "review", "result", "red_flag", "new_episode", "return")
URGENCIES = tuple(u.value for u in Urgency)

TEXT = ("recovery", "mimic", "red_flags")  # natural-history words, as codes into `Chunk.words`
STATE = ("final_state",)  # a state index
# Outcome fields in a chunk's `patients` (not `patient_id`: the patient's index; nor `improved`: its own matrix).
PATIENT_FIELDS = tuple(f.name for f in attrs.fields(Outcome) if f.name not in ("patient_id", "improved"))
_BOOL = frozenset(f.name for f in attrs.fields(Outcome) if f.type == "bool")
VISIT_FIELDS = ("patient", "episode", "week", "reason", "start", "state", "urgency", "imaging")
STEP_FIELDS = ("visit", "transition")  # visit: row in the chunk's visits; in firing order


def patient_id(index: int) -> str:
    return f"P{index:07d}"


@attrs.frozen
class Parts:
    """What a slim chunk keeps: `improved` at these weeks, and the visits and steps or not."""

    improved_weeks: tuple[int, ...]
    visits: bool = True


@attrs.define(eq=False)
class Chunk:
    first: int  # index of the chunk's first patient
    patients: dict[str, np.ndarray]  # PATIENT_FIELDS
    # Week by week (a row per week, a column per patient: each week's is one contiguous row):
    improved: np.ndarray  # (weeks + 1, n) bool: improved at the end of each week (slim: at `improved_weeks`)
    states: np.ndarray | None  # (weeks + 1, n) int16: resting state at the end of each week (slim: None)
    visits: dict[str, np.ndarray] | None  # VISIT_FIELDS, one row per visit, by patient then week
    steps: dict[str, np.ndarray] | None  # STEP_FIELDS, one row per transition fired
    words: dict[str, tuple[str, ...]]  # TEXT field -> its words, by code
    improved_weeks: tuple[int, ...] | None = None  # slim: the weeks `improved` holds (None: every week)
    # (weeks + 1, states) patients resting in each state at the end of each week, when the engine
    # counted them as it went (None: Totals counts them from `states`).
    occupancy: np.ndarray | None = None
    capacity: object = None  # capacity.totals.QueueTotals of the catchment the chunk is (None: no capacity)

    @property
    def n(self) -> int:
        return self.improved.shape[1]

    def improved_at(self, week: int) -> np.ndarray:
        """(n,) bool: improved at the end of `week`."""
        return self.improved[week if self.improved_weeks is None else self.improved_weeks.index(week)]

    def slim(self, parts: Parts) -> Chunk:
        """Only the parts the tables need (copies: the whole chunk's memory can go)."""
        keep = parts.visits and self.visits is not None
        return Chunk(
            self.first, self.patients, self._improved(parts.improved_weeks), None,
            self.visits if keep else None, self.steps if keep else None, self.words, parts.improved_weeks,
            capacity=self.capacity)

    def _improved(self, weeks: tuple[int, ...]) -> np.ndarray:
        return np.stack([self.improved_at(w) for w in weeks]) if weeks else np.zeros((0, self.n), dtype=bool)

    def differences(self, other: Chunk, spec: PathwaySpec, limit: int = 5) -> list[str]:
        """Where two chunks of the same patients disagree, patient by patient, in words (empty
        when they are identical); at most `limit` patients are described."""
        if (self.first, self.n) != (other.first, other.n):
            return [f"different patients: {self.first}+{self.n} vs {other.first}+{other.n}"]
        found = []
        for i in range(self.n):
            mine, theirs = self.story(i, spec), other.story(i, spec)
            if mine != theirs:
                diff = [f"  {a}\n  {b}" for a, b in zip(mine, theirs) if a != b] or ["  (different lengths)"]
                found.append(f"{patient_id(self.first + i)}:\n" + "\n".join(diff[:3]))
                if len(found) == limit:
                    break
        return found

    def story(self, i: int, spec: PathwaySpec) -> list[str]:
        """Patient `i` of the chunk (0-based) as lines: outcome fields, states by week, visits with
        the transitions fired. Two engines agree on a patient exactly when their stories do."""
        lines = [f"{name} = {self._value(name, i)!r}" for name in PATIENT_FIELDS]
        lines.append("improved = " + "".join("+" if x else "." for x in self.improved[:, i]))
        lines.append("states = " + " ".join(spec.states[s].id for s in self.states[:, i]))
        rows = np.flatnonzero(self.visits["patient"] == self.first + i)
        step_visits = self.steps["visit"]
        orders = order_table(spec).ids
        for row in rows:
            v = {name: int(self.visits[name][row]) for name in VISIT_FIELDS}
            fired = [spec.transitions[t].id for t in self.steps["transition"][step_visits == row]]
            lines.append(
                f"week {v['week']} episode {v['episode']} {REASONS[v['reason']]}: {spec.states[v['start']].id} "
                f"-> {spec.states[v['state']].id} via [{' '.join(fired)}] urgency {URGENCIES[v['urgency']]} "
                f"imaging {orders[v['imaging']]}")
        return lines

    def _value(self, name: str, i: int):
        value = self.patients[name][i].item()
        return self.words[name][value] if name in TEXT else value


def from_runs(spec: PathwaySpec, first: int, runs: Sequence[PatientRun]) -> Chunk:
    """The reference engine's runs (patients first, first + 1, ...) as a chunk."""
    state_index = {s.id: j for j, s in enumerate(spec.states)}
    transition_index = {t.id: j for j, t in enumerate(spec.transitions)}
    order_index = order_table(spec).codes
    patients: dict[str, list] = {name: [] for name in PATIENT_FIELDS}
    visits: dict[str, list] = {name: [] for name in VISIT_FIELDS}
    steps: dict[str, list] = {name: [] for name in STEP_FIELDS}
    for i, run in enumerate(runs, first):
        for name in PATIENT_FIELDS:
            value = getattr(run.outcome, name)
            patients[name].append(state_index[value] if name in STATE else (NONE if value is None else value))
        for v in run.visits:
            row = len(visits["patient"])
            for name, value in zip(VISIT_FIELDS, (
                i, v.episode, v.week, REASONS.index(v.reason), state_index[v.start], state_index[v.state],
                URGENCIES.index(v.urgency), order_index[v.imaging],
            )):
                visits[name].append(value)
            for t in v.transitions.split():
                steps["visit"].append(row)
                steps["transition"].append(transition_index[t])
    weeks = len(runs[0].states) if runs else 1
    words = {name: tuple(dict.fromkeys(patients[name])) for name in TEXT}  # in order of first use
    for name, used in words.items():
        code = {word: j for j, word in enumerate(used)}
        patients[name] = [code[word] for word in patients[name]]
    return Chunk(
        first=first,
        patients={name: _column(name, values) for name, values in patients.items()},
        improved=np.array([r.outcome.improved for r in runs], dtype=bool).reshape(len(runs), weeks).T.copy(),
        states=np.array([[state_index[s] for s in r.states] for r in runs], dtype=np.int16).reshape(len(runs), weeks).T.copy(),
        visits={name: np.array(values, dtype=np.int64) for name, values in visits.items()},
        steps={name: np.array(values, dtype=np.int64) for name, values in steps.items()},
        words=words,
    )


def _column(name: str, values: list) -> np.ndarray:
    return np.array(values, dtype=bool if name in _BOOL else np.int64)
