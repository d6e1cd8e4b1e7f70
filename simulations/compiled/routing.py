"""The pathway compiled for batches of visits: the reference engine's routing rule, with masks.

At a visit a state tries its transitions in order (red-flag escalations first, then its own by
priority) and takes the first whose guard holds; states that decide at once are passed through
in the same visit (see pathway/engine.py). Here every visit of a week is routed together: each
guard is one vectorized mask over the visiting patients (shared between states, so the seven
escalations copied to ten states are worked out once), and "the first that holds" is applied
state by state with masks.

A visit's route (the transitions fired, where the patient rests, or a gap) depends on nothing
but the state it starts in and the values of the columns the guards read, and those take few
values: yes/no, an enum's words, and for a number (age, week) only which side of each
comparison a guard makes it falls. So a visit is keyed by them (one whole number: `key`, or the
compiled course's shorter keys built on `fixed_parts`), `routes` routes one visit per key
never seen before and remembers the route: a cohort has a few thousand keys, met again week
after week and chunk after chunk, and routing a visit becomes a lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import attrs
import numpy as np

from pathway.guards.nodes import And, Compare, Expr, Literal, Name, Not, Or, names_in
from pathway.guards.vectorized import compile_vectorized
from pathway.spec import PathwaySpec, Waits

from ..outcome import SimulationError


@attrs.frozen
class Routed:
    """A batch of visits routed: where each patient rests, whether the pathway had a gap for
    them (no transition from a deciding state), and the transitions fired, in firing order."""

    resting: np.ndarray  # state index per visit
    fell: np.ndarray  # bool per visit
    step_visit: np.ndarray  # index of the visit in the batch, per transition fired
    step_transition: np.ndarray  # transition index, per transition fired
    step_position: np.ndarray  # 0 for a visit's first transition, 1 for its second, ...


@attrs.define
class Routes:
    """Routes, as tables by route number: where the visit ends (or that the pathway had a gap),
    and the transitions fired, in firing order: ``transitions[offsets[r]:offsets[r + 1]]``."""

    resting: np.ndarray  # state index per route
    fell: np.ndarray  # bool per route
    offsets: np.ndarray  # (routes + 1,)
    transitions: np.ndarray  # every route's transitions, one after the other

    @classmethod
    def none(cls) -> Routes:
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, np.zeros(0, dtype=bool), np.zeros(1, dtype=np.int64), empty)

    @classmethod
    def of(cls, routed: Routed) -> Routes:
        """One route per visit of a routed batch."""
        order = np.argsort(routed.step_visit, kind="stable")  # by visit, each in firing order
        counts = np.bincount(routed.step_visit, minlength=len(routed.resting))
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(routed.resting, routed.fell, offsets, routed.step_transition[order].astype(np.int64))

    def __len__(self) -> int:
        return len(self.resting)

    def extend(self, more: Routes) -> None:
        self.resting = np.concatenate([self.resting, more.resting])
        self.fell = np.concatenate([self.fell, more.fell])
        self.offsets = np.concatenate([self.offsets, self.offsets[-1] + more.offsets[1:]])
        self.transitions = np.concatenate([self.transitions, more.transitions])

    def steps(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(visit, transition) of every step of these routes (one visit per id), by visit, in firing order."""
        counts = self.offsets[ids + 1] - self.offsets[ids]
        visit = np.repeat(np.arange(len(ids)), counts)
        # Step k of the batch is step (k - the visit's first step in the batch) of its route.
        starts = np.cumsum(counts) - counts
        index = np.arange(len(visit)) + np.repeat(self.offsets[ids] - starts, counts)
        return visit, self.transitions[index]


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
        self.columns = _key_columns(spec, codes, len(spec.states))  # (name, kind, radix, comparisons); None: no keys
        self._codes = codes

    def routes(self, start: np.ndarray, keys: np.ndarray | None,
               columns: Callable[[np.ndarray], Mapping[str, np.ndarray]]) -> tuple[Routes, np.ndarray]:
        """Each visit's route: the routes table and each visit's number in it. `keys`: one whole
        number per visit that fixes its route (`key`), or None to route every visit (a pathway
        whose visits cannot be keyed: the table is then this batch's, a route per visit).
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

    @property
    def keyed(self) -> bool:
        """Visits can be keyed (every column the guards read takes few values, 63 bits in all)."""
        return self.columns is not None

    def key(self, start: np.ndarray, env: Mapping[str, np.ndarray], names=None) -> np.ndarray | None:
        """One whole number per visit, fixing its route: the start state and the columns the guards
        read (all, or those in `names`; a number column as the results of the comparisons the guards
        make on it), in mixed radix. None when a column is not of the type expected."""
        key = np.asarray(start, dtype=np.int64).copy()
        return self.extend_key(key, env, names)

    def extend_key(self, key: np.ndarray, env: Mapping[str, np.ndarray], names=None) -> np.ndarray | None:
        """`key` (changed) with these columns appended, in mixed radix (see `key`)."""
        for name, kind, radix, compares in self.columns:
            if names is not None and name not in names:
                continue
            column = np.asarray(env[name])
            if column.dtype.kind not in {"yes/no": "b", "code": "iu", "number": "iu"}[kind]:
                return None
            if kind == "number":
                column = sum(compare(env).astype(np.int64) << j for j, compare in enumerate(compares))
            key *= radix
            key += column
        return key

    def radix(self, names) -> int:
        """How many values the columns `names` take together in a key."""
        return int(np.prod([radix for name, _, radix, _ in self.columns if name in names], dtype=object))

    def fixed_parts(self, fixed: set[str], known: Mapping[str, object]) -> list[Callable]:
        """The guards' largest parts that read only `fixed` columns, once the columns in `known`
        are given those values (at a visit with no red flag showing: no to every red-flag
        question), as masks over the fixed columns. Every guard is then a function of these parts
        and the other columns: visits that agree on them and on the other columns route alike."""
        parts: dict[Expr, None] = {}
        for t in self.spec.transitions:
            _collect_fixed(_given(self.spec.spelled_out(t.expr), known, self._codes), fixed, parts)
        return [compile_vectorized(part, {}, self._codes) for part in parts]

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


def _given(expr: Expr, known: Mapping[str, object], codes) -> Expr:
    """`expr` with every leaf on a column in `known` replaced by its value there, simplified."""
    if isinstance(expr, (Name, Compare)):
        if expr.name not in known:
            return expr
        value = compile_vectorized(expr, {}, codes)({expr.name: np.array([known[expr.name]])})
        return Literal(bool(value[0]))
    if isinstance(expr, Not):
        operand = _given(expr.operand, known, codes)
        return Literal(not operand.value) if isinstance(operand, Literal) else Not(operand)
    if isinstance(expr, (And, Or)):
        decisive = isinstance(expr, Or)  # the value that settles it: true for `or`, false for `and`
        operands = []
        for operand in (_given(o, known, codes) for o in expr.operands):
            if isinstance(operand, Literal):
                if operand.value == decisive:
                    return Literal(decisive)
                continue
            operands.append(operand)
        if not operands:
            return Literal(not decisive)
        return operands[0] if len(operands) == 1 else type(expr)(tuple(operands))
    return expr


def _reads_only(expr: Expr, columns: set[str]) -> bool:
    return not isinstance(expr, Literal) and all(name in columns for name in names_in(expr))


def _collect_fixed(expr: Expr, fixed: set[str], parts: dict) -> None:
    """The largest parts of `expr` that read only `fixed` columns (the fixed operands of an `and`
    or `or` together, as one part), into `parts`."""
    if _reads_only(expr, fixed):
        parts.setdefault(expr, None)
    elif isinstance(expr, Not):
        _collect_fixed(expr.operand, fixed, parts)
    elif isinstance(expr, (And, Or)):
        mine = [o for o in expr.operands if _reads_only(o, fixed)]
        if mine:
            parts.setdefault(mine[0] if len(mine) == 1 else type(expr)(tuple(mine)), None)
        for operand in expr.operands:
            if operand not in mine:
                _collect_fixed(operand, fixed, parts)


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct keys in order, one row that has each, and each row's group (an index into
    them): np.unique's, by one sort (any row of a group will do)."""
    order = np.argsort(keys)
    ordered = keys[order]
    starts = np.flatnonzero(np.append(True, ordered[1:] != ordered[:-1]))
    group = np.empty(len(keys), dtype=np.int64)
    group[order] = np.cumsum(np.append(True, ordered[1:] != ordered[:-1])) - 1
    return ordered[starts], order[starts], group


