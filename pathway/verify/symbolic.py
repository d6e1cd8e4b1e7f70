"""Guards as binary decision diagrams over the abstract domains.

Each finding's class is encoded in a few boolean variables; a guard becomes the BDD of the
classes where it holds. Overlaps, gaps and red-flag regions are then exact set operations, the
number of cases is a model count, and an example patient is one path through the diagram.
"""

from __future__ import annotations

import operator

try:  # CUDD (C) when the wheel has it, else the pure-Python implementation
    from dd import cudd as bdd_impl
except ImportError:  # pragma: no cover - platforms without the compiled wheel
    from dd import autoref as bdd_impl

from ..guards import And, Compare, Expr, Literal, Name, Not
from ..spec import PathwaySpec
from .domains import Domain, abstract_domains

Region = bdd_impl.Function

_COMPARE = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge, "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
}


class Symbolic:
    """The BDD manager for one spec: guards in, regions out."""

    def __init__(self, spec: PathwaySpec, extra=()):
        self.spec = spec
        self.domains: dict[str, Domain] = abstract_domains(spec, extra)
        self.bdd = bdd_impl.BDD()
        self._bits: dict[str, list[str]] = {}
        for name, domain in self.domains.items():
            width = max(1, (len(domain.cells) - 1).bit_length())
            self._bits[name] = [name] if width == 1 else [f"{name}#{i}" for i in range(width)]
            self.bdd.declare(*self._bits[name])
        self._nvars = sum(len(b) for b in self._bits.values())
        self._cells = {name: [self._code(name, i) for i in range(len(d.cells))] for name, d in self.domains.items()}
        self.valid = self.all_of(self.any_of(cells) for cells in self._cells.values())
        self._guards: dict[Expr, Region] = {}
        if self._nvars > 53:  # pragma: no cover - far beyond the sciatica vocabulary (44 bits)
            raise ValueError(f"{self._nvars} bits of findings: too many for exact case counts")

    # -- building regions ----------------------------------------------------------------------
    @property
    def true(self) -> Region:
        return self.bdd.true

    @property
    def false(self) -> Region:
        return self.bdd.false

    def all_of(self, regions) -> Region:
        result = self.bdd.true
        for region in regions:
            result &= region
        return result

    def any_of(self, regions) -> Region:
        result = self.bdd.false
        for region in regions:
            result |= region
        return result

    def cell(self, name: str, index: int) -> Region:
        """The region where finding ``name`` falls in class ``index``."""
        return self._cells[name][index]

    def value_is(self, name: str, value: object) -> Region:
        return self.cell(name, self.domains[name].index_of(value))

    def guard(self, expr: Expr) -> Region:
        """Where the guard holds (named conditions expanded), within the valid classes."""
        if expr not in self._guards:
            self._guards[expr] = self._build(expr) & self.valid
        return self._guards[expr]

    def _build(self, node: Expr) -> Region:
        if isinstance(node, Literal):
            return self.true if node.value else self.false
        if isinstance(node, Name):
            if node.name in self.spec.condition:
                return self.guard(self.spec.condition[node.name].expr)
            return self.value_is(node.name, True)
        if isinstance(node, Compare):
            test, cells = _COMPARE[node.op], self.domains[node.name].cells
            return self.any_of(self.cell(node.name, i) for i, c in enumerate(cells) if test(c.value, node.value))
        if isinstance(node, Not):
            return ~self._build(node.operand)
        parts = [self._build(o) for o in node.operands]
        return self.all_of(parts) if isinstance(node, And) else self.any_of(parts)

    def _code(self, name: str, index: int) -> Region:
        bits = self._bits[name]
        return self.all_of(
            self.bdd.var(bit) if (index >> i) & 1 else ~self.bdd.var(bit) for i, bit in enumerate(bits)
        )

    # -- reading regions -----------------------------------------------------------------------
    def empty(self, region: Region) -> bool:
        return (region & self.valid) == self.bdd.false

    def count(self, region: Region) -> int:
        """How many abstract cases (one class per finding, inputs included) the region holds.

        CUDD counts in floating point, which is exact while there are at most 2**53 cases.
        """
        return int(self.bdd.count(region & self.valid, nvars=self._nvars))

    def example(self, region: Region) -> dict[str, object]:
        """One case of the region, preferring calm answers: 'no', the default, the first value."""
        region &= self.valid
        if region == self.bdd.false:
            raise ValueError("an empty region has no example")
        chosen = {}
        for name, domain in self.domains.items():
            for index in self._preference(domain):
                narrowed = region & self.cell(name, index)
                if narrowed != self.bdd.false:
                    region, chosen[name] = narrowed, domain.cells[index].value
                    break
        return chosen

    @staticmethod
    def _preference(domain: Domain) -> list[int]:
        order = list(range(len(domain.cells)))
        default = domain.finding.default
        if default is not None:
            order.sort(key=lambda i: domain.cells[i].value != default)
        return order
