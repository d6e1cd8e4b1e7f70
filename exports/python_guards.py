"""A guard as a Python expression over the findings, for engines that evaluate Python (SpiffWorkflow
evaluates a BPMN condition as a Python expression over the task's data).

Only text is generated here; nothing is evaluated. The expression is restricted: finding names,
literals, comparisons (``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in``/``not in`` a list), ``and``,
``or``, ``not`` and parentheses. Named conditions are spelled out, so the expression reads only the
visit's findings (and the inputs ``age`` and ``week``), which the engine holds as task data:

    >>> to_python(parse_guard('suspected_cauda_equina and week >= 6'), conditions)
    '(bladder_dysfunction or bowel_dysfunction or ...) and week >= 6'

The same truth as `pathway.guards.compile_guard` for every visit whose findings are well typed
(tests/test_exports_bpmn.py proves it on generated findings for every guard of the shipped pathway).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from pathway.guards import And, Compare, Expr, Literal, Name, Not, inline


def to_python(expr: Expr, conditions: Mapping[str, Expr]) -> str:
    """The guard (``conditions`` maps condition names to their guards) as Python expression text."""
    return _python(inline(expr, conditions), top=True)


def _python(node: Expr, top: bool = False) -> str:
    if isinstance(node, Literal):
        return "True" if node.value else "False"
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Compare):
        return f"{node.name} {node.op} {_value(node.value)}"
    if isinstance(node, Not):
        inner = _python(node.operand)
        return f"not {inner}" if isinstance(node.operand, (Name, Literal)) else f"not ({inner})"
    joiner = " and " if isinstance(node, And) else " or "
    text = joiner.join(_python(o) for o in node.operands)
    return text if top else f"({text})"


def _value(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "True" if value else "False"
    return json.dumps(value) if isinstance(value, str) else str(value)
