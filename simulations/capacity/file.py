"""Load a capacity file (simulations/capacity.yaml) strictly: every problem as `file:line`, at once.

A capacity file declares, for each resource a pathway's orders queue for, its slots a week (per
100,000 population, or absolute), the share of them this pathway's routine and urgent work may
use, whether urgent work may also take routine slots, and the reporting delay. Every figure is
cited from the file's own `references` (or `project-assumption` with a `note`), as in
parameters.yaml, whose loader this reuses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import attrs

from pathway.errors import PathwayError, Problem, in_file_order
from pathway.spec import Reference
from pathway.yamlsource import Node, key_line, read_document

from ..model.parameters import _Citations, _entries, _references, _suggest
from ..model.values import is_number, shown

LANES = ("emergency", "urgent", "routine")  # queue priority: first served first
# The resources the engines book (see routing.py); physiotherapy is counted, never booked.
RESOURCES = ("mri", "ct", "xray", "clinic", "epidural", "theatre", "physiotherapy")
TOP = ("references", "population", "resources")
FIELDS = ("label", "lanes", "slots", "routine_share", "urgent_share", "urgent_takes_routine", "reporting_weeks")
MAX_SLOTS = 1e7


class CapacityError(PathwayError):
    """A capacity file that cannot be used: every problem, by `file:line`."""


@attrs.frozen
class Figure:
    value: float
    citations: tuple[str, ...]
    note: str = ""


@attrs.frozen
class Resource:
    name: str
    label: str
    lanes: tuple[str, ...]  # the urgencies whose orders queue here
    slots: Figure  # slots a week: per 100,000 population (`per_100k`) or for the catchment
    per_100k: bool
    routine_share: Figure  # share of the slots open to this pathway's routine work
    urgent_share: Figure  # share of the slots open to this pathway's urgent and emergency work
    urgent_takes_routine: bool  # urgent work may also take routine slots, ahead of routine work
    reporting_weeks: int  # from the slot to the result the pathway reads
    counted_only: bool = False  # demand counted, no booking (physiotherapy)

    def weekly(self, population: float) -> tuple[float, float]:
        """(routine, urgent) slots a week for a catchment of `population` people."""
        total = self.slots.value * (population / 100_000 if self.per_100k else 1.0)
        return total * self.routine_share.value, total * self.urgent_share.value


@attrs.frozen
class Capacity:
    references: Mapping[str, Reference]
    incidence: Figure  # new episodes per 1,000 person-years
    resources: Mapping[str, Resource]
    source: str
    content_hash: str = ""
    catchments: int = 1  # the cohort's independent catchments (set by the run, not the file)

    def population(self, patients: int) -> float:
        """The catchment whose yearly episodes are `patients` (a closed cohort of a year's incidence)."""
        return patients * 1000 / self.incidence.value


def shipped_capacity() -> Path:
    return Path(__file__).resolve().parent.parent / "capacity.yaml"


def load_capacity(path: str | Path | None = None) -> Capacity:
    """Load and check a capacity file (default: the shipped one); CapacityError lists every problem."""
    path = Path(path) if path is not None else shipped_capacity()
    problems: list[Problem] = []
    doc = read_document(path, problems, "capacity", CapacityError)
    top = Node(doc, str(path), problems, what=path.name)
    top.keys(TOP)
    refs = _references(top)
    cite = _Citations(refs, problems, str(path))
    incidence = None
    if top.has("population"):
        node = Node(top.raw("population"), top.file, problems, key_line(doc, "population"), what="`population`")
        if node.keys(("incidence_per_1000_years",)):
            incidence = _figure(node, "incidence_per_1000_years", cite, "`population`", 0, 1000)
    resources = {}
    for name, mapping, value in _entries(top, "resources"):
        node = Node(value, top.file, problems, key_line(mapping, name), what=f"resource `{name}`")
        if name not in RESOURCES:
            node.problem(None, f"unknown resource `{name}`{_suggest(name, RESOURCES)}")
            continue
        resource = _resource(node, name, cite)
        if resource is not None:
            resources[name] = resource
    for name in RESOURCES:
        if hasattr(top.raw("resources"), "items") and name not in top.raw("resources"):
            top.problem("resources", f"`resources` is missing resource `{name}`; needed: {', '.join(RESOURCES)}")
    if problems:
        raise CapacityError(in_file_order(problems))
    return Capacity(MappingProxyType(refs), incidence, MappingProxyType(resources), str(path),
                    hashlib.sha256(path.read_bytes()).hexdigest())


def _resource(node: Node, name: str, cite: _Citations) -> Resource | None:
    counted = name == "physiotherapy"
    if counted:  # no booking: only what it is, and why it is counted only
        node.keys(("label",), ("note",))
        label = node.text("label")
        return None if label is None else Resource(
            name, label, (), Figure(0, ()), False, Figure(0, ()), Figure(0, ()), False, 0, counted_only=True)
    if not node.keys(FIELDS, ("note",)):
        return None
    what = f"resource `{name}`"
    label = node.text("label")
    lanes = _lanes(node, what)
    slots, per_100k = _slots(node, what, cite)
    routine = _figure(node, "routine_share", cite, what, 0, 1)
    urgent = _figure(node, "urgent_share", cite, what, 0, 1)
    takes = node.boolean("urgent_takes_routine")
    reporting = node.integer("reporting_weeks", 0, 52)
    if routine is not None and urgent is not None and routine.value + urgent.value > 1 + 1e-9:
        node.problem("urgent_share", f"`routine_share` and `urgent_share` of {what} add up to "
                     f"{routine.value + urgent.value:g}; together they must be at most 1 (shares of the same slots)")
        return None
    if None in (label, lanes, slots, routine, urgent, reporting):
        return None
    return Resource(name, label, lanes, slots, per_100k, routine, urgent, takes, reporting)


def _lanes(node: Node, what: str) -> tuple[str, ...] | None:
    value = node.raw("lanes")
    if not isinstance(value, list) or not value or any(v not in LANES for v in value) or len(set(value)) < len(value):
        node.problem("lanes", f"`lanes` of {what} must be a list of distinct lanes from {', '.join(LANES)}, "
                     f"not {shown(value)}")
        return None
    return tuple(lane for lane in LANES if lane in value)


def _slots(node: Node, what: str, cite: _Citations) -> tuple[Figure | None, bool]:
    sub = Node(node.raw("slots"), node.file, node.problems, node.line("slots"), what=f"`slots` of {what}")
    if not sub.ok:
        return None, False
    keys = [k for k in ("per_100k_per_week", "per_week") if sub.has(k)]
    if len(keys) != 1:
        sub.problem(None, f"`slots` of {what} must give one of `per_100k_per_week` or `per_week`, "
                    f"not {' and '.join(keys) or 'neither'}")
        return None, False
    sub.keys((keys[0], "citation"), ("note",))
    figure = _number(sub, keys[0], cite, f"`slots` of {what}", 0, MAX_SLOTS)
    return figure, keys[0] == "per_100k_per_week"


def _figure(node: Node, key: str, cite: _Citations, what: str, low: float, high: float) -> Figure | None:
    sub = Node(node.raw(key), node.file, node.problems, node.line(key), what=f"`{key}` of {what}")
    if not sub.ok or not sub.keys(("value", "citation"), ("note",)):
        return None
    return _number(sub, "value", cite, f"`{key}` of {what}", low, high)


def _number(sub: Node, key: str, cite: _Citations, what: str, low: float, high: float) -> Figure | None:
    value = sub.raw(key)
    if not is_number(value) or not low <= value <= high:
        sub.problem(key, f"`{key}` of {what} must be a number from {low:,.10g} to {high:,.10g}, not {shown(value)}")
        value = None
    citations = cite(sub, what)
    note = sub.text("note") if sub.has("note") else ""
    if "project-assumption" in citations and not note:
        sub.problem("citation", f"{what} cites `project-assumption`: add a `note` saying what was assumed and why")
    if value is None or not citations:
        return None
    return Figure(float(value), citations, note or "")
