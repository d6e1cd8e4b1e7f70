"""A block of consecutive patients' runs as columns: what either engine produces, what the
totals, the tables and the differential tests read.

Both engines (the reference, one `transitions` course per patient, and the compiled, whole
arrays per week) produce a `Chunk`; two chunks of the same patients are equal exactly when the
per-patient traces are: every outcome, the resting state each week, every visit and every
transition fired, in order.

Encoding (NumPy arrays, one element per patient, visit or step):
- whole numbers as ``int64``, with ``NONE`` (-1) for "did not happen" (every real value is 0 or more);
- yes/no as ``bool``;
- the natural history's words (``recovery``, ``mimic``, ``red_flags``) as ``<U`` strings;
- states, transitions, reasons, urgencies and imaging as small integer codes: indexes into
  ``spec.states``, ``spec.transitions``, ``REASONS``, ``URGENCIES`` and ``IMAGINGS``.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from pathway.spec import Imaging, PathwaySpec, Urgency

from .course import Outcome, PatientRun

NONE = -1
REASONS = ("first", "review", "result", "red_flag", "new_episode")
URGENCIES = tuple(u.value for u in Urgency)
IMAGINGS = tuple(i.value for i in Imaging)

TEXT = ("recovery", "mimic", "red_flags")  # natural-history words, kept as strings
STATE = ("final_state",)  # a state index
# Outcome fields in a chunk's `patients` (the id is the patient's index; `improved` is its own matrix).
PATIENT_FIELDS = tuple(f.name for f in attrs.fields(Outcome) if f.name not in ("id", "improved"))
_BOOL = frozenset(f.name for f in attrs.fields(Outcome) if f.type == "bool")
VISIT_FIELDS = ("patient", "episode", "week", "reason", "start", "state", "urgency", "imaging")
STEP_FIELDS = ("visit", "transition")  # visit: row in the chunk's visits; in firing order


def patient_id(index: int) -> str:
    return f"P{index:07d}"


@attrs.define(eq=False)
class Chunk:
    first: int  # index of the chunk's first patient
    patients: dict[str, np.ndarray]  # PATIENT_FIELDS
    improved: np.ndarray  # (n, weeks + 1) bool: improved at the end of each week
    states: np.ndarray  # (n, weeks + 1) int16: resting state at the end of each week
    visits: dict[str, np.ndarray]  # VISIT_FIELDS, one row per visit, by patient then week
    steps: dict[str, np.ndarray]  # STEP_FIELDS, one row per transition fired

    @property
    def n(self) -> int:
        return len(self.states)

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
        lines = [f"{name} = {self.patients[name][i].item()!r}" for name in PATIENT_FIELDS]
        lines.append("improved = " + "".join("+" if x else "." for x in self.improved[i]))
        lines.append("states = " + " ".join(spec.states[s].id for s in self.states[i]))
        rows = np.flatnonzero(self.visits["patient"] == self.first + i)
        step_visits = self.steps["visit"]
        for row in rows:
            v = {name: int(self.visits[name][row]) for name in VISIT_FIELDS}
            fired = [spec.transitions[t].id for t in self.steps["transition"][step_visits == row]]
            lines.append(
                f"week {v['week']} episode {v['episode']} {REASONS[v['reason']]}: {spec.states[v['start']].id} "
                f"-> {spec.states[v['state']].id} via [{' '.join(fired)}] urgency {URGENCIES[v['urgency']]} "
                f"imaging {IMAGINGS[v['imaging']]}")
        return lines


def from_runs(spec: PathwaySpec, first: int, runs: Sequence[PatientRun]) -> Chunk:
    """The reference engine's runs (patients first, first + 1, ...) as a chunk."""
    state_index = {s.id: j for j, s in enumerate(spec.states)}
    transition_index = {t.id: j for j, t in enumerate(spec.transitions)}
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
                URGENCIES.index(v.urgency), IMAGINGS.index(v.imaging),
            )):
                visits[name].append(value)
            for t in v.transitions.split():
                steps["visit"].append(row)
                steps["transition"].append(transition_index[t])
    weeks = len(runs[0].states) if runs else 1
    return Chunk(
        first=first,
        patients={name: _column(name, values) for name, values in patients.items()},
        improved=np.array([r.outcome.improved for r in runs], dtype=bool).reshape(len(runs), weeks),
        states=np.array([[state_index[s] for s in r.states] for r in runs], dtype=np.int16).reshape(len(runs), weeks),
        visits={name: np.array(values, dtype=np.int64) for name, values in visits.items()},
        steps={name: np.array(values, dtype=np.int64) for name, values in steps.items()},
    )


def _column(name: str, values: list) -> np.ndarray:
    if name in TEXT:
        return np.array(values, dtype=str)
    return np.array(values, dtype=bool if name in _BOOL else np.int64)
