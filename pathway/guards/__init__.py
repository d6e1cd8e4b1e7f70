"""The guard language: a small typed expression language over the findings.

A guard is parsed into an AST (never evaluated as Python), type-checked against the
findings vocabulary, then compiled to a predicate, described in plain words, or explained.
"""

from .check import check_guard
from .evaluate import compile_guard, explain
from .format import format_guard
from .nodes import And, Compare, Expr, Literal, Name, Not, Or, compares_in, inline, names_in
from .parse import GuardSyntaxError, parse_guard
from .text import describe

__all__ = [
    "And",
    "Compare",
    "Expr",
    "GuardSyntaxError",
    "Literal",
    "Name",
    "Not",
    "Or",
    "check_guard",
    "compares_in",
    "compile_guard",
    "describe",
    "format_guard",
    "inline",
    "explain",
    "names_in",
    "parse_guard",
]
