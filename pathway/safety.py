"""The safety requirements (the oracle), as frozen value objects: kept apart from the pathway.

Loaded from a pathway folder's ``safety.yaml`` and written over the raw findings only (their
``terms`` are spelled out at load), so that nothing in the pathway's own conditions can move what
the pathway is judged by. `sciatica check` proves the pathway against them; the file has a
content hash of its own.
"""

from __future__ import annotations

import functools
import hashlib
import json

import attrs

from .guards.nodes import Expr
from .spec import Urgency
from .studies import Imaging, Order, Region


@attrs.frozen
class Category:
    """A red-flag category: who is in it, and the care each of them needs."""

    name: str
    label: str
    expr: Expr  # over the findings only (terms spelled out)
    text: str  # as written
    min_urgency: Urgency
    within_hours: int | None  # None: no timescale (routine)
    imaging: tuple[Imaging, ...]  # any one of these studies meets it ...
    if_mri_contraindicated: tuple[Imaging, ...]  # ... or, where MRI is contraindicated, one of these
    covering: Region
    reason: str
    citations: tuple[str, ...]
    note: str = ""
    line: str = attrs.field(default="", eq=False)

    def acceptable(self, contraindicated: bool) -> tuple[Imaging, ...]:
        return self.imaging + (self.if_mri_contraindicated if contraindicated else ())

    def met_by(self, order: Order, contraindicated: bool) -> bool:
        """Some study of the order is of an acceptable kind and covers the region asked for."""
        kinds = self.acceptable(contraindicated)
        return any(s.kind in kinds and s.region.covers(self.covering) for s in order.studies)

    @property
    def imaging_words(self) -> str:
        words = " or ".join(k.words for k in self.imaging)
        if self.covering is not Region.LUMBAR:
            words += f" ({self.covering.value.replace('_', ' ')})"
        if self.if_mri_contraindicated:
            words += "; if MRI is contraindicated, " + " or ".join(k.words for k in self.if_mri_contraindicated)
        return words

    @property
    def timescale_words(self) -> str:
        return timescale_words(self.within_hours)


def timescale_words(hours: int | None) -> str:
    """A timescale in words: "within 4 hours", "within 7 days" (whole days from 48 hours), "within
    1 hour"; "no timescale" for None. One wording for the requirements and the states that meet them."""
    if hours is None:
        return "no timescale"
    if hours % 24 == 0 and hours >= 48:
        return f"within {hours // 24} days"
    return f"within {hours} hour{'s' if hours != 1 else ''}"


@attrs.frozen
class OrderRule:
    """A study no order may hold for the patients the rule names (e.g. MRI when contraindicated)."""

    name: str
    label: str
    expr: Expr
    text: str
    never: tuple[Imaging, ...]
    citations: tuple[str, ...]
    line: str = attrs.field(default="", eq=False)


@attrs.frozen
class Reason:
    """A declared reason, other than a red flag, for which imaging may be ordered."""

    name: str
    label: str
    expr: Expr
    text: str
    citations: tuple[str, ...]
    line: str = attrs.field(default="", eq=False)


@attrs.frozen
class Question:
    """What a red-flag question demands when it is the only thing present (``alone``: a
    category's name, or None with the reason none does)."""

    finding: str
    alone: str | None
    because: str
    citations: tuple[str, ...]
    line: str = attrs.field(default="", eq=False)


@attrs.frozen
class SafetyRequirements:
    categories: tuple[Category, ...]
    every_order: tuple[OrderRule, ...]
    imaging_reasons: tuple[Reason, ...]
    questions: tuple[Question, ...]
    mri_contraindicated: Expr  # who may not have MRI (the categories' `if_mri_contraindicated`)
    terms: tuple[tuple[str, str], ...] = ()  # (name, as written), for the reader
    source: str = ""

    def guards(self) -> list[Expr]:
        """Every guard the requirements hold (findings only)."""
        exprs = [c.expr for c in self.categories] + [r.expr for r in self.every_order]
        exprs += [r.expr for r in self.imaging_reasons]
        return exprs + ([self.mri_contraindicated] if self.mri_contraindicated is not None else [])

    @functools.cached_property
    def category(self) -> dict[str, Category]:
        return {c.name: c for c in self.categories}

    @functools.cached_property
    def content_hash(self) -> str:
        """SHA-256 of the requirements as data (comments and layout do not change it)."""
        return hashlib.sha256(json.dumps(to_data(self), sort_keys=True).encode()).hexdigest()


def to_data(safety: SafetyRequirements) -> dict:
    """Plain JSON-able data of the requirements (guards as written, spelled out)."""
    from .guards import format_guard

    def plain(value):
        if isinstance(value, (Imaging, Region, Urgency)):
            return value.value
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        return value

    def record(obj):
        fields = {f.name: plain(getattr(obj, f.name)) for f in attrs.fields(type(obj)) if f.name not in ("expr", "line")}
        return {**fields, "meaning": format_guard(obj.expr)} if hasattr(obj, "expr") else fields

    return {
        "categories": [record(c) for c in safety.categories],
        "every_order": [record(r) for r in safety.every_order],
        "imaging_reasons": [record(r) for r in safety.imaging_reasons],
        "questions": [record(q) for q in safety.questions],
        "mri_contraindicated": format_guard(safety.mri_contraindicated),
    }
