"""Checks of one parameter's value against its kind; each failure is a `file:line` problem."""

from __future__ import annotations

import math
from types import MappingProxyType

from ruamel.yaml.comments import CommentedMap

from pathway.yamlsource import Node, key_line
from pathway.errors import Problem, where

from .schema import Kind

SUM_TOLERANCE = 1e-9
_RANGES = {  # kind -> (low, high, how the allowed values are said)
    Kind.PROBABILITY: (0.0, 1.0, "a probability from 0 to 1"),
    Kind.WEEKS: (0.0, math.inf, "weeks, 0 or more"),
    Kind.HOURS: (0.0, math.inf, "hours, 0 or more"),
    Kind.RATE: (0.0, math.inf, "a rate, 0 or more"),
    Kind.RATIO: (0.0, math.inf, "a ratio, 0 or more"),
}


def is_number(value: object) -> bool:
    # bool is an int in Python, and `0.5%` or `"0.5"` stay strings: none of them is a figure
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def number(node: Node, key: str, kind: Kind, what: str) -> float | None:
    """The field as a float in the kind's range, or None after a problem naming the bad value."""
    value = node.raw(key)
    low, high, said = _RANGES[kind]
    if not is_number(value) or not low <= value <= high:
        node.problem(key, f"`{key}` of {what} must be {said}, not {shown(value)}")
        return None
    return float(value)


def mapping_value(node: Node, kind: Kind, outcomes: tuple[str, ...] | None, what: str):
    """A distribution or table as a read-only mapping, or None after its problems."""
    value = node.raw("value")
    if not isinstance(value, CommentedMap) or not value:
        node.problem("value", f"`value` of {what} must be a mapping of {_entry_words(kind)}, not {shown(value)}")
        return None
    before = len(node.problems)
    result = {key: _probability(node, value, key, kind, outcomes, what) for key in value}
    if len(node.problems) > before:
        return None
    if kind is Kind.DISTRIBUTION and abs(sum(result.values()) - 1.0) > SUM_TOLERANCE:
        total = round(sum(result.values()), 9)
        node.problem("value", f"`value` of {what} must sum to 1, not {total:g}")
        return None
    return MappingProxyType(dict(sorted(result.items())) if kind is Kind.TABLE else result)


def _probability(node: Node, mapping: CommentedMap, key, kind: Kind, outcomes, what: str) -> float:
    at = where(node.file, key_line(mapping, key) or node.line("value"))
    if kind is Kind.TABLE and not is_number(key):
        node.problems.append(Problem(at, f"`value` of {what} must map numbers to probabilities; `{key}` is not a number"))
    elif kind is Kind.DISTRIBUTION and outcomes is not None and key not in outcomes:
        node.problems.append(Problem(at, f"`value` of {what} has unknown outcome `{key}`; allowed: {', '.join(outcomes)}"))
    probability = mapping[key]
    if not is_number(probability) or not 0 <= probability <= 1:
        node.problems.append(Problem(at, f"`{key}` in `value` of {what} must be a probability from 0 to 1, not {shown(probability)}"))
        return 0.0
    return float(probability)


def _entry_words(kind: Kind) -> str:
    return "outcomes to probabilities" if kind is Kind.DISTRIBUTION else "numbers to probabilities"


def shown(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):  # say so: `0.5` quoted is text, not the number it looks like
        return f"the text `{value}`"
    return f"`{value}`"
