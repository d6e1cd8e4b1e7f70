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

from collections.abc import Mapping

from pathway.guards import Expr, inline
from pathway.guards.format import PYTHON, format_guard


def to_python(expr: Expr, conditions: Mapping[str, Expr]) -> str:
    """The guard (``conditions`` maps condition names to their guards) as Python expression text."""
    return format_guard(inline(expr, conditions), booleans=PYTHON)
