"""Guards over whole cohorts: one boolean mask for an array of visits, with NumPy.

The same semantics as `compile_guard`, one element per visit, but ``env`` maps each finding
name (and ``age``, ``week``) to a 1-D column, all of one length:

- booleans as ``bool`` arrays, integers as ``int`` arrays;
- enums as NumPy string arrays (``<U`` dtype) holding the values as written in the spec; or,
  when ``codes`` gives a finding's values in order, as integer codes (indexes into them): each
  comparison is then a lookup table over the finding's few values, the fastest form for an
  engine that keeps whole cohorts in memory.

Like `compile_guard` it is a closure tree over the AST (no eval, no exec), and each named
condition is compiled once. Within one call each named condition's mask is computed once
however often the guard mentions it, through a per-call memo.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from .evaluate import COMPARISONS, TESTS
from .nodes import And, Compare, Expr, Literal, Name, Not

Columns = Mapping[str, np.ndarray]
Mask = Callable[[Columns], np.ndarray]
_Node = Callable[[Columns, dict], np.ndarray]  # (columns, per-call memo of condition masks) -> mask

_COMPARE = {
    **COMPARISONS,
    "in": lambda col, values: np.isin(col, list(values)),
    "not in": lambda col, values: np.isin(col, list(values), invert=True),
}


def compile_vectorized(expr: Expr, conditions: Mapping[str, Expr],
                       codes: Mapping[str, Sequence[str]] | None = None) -> Mask:
    """A function from columns to a ``bool`` mask, one element per row; ``conditions`` maps names
    to exprs; ``codes`` maps enum findings given as integer codes to their values, in code order.

    The mask is never one of the input columns. ``memo`` (optional) is a dict of condition
    masks to share between guards compiled with the same ``conditions`` and called on the same
    columns, e.g. every transition of a state; by default each call has its own. Treat masks
    as read-only when sharing a memo: a guard that is just a condition's name returns its entry.
    """
    cache: dict[str, _Node] = {}
    codes = codes or {}

    def build(node: Expr) -> _Node:
        if isinstance(node, Literal):
            value = node.value
            return lambda env, memo: np.full(_length(env), value, dtype=bool)
        if isinstance(node, Name):
            if node.name in conditions:
                if node.name not in cache:
                    cache[node.name] = _memoised(node.name, build(conditions[node.name]))
                return cache[node.name]
            key = node.name
            return lambda env, memo: _is_true(env[key])
        if isinstance(node, Compare) and node.name in codes:
            # Decide the comparison once per value; a row's answer is its code's entry.
            key, test, value = node.name, TESTS[node.op], node.value
            table = np.array([test(word, value) for word in codes[key]], dtype=bool)
            return lambda env, memo: table[env[key]]
        if isinstance(node, Compare):
            key, test, value = node.name, _COMPARE[node.op], node.value
            return lambda env, memo: np.asarray(test(np.asarray(env[key]), value), dtype=bool)
        if isinstance(node, Not):
            inner = build(node.operand)
            return lambda env, memo: ~inner(env, memo)
        parts = tuple(build(o) for o in node.operands)
        combine = operator.and_ if isinstance(node, And) else operator.or_
        # No short-circuit: every operand is a whole column, and `&`/`|` make new arrays.
        return lambda env, memo: functools.reduce(combine, (p(env, memo) for p in parts))

    root = build(expr)

    def mask(env: Columns, memo: dict | None = None) -> np.ndarray:
        return root(env, {} if memo is None else memo)

    return mask


def _memoised(name: str, inner: _Node) -> _Node:
    def node(env: Columns, memo: dict) -> np.ndarray:
        if name not in memo:
            memo[name] = inner(env, memo)
        return memo[name]

    return node


def _is_true(column) -> np.ndarray:
    # compile_guard's `env[name] is True`: only a real True counts, never 1 or "yes".
    column = np.asarray(column)
    if column.dtype == bool:
        return column.copy()  # a copy, so callers may change the mask without changing the column
    return np.fromiter((v is True for v in column), dtype=bool, count=len(column))


def _length(env: Columns) -> int:
    # Literals have no column of their own: they take the batch's length (0 if there are no columns).
    return len(next(iter(env.values()))) if env else 0


def columns(envs: Sequence[Mapping[str, object]]) -> dict[str, np.ndarray]:
    """Per-visit envs (all with the keys of the first) as columns: bools, ints and ``<U`` strings.

    An empty sequence gives ``{}``: build typed empty columns by hand if a guard needs them.
    """
    if not envs:
        return {}
    return {key: np.asarray([env[key] for env in envs]) for key in envs[0]}
