"""Write a guard AST back as guard text, so that edited guards (mutants, tools) can be saved."""

from __future__ import annotations

import json

from .nodes import And, Compare, Expr, Literal, Name, Not


GUARD = ("true", "false")
PYTHON = ("True", "False")  # the one spelling Python differs in: the rest of the grammar is Python's


def format_guard(expr: Expr, booleans: tuple[str, str] = GUARD) -> str:
    """Guard text that parses back to the same AST; with `booleans=PYTHON`, the same expression
    as Python text (exports.python_guards)."""
    return _format(expr, None, booleans)


def _format(node: Expr, parent: type | None, booleans: tuple[str, str]) -> str:
    if isinstance(node, Literal):
        return booleans[0] if node.value else booleans[1]
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Compare):
        return f"{node.name} {node.op} {_value(node.value, booleans)}"
    if isinstance(node, Not):
        return f"not {_format(node.operand, Not, booleans)}"
    joiner = " and " if isinstance(node, And) else " or "
    text = joiner.join(_format(o, type(node), booleans) for o in node.operands)
    # Parenthesise a nested and/or, and anything under `not` that binds looser than it.
    return f"({text})" if parent is not None else text


def _value(value: object, booleans: tuple[str, str]) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_value(v, booleans) for v in value) + "]"
    if isinstance(value, bool):
        return booleans[0] if value else booleans[1]
    return json.dumps(value) if isinstance(value, str) else str(value)