def _key_columns(spec: PathwaySpec, codes: Mapping[str, Sequence[str]], states: int) -> list | None:
    """How each column the guards read goes into a visit's key: (name, kind, radix, comparisons):
    a yes/no column as itself, an enum's codes as themselves, a number as the bits of the
    comparisons the guards make on it. None when the keys would not fit in 62 bits."""
    leaves: dict[str, dict] = {}

    def walk(expr) -> None:
        if isinstance(expr, (Name, Compare)):
            leaves.setdefault(expr.name, {})[expr] = None
        elif isinstance(expr, Not):
            walk(expr.operand)
        elif isinstance(expr, (And, Or)):
            for operand in expr.operands:
                walk(operand)

    for t in spec.transitions:
        walk(spec.spelled_out(t.expr))
    columns, size = [], states
    for name in sorted(leaves):
        finding = spec.finding.get(name)
        if name in codes:
            columns.append((name, "code", len(codes[name]), ()))
        elif finding is not None and finding.type == "boolean":
            columns.append((name, "yes/no", 2, ()))
        else:
            compares = tuple(compile_vectorized(leaf, {}, codes) for leaf in leaves[name])
            columns.append((name, "number", 2 ** len(compares), compares))
        size *= columns[-1][2]
    return columns if size < 2**62 else None


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
