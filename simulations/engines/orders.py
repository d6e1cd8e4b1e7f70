"""Every imaging order a pathway can make, numbered: what both engines, the chunks and the tables
use for a visit's imaging.

A state orders its purpose with the imaging rules that hold applied (pathway.studies.apply_rules),
so a pathway can make at most one order per purpose and combination of rules holding. Those
are worked out once per pathway, in a fixed order (code 0: no order; then purpose by purpose,
in the pathway's order, each combination of rules in turn, a new order where first met), so an
order's code depends on the pathway alone: the same in every engine, chunk and worker.
"""

from __future__ import annotations

import attrs
import numpy as np

from pathway.spec import PathwaySpec
from pathway.studies import NO_ORDER, Imaging, Order, apply_rules

from .outcome import KINDS, SimulationError

MAX_RULES = 16  # 2**16 combinations per purpose, worked out once per pathway


@attrs.frozen(eq=False)
class OrderTable:
    orders: tuple[Order, ...]  # by code; 0 is no order
    by_purpose: dict[str, np.ndarray]  # purpose id -> order code for each rule combination (bit j: rule j holds)
    studies: np.ndarray  # (orders, KINDS) studies of each kind an order holds
    holds_mri: np.ndarray  # (orders,) bool
    holds_scan: np.ndarray  # MRI or CT of any kind
    holds_xray: np.ndarray
    xray_only: np.ndarray  # an order of X-rays only
    codes: dict[str, int]  # order id -> code

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.orders)

    def code(self, order: Order) -> int:
        return self.codes[order.id]


_TABLES: dict[str, OrderTable] = {}  # by content hash: a pathway's table is made once per process


def order_table(spec: PathwaySpec) -> OrderTable:
    """The pathway's orders."""
    table = _TABLES.get(spec.content_hash)
    if table is None:
        if len(_TABLES) > 16:
            _TABLES.clear()
        table = _TABLES[spec.content_hash] = _table(spec)
    return table


def _table(spec: PathwaySpec) -> OrderTable:
    rules = spec.imaging_rules
    position = {rule.id: j for j, rule in enumerate(rules)}
    if len(rules) > MAX_RULES:
        raise SimulationError([f"{spec.source}: {len(rules)} imaging rules; the simulator takes at most {MAX_RULES}"])
    orders: dict[str, Order] = {NO_ORDER.id: NO_ORDER}
    by_purpose = {}
    for purpose in spec.purposes:
        codes = []
        for bits in range(2 ** len(rules)):
            order, _ = apply_rules(purpose, rules, lambda rule: bool(bits >> position[rule.id] & 1))
            orders.setdefault(order.id, order)
            codes.append(list(orders).index(order.id))
        by_purpose[purpose.id] = np.array(codes, dtype=np.int64)
    table = tuple(orders.values())
    studies = np.array([[sum(s.kind is Imaging(k) for s in o.studies) for k in KINDS] for o in table],
                       dtype=np.int64).reshape(len(table), len(KINDS))
    kinds = [set(o.kinds) for o in table]
    return OrderTable(
        table, by_purpose, studies,
        holds_mri=np.array([any(k.is_mri for k in ks) for ks in kinds]),
        holds_scan=np.array([any(k.is_scan for k in ks) for ks in kinds]),
        holds_xray=np.array([Imaging.XRAY in ks for ks in kinds]),
        xray_only=np.array([ks == {Imaging.XRAY} for ks in kinds]),
        codes={o.id: j for j, o in enumerate(table)},
    )
