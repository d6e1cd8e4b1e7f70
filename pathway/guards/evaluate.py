"""Turn a checked guard into a Python predicate, and explain which findings made it true.

Names resolve to findings (values in the visit's environment) or to named conditions.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping

from .nodes import And, Compare, Expr, Literal, Name, Not

Env = Mapping[str, object]
Predicate = Callable[[Env], bool]

# Work on single values and, elementwise, on NumPy columns (guards/vectorized.py).
COMPARISONS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
TESTS = {  # every operator on one value: what compile_guard applies
    **COMPARISONS,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}


def compile_guard(expr: Expr, conditions: Mapping[str, Expr]) -> Predicate:
    """A closure tree over the AST: no eval, no exec. ``conditions`` maps names to their exprs."""
    cache: dict[str, Predicate] = {}

    def build(node: Expr) -> Predicate:
        if isinstance(node, Literal):
            value = node.value
            return lambda env: value
        if isinstance(node, Name):
            if node.name in conditions:
                if node.name not in cache:
                    cache[node.name] = build(conditions[node.name])
                return cache[node.name]
            key = node.name
            return lambda env: env[key] is True
        if isinstance(node, Compare):
            key, test, value = node.name, TESTS[node.op], node.value
            return lambda env: test(env[key], value)
        if isinstance(node, Not):
            inner = build(node.operand)
            return lambda env: not inner(env)
        parts = tuple(build(o) for o in node.operands)
        if isinstance(node, And):
            return lambda env: all(p(env) for p in parts)
        return lambda env: any(p(env) for p in parts)

    return build(expr)


def explain(expr: Expr, env: Env, conditions: Mapping[str, Expr], want: bool = True) -> list[tuple[str, object]]:
    """The (finding, value) pairs that give the guard the value ``want``, first mention first."""
    seen: dict[str, object] = {}
    _explain(expr, env, conditions, want, seen)
    return list(seen.items())


def _explain(node: Expr, env, conditions, want: bool, seen: dict) -> None:
    if isinstance(node, Literal):
        return
    if isinstance(node, Name) and node.name in conditions:
        _explain(conditions[node.name], env, conditions, want, seen)
    elif isinstance(node, (Name, Compare)):
        seen.setdefault(node.name, env[node.name])
    elif isinstance(node, Not):
        _explain(node.operand, env, conditions, not want, seen)
    else:
        values = [(o, compile_guard(o, conditions)(env)) for o in node.operands]
        decisive = [o for o, v in values if v == want]
        # An `and` made false, or an `or` made true, needs only its decisive operands;
        # an `and` made true, or an `or` made false, needs all of them.
        all_needed = isinstance(node, And) == want
        for operand in ([o for o, _ in values] if all_needed else decisive):
            _explain(operand, env, conditions, want, seen)
