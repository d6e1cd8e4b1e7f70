"""Parse guard text into our AST.

Python's own parser (``ast.parse``) reads the syntax, which is Python-like on purpose:
``weeks >= 6 and trend != "improving"``. The resulting tree is only inspected, never compiled
or executed; anything outside the small grammar below is rejected with its column.

    guard      := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison | NAME | "true" | "false" | "(" guard ")"
    comparison := NAME ("==" | "!=" | "<" | "<=" | ">" | ">=") LITERAL
                | NAME ("in" | "not in") "[" LITERAL ("," LITERAL)* "]"
"""

from __future__ import annotations

import ast
import re

from .nodes import And, Compare, Expr, Literal, Name, Not, Or

MAX_GUARD_LENGTH = 2000
MAX_GUARD_DEPTH = 32  # and/or/not inside each other: every reader of a guard (text, checks, proofs) recurses
MAX_LITERAL_DIGITS = 18  # every finding's numbers fit: weeks, ages

_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
_LITERAL_NAMES = {"true": True, "false": False, "True": True, "False": False}
GRAMMAR_HINT = (
    "guards use finding and condition names, literals, comparisons "
    "(==, !=, <, <=, >, >=, in [...], not in [...]), and, or, not, and parentheses"
)


class GuardSyntaxError(ValueError):
    def __init__(self, message: str, column: int | None = None):
        self.column = column  # counted from 0; None when the whole guard is at fault
        super().__init__(f"column {column + 1}: {message}" if column is not None else message)


def parse_guard(text: str) -> Expr:
    """Parse one guard; raises GuardSyntaxError naming the column and what was expected."""
    if not isinstance(text, str) or not text.strip():
        raise GuardSyntaxError("empty guard; write `true` for a transition that always applies")
    if len(text) > MAX_GUARD_LENGTH:
        raise GuardSyntaxError(f"guard is {len(text)} characters long; the limit is {MAX_GUARD_LENGTH}")
    flat = " ".join(text.split())  # folded YAML may carry newlines
    try:
        tree = ast.parse(flat, mode="eval")
    except SyntaxError as err:
        column = max(0, min((err.offset or 1) - 1, len(flat) - 1))
        raise GuardSyntaxError(f"invalid guard syntax at `{flat[column:column + 20]}`{_hint(flat)}", column) from None
    except (RecursionError, MemoryError, ValueError):
        raise GuardSyntaxError("guard is nested too deeply") from None
    try:
        return _convert(tree.body)
    except RecursionError:  # e.g. a long chain of `-` before a number, quoted back in the message
        raise GuardSyntaxError(f"guard is nested more than {MAX_GUARD_DEPTH} levels deep") from None


def _hint(text: str) -> str:
    bare = re.sub(r"[=!<>]=", "", text)  # the comparisons that are fine
    for wrong, right in (("&&", "and"), ("||", "or"), ("!", "not"), ("=", "==")):
        if wrong in bare:
            return f"; write `{right}`, not `{wrong}`"
    return f"; {GRAMMAR_HINT}"


def _convert(node: ast.AST, depth: int = 0) -> Expr:
    if depth > MAX_GUARD_DEPTH:
        raise GuardSyntaxError(f"guard is nested more than {MAX_GUARD_DEPTH} levels deep (`and`, `or`, `not` and "
                               "parentheses); name a part of it as a condition", getattr(node, "col_offset", None))
    if isinstance(node, ast.BoolOp):
        operands = tuple(_convert(v, depth + 1) for v in node.values)
        return And(operands) if isinstance(node.op, ast.And) else Or(operands)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return Not(_convert(node.operand, depth + 1))
    if isinstance(node, ast.Name):
        if node.id in _LITERAL_NAMES:
            return Literal(_LITERAL_NAMES[node.id])
        return Name(node.id, node.col_offset)
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return Literal(node.value)
    if isinstance(node, ast.Compare):
        return _compare(node)
    raise GuardSyntaxError(f"unsupported expression `{ast.unparse(node)}`: {GRAMMAR_HINT}", node.col_offset)


def _compare(node: ast.Compare) -> Compare:
    if len(node.ops) != 1:
        raise GuardSyntaxError(
            f"chained comparison `{ast.unparse(node)}`: write it as two comparisons joined by `and`",
            node.col_offset,
        )
    op = _OPS.get(type(node.ops[0]))
    if op is None:
        raise GuardSyntaxError(f"unsupported comparison in `{ast.unparse(node)}`: {GRAMMAR_HINT}", node.col_offset)
    left, right = node.left, node.comparators[0]
    if not isinstance(left, ast.Name) or left.id in _LITERAL_NAMES:
        raise GuardSyntaxError(
            f"`{ast.unparse(node)}`: put the finding's name on the left, e.g. `weakness == \"none\"`",
            node.col_offset,
        )
    if op in ("in", "not in"):
        if not isinstance(right, (ast.List, ast.Tuple, ast.Set)) or not right.elts:
            raise GuardSyntaxError(f"`{ast.unparse(node)}`: `{op}` takes a list, e.g. [\"a\", \"b\"]", node.col_offset)
        value = tuple(_literal(e) for e in right.elts)
    else:
        value = _literal(right)
    return Compare(left.id, op, value, left.col_offset)


def _literal(node: ast.AST) -> object:
    if isinstance(node, ast.Name) and node.id in _LITERAL_NAMES:
        return _LITERAL_NAMES[node.id]
    number = node.operand if isinstance(node, ast.UnaryOp) else node
    if isinstance(number, ast.Constant) and type(number.value) is int and abs(number.value) >= 10**MAX_LITERAL_DIGITS:
        raise GuardSyntaxError(f"the number {str(number.value)[:12]}... is {len(str(abs(number.value))):,} digits "
                               f"long; allowed: whole numbers of at most {MAX_LITERAL_DIGITS} digits", node.col_offset)
    if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int, str)):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) is int
    ):
        return -node.operand.value
    if isinstance(node, ast.Name):
        raise GuardSyntaxError(
            f"`{node.id}` on the right of a comparison must be a quoted value, e.g. \"{node.id}\"",
            node.col_offset,
        )
    raise GuardSyntaxError(
        f"`{ast.unparse(node)}` is not a value: use a quoted word, a whole number, true or false",
        getattr(node, "col_offset", None),
    )
