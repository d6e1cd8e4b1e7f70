"""A guard as a FHIRPath expression over a visit's QuestionnaireResponse (the `%resource` it is
evaluated against), for the PlanDefinition's applicability conditions (`text/fhirpath`).

Each finding is read from its item, as `pathway.fhir_input` lays responses out (linkId = the
finding's name; booleans, integers, and choices as Codings, compared by code); a finding with a
default (an optional question) reads the default when its item is left out, as the engine does:

    fever                      %resource.item.where(linkId='fever').answer.value = true
    trend != "improving"       %resource.item.where(linkId='trend').answer.value.code != 'improving'
    weakness in ["severe", ...]    ... .answer.value.code in ('severe' | 'progressive')

Named conditions are spelled out, so each expression stands alone (no Library to resolve). Only
text is generated here; tests/test_exports.py evaluates it with fhirpathpy against the guard engine.
"""

from __future__ import annotations

from collections.abc import Mapping

from pathway.guards import And, Compare, Expr, Literal, Name, Not, inline
from pathway.spec import Finding

_OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def to_fhirpath(expr: Expr, conditions: Mapping[str, Expr], findings: Mapping[str, Finding]) -> str:
    """The guard (``conditions`` maps condition names to their guards) as FHIRPath text."""
    return _path(inline(expr, conditions), findings, top=True)


def _path(node: Expr, findings, top: bool = False) -> str:
    if isinstance(node, Literal):
        return "true" if node.value else "false"
    if isinstance(node, Name):
        return f"{answer(findings[node.name])} = true"
    if isinstance(node, Compare):
        return _compare(node, findings[node.name])
    if isinstance(node, Not):
        return f"({_path(node.operand, findings, top=True)}).not()"
    joiner = " and " if isinstance(node, And) else " or "
    text = joiner.join(_path(o, findings) for o in node.operands)
    return text if top else f"({text})"


def _compare(node: Compare, finding: Finding) -> str:
    value = answer(finding)
    if node.op in ("in", "not in"):
        test = f"{value} in ({' | '.join(literal(v) for v in node.value)})"
        return test if node.op == "in" else f"({test}).not()"
    return f"{value} {_OPS[node.op]} {literal(node.value)}"


def answer(finding: Finding) -> str:
    """The finding's answer in the response (a choice's code); its default when the item is absent."""
    item = f"%resource.item.where(linkId='{finding.name}').answer"
    value = f"{item}.value" + (".code" if finding.type == "enum" else "")
    if finding.default is None or finding.is_input:
        return value
    return f"iif({item}.exists(), {value}, {literal(finding.default)})"


def literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    escaped = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"
