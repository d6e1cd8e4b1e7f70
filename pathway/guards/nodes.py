"""Guard AST nodes: frozen, hashable, comparable, so guards can be diffed and cached."""

from __future__ import annotations

from typing import Union

import attrs


@attrs.frozen
class Literal:
    """``true`` (the catch-all "otherwise") or ``false``."""

    value: bool


@attrs.frozen
class Name:
    """A boolean finding (``saddle_anaesthesia``) or a named condition (``suspected_cauda_equina``)."""

    name: str
    column: int = attrs.field(default=0, eq=False)


@attrs.frozen
class Compare:
    """``finding OP value``; for ``in`` / ``not in`` the value is a tuple."""

    name: str
    op: str  # == != < <= > >= in "not in"
    value: object
    column: int = attrs.field(default=0, eq=False)


@attrs.frozen
class Not:
    operand: "Expr"


@attrs.frozen
class And:
    operands: tuple["Expr", ...]


@attrs.frozen
class Or:
    operands: tuple["Expr", ...]


Expr = Union[Literal, Name, Compare, Not, And, Or]


def leaves_in(expr: Expr) -> list[Name | Compare]:
    """Every leaf of the guard (a name or a comparison, not inside named conditions), in order of appearance."""
    if isinstance(expr, (Name, Compare)):
        return [expr]
    if isinstance(expr, Not):
        return leaves_in(expr.operand)
    if isinstance(expr, (And, Or)):
        return [leaf for operand in expr.operands for leaf in leaves_in(operand)]
    return []


def names_in(expr: Expr) -> list[str]:
    """Every name the guard reads (findings and conditions), in order of appearance."""
    return [leaf.name for leaf in leaves_in(expr)]


def compares_in(expr: Expr) -> list[Compare]:
    """Every comparison in the guard (not inside named conditions), in order of appearance."""
    if isinstance(expr, Compare):
        return [expr]
    if isinstance(expr, Not):
        return compares_in(expr.operand)
    if isinstance(expr, (And, Or)):
        return [c for operand in expr.operands for c in compares_in(operand)]
    return []


def inline(expr: Expr, conditions) -> Expr:
    """The guard with every named condition (``conditions`` maps names to exprs) spelled out."""
    if isinstance(expr, Name) and expr.name in conditions:
        return inline(conditions[expr.name], conditions)
    if isinstance(expr, Not):
        return Not(inline(expr.operand, conditions))
    if isinstance(expr, (And, Or)):
        return type(expr)(tuple(inline(o, conditions) for o in expr.operands))
    return expr
