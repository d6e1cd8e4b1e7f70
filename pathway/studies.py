"""Imaging as the pathway orders it: studies, orders, purposes and the rules that fit them.

A state orders an imaging *purpose* ("lumbar MRI for persistent radiculopathy"); declared rules
over the findings then choose the studies ("MRI contraindicated: CT instead", "suspected
infection: with contrast", "cancer: the whole spine"). `apply_rules` is that choice, as a pure
function of the purpose and which rules hold, shared by the engine, the checker and the cohort
engines. No I/O, no guard evaluation here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from .guards.nodes import Expr


class Imaging(enum.Enum):
    """A study's kind: its modality, with or without contrast."""

    NONE = "none"
    XRAY = "xray"
    MRI = "mri"
    MRI_WITH_CONTRAST = "mri_with_contrast"
    CT = "ct"
    CT_WITH_CONTRAST = "ct_with_contrast"
    CT_MYELOGRAPHY = "ct_myelography"

    @property
    def is_mri(self) -> bool:
        return self in (Imaging.MRI, Imaging.MRI_WITH_CONTRAST)

    @property
    def is_scan(self) -> bool:
        """MRI or CT of any kind (what rules on contrast and region change)."""
        return self not in (Imaging.NONE, Imaging.XRAY)

    @property
    def words(self) -> str:
        return KIND_WORDS[self]


KIND_WORDS = {
    Imaging.NONE: "no imaging",
    Imaging.XRAY: "X-ray",
    Imaging.MRI: "MRI without contrast",
    Imaging.MRI_WITH_CONTRAST: "MRI without and with contrast",
    Imaging.CT: "CT",
    Imaging.CT_WITH_CONTRAST: "CT with contrast",
    Imaging.CT_MYELOGRAPHY: "CT myelography",
}
_WITH_CONTRAST = {Imaging.MRI: Imaging.MRI_WITH_CONTRAST, Imaging.CT: Imaging.CT_WITH_CONTRAST}
_AS_CT = {Imaging.MRI: Imaging.CT, Imaging.MRI_WITH_CONTRAST: Imaging.CT_WITH_CONTRAST}


class Region(enum.Enum):
    LUMBAR = "lumbar"
    WHOLE_SPINE = "whole_spine"
    HIP_PELVIS = "hip_pelvis"

    def covers(self, other: Region) -> bool:
        """A whole-spine study covers the lumbar spine too."""
        return self is other or (self is Region.WHOLE_SPINE and other is Region.LUMBAR)


REGION_WORDS = {Region.LUMBAR: "", Region.WHOLE_SPINE: ", whole spine", Region.HIP_PELVIS: " of pelvis and hip"}


@attrs.frozen(order=True)
class Study:
    kind: Imaging
    region: Region = Region.LUMBAR

    @property
    def id(self) -> str:
        return self.kind.value if self.region is Region.LUMBAR else f"{self.kind.value}_{self.region.value}"

    @property
    def words(self) -> str:
        return self.kind.words + REGION_WORDS[self.region]


def _key(study: Study) -> tuple[int, int]:
    return list(Imaging).index(study.kind), list(Region).index(study.region)


@attrs.frozen
class Order:
    """The studies a visit orders, each once, in a fixed order (empty: nothing ordered)."""

    studies: tuple[Study, ...] = ()

    @classmethod
    def of(cls, studies: Iterable[Study]) -> Order:
        return cls(tuple(sorted(set(studies), key=_key)))

    def __bool__(self) -> bool:
        return bool(self.studies)

    @property
    def id(self) -> str:
        return "+".join(s.id for s in self.studies) or "none"

    @property
    def words(self) -> str:
        return " and ".join(s.words for s in self.studies) or "no imaging"

    @property
    def kinds(self) -> tuple[Imaging, ...]:
        return tuple(s.kind for s in self.studies)


NO_ORDER = Order()


@attrs.frozen
class Purpose:
    """Why a state orders imaging, and the studies it starts from before the rules."""

    id: str
    label: str
    studies: tuple[Imaging, ...]
    region: Region
    citations: tuple[str, ...]
    line: str = attrs.field(default="", eq=False)


class Effect(enum.Enum):
    ADD = "add"  # add a study of this kind, unless the order holds that modality already
    BECOMES = "becomes"  # every MRI becomes this kind (CT keeps the contrast)
    CONTRAST = "contrast"  # every MRI and CT is done with contrast
    REGION = "region"  # every MRI and CT covers this region


@attrs.frozen
class ImagingRule:
    id: str
    label: str
    expr: Expr
    text: str
    effect: Effect
    value: Imaging | Region | None  # what to add, what MRI becomes, or the region; None for contrast
    citations: tuple[str, ...]
    only_with: tuple[Imaging, ...] = ()  # applies only to orders holding one of these kinds
    line: str = attrs.field(default="", eq=False)
    when_line: str = attrs.field(default="", eq=False)
    words_line: str = attrs.field(default="", eq=False)  # the `label:` line

    def applies(self, studies: Iterable[Study]) -> bool:
        return not self.only_with or any(s.kind in self.only_with for s in studies)

    def change(self, studies: tuple[Study, ...], region: Region) -> tuple[Study, ...]:
        if self.effect is Effect.ADD:
            present = {_modality(s.kind) for s in studies}
            return studies if _modality(self.value) in present else studies + (Study(self.value, region),)
        if self.effect is Effect.BECOMES:
            return tuple(attrs.evolve(s, kind=_become(s.kind, self.value)) for s in studies)
        if self.effect is Effect.CONTRAST:
            return tuple(attrs.evolve(s, kind=_WITH_CONTRAST.get(s.kind, s.kind)) for s in studies)
        return tuple(attrs.evolve(s, region=self.value) if s.kind.is_scan else s for s in studies)


def _modality(kind: Imaging) -> str:
    return "mri" if kind.is_mri else "ct" if kind in (Imaging.CT, Imaging.CT_WITH_CONTRAST) else kind.value


def _become(kind: Imaging, target: Imaging) -> Imaging:
    if not kind.is_mri:
        return kind
    return _AS_CT[kind] if target is Imaging.CT else target


def apply_rules(purpose: Purpose, rules: Iterable[ImagingRule], holds) -> tuple[Order, tuple[str, ...]]:
    """The order a purpose gives once the rules that hold (``holds(rule) -> bool``) are applied
    in turn, and the ids of the rules that changed it."""
    studies = tuple(Study(kind, purpose.region) for kind in purpose.studies)
    changed = []
    for rule in rules:
        if rule.applies(studies) and holds(rule):
            after = rule.change(studies, purpose.region)
            if Order.of(after) != Order.of(studies):
                changed.append(rule.id)
            studies = after
    return Order.of(studies), tuple(changed)
