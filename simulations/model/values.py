"""Checks of a parameter's value against its kind, and of values read together; each failure is a
`file:line` problem."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

from ruamel.yaml.comments import CommentedMap

from pathway.yamlsource import Node, key_line
from pathway.errors import Problem, where

from .schema import AGES, CONSTRAINTS, RANGES, AgeBands, Kind, Outcomes

SUM_TOLERANCE = 1e-9
PROBABILITY = RANGES[Kind.PROBABILITY]


def is_number(value: object) -> bool:
    # bool is an int in Python, and `0.5%` or `"0.5"` stay strings: none of them is a figure
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def number(node: Node, key: str, kind: Kind, what: str) -> float | None:
    """The field as a float in the kind's range, or None after a problem naming the bad value."""
    value = node.raw(key)
    allowed = RANGES[kind]
    if not is_number(value) or not allowed.allows(value):
        node.problem(key, f"`{key}` of {what} must be {allowed.said}, not {shown(value)}")
        return None
    return float(value)


def mapping_value(node: Node, kind: Kind, outcomes: Outcomes, what: str):
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


def _probability(node: Node, mapping: CommentedMap, key, kind: Kind, outcomes: Outcomes, what: str) -> float:
    at = where(node.file, key_line(mapping, key) or node.line("value"))
    problem = _key_problem(key, kind, outcomes)
    if problem is not None:
        node.problems.append(Problem(at, f"`value` of {what} {problem}"))
    probability = mapping[key]
    if not is_number(probability) or not PROBABILITY.allows(probability):
        node.problems.append(Problem(at, f"`{key}` in `value` of {what} must be {PROBABILITY.said}, not {shown(probability)}"))
        return 0.0
    return float(probability)


def _key_problem(key, kind: Kind, outcomes: Outcomes) -> str | None:
    """What is wrong with a key of a table (an age) or a distribution (an outcome), or None."""
    if kind is Kind.TABLE and not is_number(key):
        return f"must map ages to probabilities; `{key}` is not a number"
    if kind is Kind.TABLE and not AGES.allows(key):
        return f"has the age `{key}`; allowed: {AGES.said}"
    if kind is Kind.DISTRIBUTION and isinstance(outcomes, AgeBands) and (problem := outcomes.problem(key)):
        return f"has the outcome `{key}`, which {problem}"
    if kind is Kind.DISTRIBUTION and isinstance(outcomes, tuple) and key not in outcomes:
        return f"has unknown outcome `{key}`; allowed: {', '.join(outcomes)}"
    return None


def consistent(top: Node, params: Mapping) -> None:
    """Parameters read together must make a natural history the simulator can run (CONSTRAINTS)."""
    for names, holds, allowed in CONSTRAINTS:
        if all(n in params for n in names) and not holds(*(params[n].value for n in names)):
            section, _, short = names[0].partition(".")
            said = " with ".join(f"`{n}` {params[n].value:g}" for n in names)
            top.problems.append(Problem(where(top.file, key_line(top.raw(section), short)),
                                        f"{said} cannot be simulated: {allowed}"))


def _entry_words(kind: Kind) -> str:
    return "outcomes to probabilities" if kind is Kind.DISTRIBUTION else "ages to probabilities"


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
