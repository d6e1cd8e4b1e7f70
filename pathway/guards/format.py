"""Write a guard AST back as guard text, so that edited guards (mutants, tools) can be saved."""

from __future__ import annotations

import json

from .nodes import And, Compare, Expr, Literal, Name, Not


def format_guard(expr: Expr) -> str:
    """Guard text that parses back to the same AST."""
    return _format(expr, parent=None)


def _format(node: Expr, parent: type | None) -> str:
    if isinstance(node, Literal):
        return "true" if node.value else "false"
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Compare):
        return f"{node.name} {node.op} {_value(node.value)}"
    if isinstance(node, Not):
        return f"not {_format(node.operand, Not)}"
    joiner = " and " if isinstance(node, And) else " or "
    text = joiner.join(_format(o, type(node)) for o in node.operands)
    # Parenthesise a nested and/or, and anything under `not` that binds looser than it.
    return f"({text})" if parent is not None else text


def _value(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, str) else str(value)
