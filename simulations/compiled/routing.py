"""The pathway compiled for batches of visits: the reference engine's routing rule, with masks.

At a visit a state tries its transitions in order (red-flag escalations first, then its own by
priority) and takes the first whose guard holds; states that decide at once are passed through
in the same visit (see pathway/engine.py). Here every visit of a week is routed together: each
guard is one vectorized mask over the visiting patients (shared between states, so the seven
escalations copied to ten states are worked out once), and "the first that holds" is applied
state by state with masks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import attrs
import numpy as np

from pathway.guards.vectorized import compile_vectorized
from pathway.spec import PathwaySpec, Waits

from ..course import SimulationError


@attrs.frozen
class Routed:
    """A batch of visits routed: where each patient rests, whether the pathway had a gap for
    them (no transition from a deciding state), and the transitions fired, in firing order."""

    resting: np.ndarray  # state index per visit
    fell: np.ndarray  # bool per visit
    step_visit: np.ndarray  # index of the visit in the batch, per transition fired
    step_transition: np.ndarray  # transition index, per transition fired
    step_position: np.ndarray  # 0 for a visit's first transition, 1 for its second, ...


class Router:
    def __init__(self, spec: PathwaySpec, codes: Mapping[str, Sequence[str]]):
        """`codes`: the enum findings whose columns hold codes (see compile_vectorized)."""
        self.spec = spec
        conditions = {c.name: c.expr for c in spec.conditions}
        state_index = {s.id: j for j, s in enumerate(spec.states)}
        transition_index = {t.id: j for j, t in enumerate(spec.transitions)}
        self.terminal = np.array([s.terminal for s in spec.states])
        self.decides = np.array([s.waits is Waits.DECIDES for s in spec.states])
        self.dest = np.array([state_index[t.dest] for t in spec.transitions])
        self.stay = np.array([t.is_stay for t in spec.transitions])
        guards: dict[str, object] = {}  # one mask per distinct guard text: escalation copies share it
        self.tried: list[tuple[tuple[int, str], ...]] = []  # per state: (transition, guard key) in order
        for state in spec.states:
            tried = []
            for t in spec.outgoing(state.id):
                guards.setdefault(t.text, compile_vectorized(t.expr, conditions, codes))
                tried.append((transition_index[t.id], t.text))
            self.tried.append(tuple(tried))
        self.guards = guards

    def route(self, start: np.ndarray, env: Mapping[str, np.ndarray]) -> Routed:
        """Route one visit per element of `start` (state indexes); `env` holds the findings, age
        and week as columns of the same length (see pathway.guards.vectorized)."""
        state = np.array(start, dtype=np.int64)
        fell = np.zeros(len(state), dtype=bool)
        steps: list[tuple[np.ndarray, np.ndarray, int]] = []
        active = np.flatnonzero(~self.terminal[state])
        for position in range(len(self.spec.states) + 1):
            if not active.size:
                break
            chosen, gaps = self._choose(state[active], _Rows(env, active))
            fell[active[gaps]] = True
            moved = chosen >= 0
            rows, fired = active[moved], chosen[moved]
            steps.append((rows, fired, position))
            state[rows] = self.dest[fired]
            # Keep deciding in the same visit after a move into a state that decides at once.
            onward = ~self.stay[fired] & self.decides[self.dest[fired]]
            active = rows[onward]
            active = active[~self.terminal[state[active]]]
        else:  # the validator forbids cycles of deciding states; never loop on a spec that slipped through
            raise SimulationError([f"{self.spec.source}: a visit passed through more states than the pathway has"])
        if not steps:
            steps.append((np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 0))
        return Routed(
            resting=state, fell=fell,
            step_visit=np.concatenate([s[0] for s in steps]),
            step_transition=np.concatenate([s[1] for s in steps]),
            step_position=np.concatenate([np.full(len(s[0]), s[2]) for s in steps]),
        )

    def _choose(self, current: np.ndarray, env: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The transition each row takes from its current state (-1: none holds), and the rows
        whose deciding state has no transition that holds (a gap: FellThrough in the reference)."""
        chosen = np.full(len(current), -1)
        gaps = np.zeros(len(current), dtype=bool)
        masks: dict[str, np.ndarray] = {}
        memo: dict = {}  # named conditions' masks, shared by every guard on these rows
        for s in np.unique(current):
            undecided = current == s
            for transition, key in self.tried[s]:
                if key not in masks:
                    masks[key] = self.guards[key](env, memo)
                taken = undecided & masks[key]
                chosen[taken] = transition
                undecided &= ~taken
                if not undecided.any():
                    break
            if self.decides[s]:
                gaps |= undecided
        return chosen, gaps


class _Rows(Mapping):
    """The columns of `env` restricted to `rows`, each cut only when a guard first reads it."""

    def __init__(self, env: Mapping[str, np.ndarray], rows: np.ndarray):
        self.env, self.rows, self.cut = env, rows, {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.cut:
            self.cut[name] = np.asarray(self.env[name])[self.rows]
        return self.cut[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.env)

    def __len__(self) -> int:
        return len(self.env)
