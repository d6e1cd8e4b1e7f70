"""Plain clinical words for a guard, generated from the AST and the findings' labels.

"conservative care for at least 6 weeks, trend is not improving, considering injection or surgery"
"""

from __future__ import annotations

from collections.abc import Mapping

from .nodes import And, Compare, Expr, Literal, Name, Not

_NUMBER_WORDS = {"<": "under", "<=": "at most", ">": "over", ">=": "at least", "==": "exactly", "!=": "not"}


def describe(expr: Expr, findings: Mapping, condition_labels: Mapping[str, str]) -> str:
    """The guard in words; ``findings`` maps names to ``spec.Finding``."""
    return _words(expr, findings, condition_labels, top=True)


def _words(node: Expr, findings, labels, top: bool = False) -> str:
    if isinstance(node, Literal):
        return "otherwise" if node.value else "never"
    if isinstance(node, Name):
        if node.name in labels:
            return labels[node.name]
        return findings[node.name].label
    if isinstance(node, Compare):
        return _compare(node, findings[node.name])
    if isinstance(node, Not):
        return _negated(node.operand, findings, labels)
    parts = [_words(o, findings, labels) for o in node.operands]
    if isinstance(node, And):
        # Top-level conjunctions read as a comma list; nested ones need their own "and".
        return ", ".join(parts) if top else "(" + " and ".join(parts) + ")"
    # Nested groups are always bracketed: "either a or b and c" would be ambiguous.
    text = " or ".join(parts)
    return text if top else f"({text})"


def _negated(node: Expr, findings, labels) -> str:
    if isinstance(node, Name) and node.name in findings:
        finding = findings[node.name]
        return finding.when_false or f"no {finding.label}"
    if isinstance(node, Name):
        return f"not {labels[node.name]}"
    if isinstance(node, Compare):
        flipped = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">", "in": "not in", "not in": "in"}
        return _compare(Compare(node.name, flipped[node.op], node.value), findings[node.name])
    return f"not {_words(node, findings, labels)}"


def _compare(node: Compare, finding) -> str:
    label, op, value = finding.label, node.op, node.value
    if finding.type == "boolean":
        positive = (op == "==") == bool(value)
        return label if positive else (finding.when_false or f"no {label}")
    if finding.type == "integer":
        if op in ("in", "not in"):
            return f"{label} {'' if op == 'in' else 'not '}{_either(value)}"
        return f"{label} {_NUMBER_WORDS[op]} {value}"
    if value == "none" and op in ("==", "!="):  # "no MRI result" reads better than "MRI result is none"
        return f"no {label}" if op == "==" else f"any {label}"
    if op in ("==", "!="):
        return f"{label} is {'' if op == '==' else 'not '}{_value(value)}"
    return f"{label} is {'' if op == 'in' else 'not '}{_either(value)}"


def _value(value) -> str:
    return str(value).replace("_", " ")


def _either(values) -> str:
    words = [_value(v) for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
