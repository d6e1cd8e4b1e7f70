"""The pathway compiled for batches of visits: the reference engine's routing rule, with masks.

At a visit a state tries its transitions in order (red-flag escalations first, then its own by
priority) and takes the first whose guard holds; states that decide at once are passed through
in the same visit (see pathway/engine.py). Here every visit of a week is routed together: each
guard is one vectorized mask over the visiting patients (shared between states, so the seven
escalations copied to ten states are worked out once), and "the first that holds" is applied
state by state with masks.

Visits are keyed by what fixes their route (route_keys.py): `Router.routes` routes one visit per
key never seen before and remembers the route: a cohort has a few thousand keys, met again week
after week and chunk after chunk, and routing a visit becomes a lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

from pathway.guards.vectorized import compile_vectorized
from pathway.spec import PathwaySpec, Waits

from ..outcome import SimulationError
from .route_keys import VisitKeys
from .routes import Routed, Routes


class Router:
    """Routes batches of visits, remembering the route of each visit key it has seen."""

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
        # One mask per distinct guard (by its parsed form, never its words, which a mutant or an
        # edit may leave behind): escalation copies share it.
        guards: dict[object, object] = {}
        self.tried: list[tuple[tuple[int, object], ...]] = []  # per state: (transition, guard key) in order
        for state in spec.states:
            tried = []
            for t in spec.outgoing(state.id):
                if t.expr not in guards:
                    guards[t.expr] = compile_vectorized(t.expr, conditions, codes)
                tried.append((transition_index[t.id], t.expr))
            self.tried.append(tuple(tried))
        self.guards = guards
        self.known = Routes.none()  # every route remembered, numbered in the order first met
        self._keys = np.zeros(0, dtype=np.int64)  # sorted keys of the routes remembered ...
        self._ids = np.zeros(0, dtype=np.int64)  # ... and their route numbers
        self.visit_keys = VisitKeys(spec, codes)

    def routes(self, start: np.ndarray, keys: np.ndarray | None,
               columns: Callable[[np.ndarray], Mapping[str, np.ndarray]]) -> tuple[Routes, np.ndarray]:
        """Each visit's route: the routes table and each visit's number in it. `keys`: one whole
        number per visit that fixes its route (`VisitKeys.key`), or None to route every visit (a
        pathway whose visits cannot be keyed: the table is then this batch's, a route per visit).
        `columns(visits)`: the guards' columns for some of the visits (indexes into the batch):
        only visits with a key never seen before are routed, and their routes remembered."""
        if keys is None:
            return Routes.of(self.route(start, columns(np.arange(len(start))))), np.arange(len(start))
        keys, first, which = _groups(keys)
        at = np.minimum(np.searchsorted(self._keys, keys), max(len(self._keys) - 1, 0))
        known = self._keys[at] == keys if len(self._keys) else np.zeros(len(keys), dtype=bool)
        ids = np.where(known, self._ids[at] if len(self._ids) else 0, -1)
        new = np.flatnonzero(~known)
        if new.size:  # route one visit of each new key, and remember its route
            visits = first[new]
            ids[new] = len(self.known) + np.arange(len(new))
            self.known.extend(Routes.of(self.route(start[visits], columns(visits))))
            at = np.searchsorted(self._keys, keys[new])  # keys are in order: so are the new ones
            self._keys, self._ids = np.insert(self._keys, at, keys[new]), np.insert(self._ids, at, ids[new])
        return self.known, ids[which]

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


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct keys in order, one row that has each, and each row's group (an index into
    them): np.unique's, by one sort (any row of a group will do)."""
    order = np.argsort(keys)
    ordered = keys[order]
    starts = np.flatnonzero(np.append(True, ordered[1:] != ordered[:-1]))
    group = np.empty(len(keys), dtype=np.int64)
    group[order] = np.cumsum(np.append(True, ordered[1:] != ordered[:-1])) - 1
    return ordered[starts], order[starts], group


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
