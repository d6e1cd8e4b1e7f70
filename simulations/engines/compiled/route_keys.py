"""The key that fixes a visit's route.

A visit's route (the transitions fired, where the patient rests, or a gap) depends on nothing
but the state it starts in and the values of the columns the guards read, and those take few
values: yes/no, an enum's words, and for a number (age, week) only which side of each
comparison a guard makes it falls. So a visit is keyed by them (one whole number: `key`, or the
compiled course's shorter keys built on `fixed_parts`), and the router routes one visit per key
never seen before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from pathway.guards.nodes import And, Compare, Expr, Literal, Name, Not, Or, leaves_in, names_in
from pathway.guards.vectorized import compile_vectorized
from pathway.spec import PathwaySpec


class VisitKeys:
    """How a pathway's visits are keyed: `columns`, each column the guards read with its kind,
    radix and comparisons (None: the keys would not fit, so visits are not keyed)."""

    def __init__(self, spec: PathwaySpec, codes: Mapping[str, Sequence[str]]):
        """`codes`: the enum findings whose columns hold codes (see compile_vectorized)."""
        self.spec, self.codes = spec, codes
        self.columns = _key_columns(spec, codes, len(spec.states))  # (name, kind, radix, comparisons); None: no keys

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
            _collect_fixed(_given(self.spec.spelled_out(t.expr), known, self.codes), fixed, parts)
        return [compile_vectorized(part, {}, self.codes) for part in parts]


def _key_columns(spec: PathwaySpec, codes: Mapping[str, Sequence[str]], states: int) -> list | None:
    """How each column the guards read goes into a visit's key: (name, kind, radix, comparisons):
    a yes/no column as itself, an enum's codes as themselves, a number as the bits of the
    comparisons the guards make on it. None when the keys would not fit in 62 bits."""
    leaves: dict[str, dict] = {}
    for t in spec.transitions:
        for leaf in leaves_in(spec.spelled_out(t.expr)):
            leaves.setdefault(leaf.name, {})[leaf] = None
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


# -- guard parts: known columns filled in, fixed parts collected -------------------------------------


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
