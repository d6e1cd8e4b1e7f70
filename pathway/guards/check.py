"""Type-check a parsed guard against the findings vocabulary and the named conditions."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Set

from .nodes import And, Compare, Expr, Literal, Name, Not, Or

_ORDERING = {"<", "<=", ">", ">="}


def check_guard(expr: Expr, findings: Mapping, conditions: Set[str]) -> list[str]:
    """Every type error in the guard, as messages; an empty list means it is well typed.

    ``findings`` maps names to ``spec.Finding``; ``conditions`` holds the condition names.
    """
    problems: list[str] = []
    _check(expr, findings, conditions, problems)
    return problems


def _check(expr: Expr, findings, conditions, problems: list[str]) -> None:
    if isinstance(expr, Literal):
        return
    if isinstance(expr, (And, Or)):
        for operand in expr.operands:
            _check(operand, findings, conditions, problems)
    elif isinstance(expr, Not):
        _check(expr.operand, findings, conditions, problems)
    elif isinstance(expr, Name):
        _check_name(expr, findings, conditions, problems)
    elif isinstance(expr, Compare):
        _check_compare(expr, findings, conditions, problems)


def _unknown(name: str, findings, conditions) -> str:
    known = sorted(set(findings) | set(conditions))
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean `{close[0]}`?" if close else "; it is neither a finding nor a condition"
    return f"unknown name `{name}`{hint}"


def _check_name(expr: Name, findings, conditions, problems) -> None:
    if expr.name in conditions:
        return
    finding = findings.get(expr.name)
    if finding is None:
        problems.append(_unknown(expr.name, findings, conditions))
    elif finding.type == "enum":
        problems.append(
            f"`{expr.name}` is a choice ({finding.domain_text()}), not true/false: "
            f"compare it, e.g. `{expr.name} == \"{finding.values[0]}\"`"
        )
    elif finding.type == "integer":
        problems.append(
            f"`{expr.name}` is a number ({finding.domain_text()}), not true/false: "
            f"compare it, e.g. `{expr.name} >= {finding.minimum}`"
        )


def _check_compare(expr: Compare, findings, conditions, problems) -> None:
    name, op = expr.name, expr.op
    if name in conditions:
        problems.append(f"`{name}` is a condition (true/false): use `{name}` or `not {name}`, not `{op}`")
        return
    finding = findings.get(name)
    if finding is None:
        problems.append(_unknown(name, findings, conditions))
        return
    values = expr.value if op in ("in", "not in") else (expr.value,)
    if finding.type == "boolean":
        if op not in ("==", "!="):
            problems.append(f"`{op}` is not defined for `{name}`, which is true or false; use `{name}` or `not {name}`")
        elif not all(isinstance(v, bool) for v in values):
            problems.append(f"`{name}` is true or false; {_shown(values)} is not")
    elif finding.type == "enum":
        if op in _ORDERING:
            problems.append(
                f"`{op}` is not defined for `{name}`, a choice without order "
                f"({finding.domain_text()}); use ==, !=, in or not in"
            )
        for v in values:
            if not (isinstance(v, str) and v in finding.values):
                problems.append(f"{_shown((v,))} is not a value of `{name}`; allowed: {finding.domain_text()}")
    else:
        for v in values:
            if not isinstance(v, int) or isinstance(v, bool):
                problems.append(f"`{name}` is a number; {_shown((v,))} is not")
            elif not finding.minimum <= v <= finding.maximum:
                problems.append(
                    f"{v} is outside the range of `{name}` ({finding.domain_text()}), "
                    "so this comparison never changes"
                )


def _shown(values) -> str:
    return ", ".join(f'"{v}"' if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v) for v in values)
