"""imaging.yaml: the imaging purposes states order, and the rules that choose the studies."""

from __future__ import annotations

from ..errors import Problem
from ..studies import Effect, Imaging, ImagingRule, Purpose, Region
from ..yamlsource import Node, item_line
from .common import entries, guard, named, sections

KINDS = [k.value for k in Imaging if k is not Imaging.NONE]
EFFECTS = {
    Effect.ADD: ("a study", KINDS),
    Effect.BECOMES: ("what MRI becomes", [Imaging.CT.value, Imaging.CT_MYELOGRAPHY.value]),
    Effect.CONTRAST: ("contrast", ["with"]),
    Effect.REGION: ("a region", [r.value for r in Region]),
}


def imaging(doc, file: str, problems: list[Problem]) -> tuple[list[Purpose], list[ImagingRule]]:
    top = sections(doc, file, problems, ("purposes", "rules"))
    purposes = []
    for name, line, value in entries(top, "purposes"):
        node = Node(value, file, problems, line, what=f"imaging purpose `{name}`")
        if node.keys(("label", "studies", "citation"), ("region",)):
            region = node.choice("region", Region) if node.has("region") else Region.LUMBAR
            purposes.append(Purpose(name, node.text("label") or "", kinds(node, "studies"), region or Region.LUMBAR,
                                    node.names("citation"), line=node.where()))
    return purposes, _rules(top, file, problems)


def kinds(node: Node, key: str) -> tuple[Imaging, ...]:
    """A list of study kinds (xray, mri, mri_with_contrast, ct, ct_with_contrast, ct_myelography)."""
    raw = node.raw(key)
    if not isinstance(raw, list) or not raw or any(k not in KINDS for k in raw):
        node.problem(key, f"`{key}` of {node.what} must list some of: {', '.join(KINDS)}")
        return ()
    return tuple(Imaging(k) for k in raw)


def _rules(top: Node, file: str, problems: list[Problem]) -> list[ImagingRule]:
    raw = top.raw("rules")
    if not isinstance(raw, list):
        top.problem("rules", "`rules` must be a list of imaging rules")
        return []
    built = []
    for index, value in enumerate(raw):
        node = Node(value, file, problems, item_line(raw, index), what=named("imaging rule", value, index))
        effects = [e for e in Effect if node.has(e.value)]
        optional = ("with",) + tuple(e.value for e in Effect)
        if not node.keys(("id", "label", "when", "citation"), optional):
            continue
        if len(effects) != 1:
            node.problem(None, f"{node.what} must do exactly one of: {', '.join(e.value for e in Effect)}")
            continue
        rule = _rule(node, effects[0])
        if rule is not None:
            built.append(rule)
    return built


def _rule(node: Node, effect: Effect) -> ImagingRule | None:
    what, allowed = EFFECTS[effect]
    value = node.raw(effect.value)
    if value not in allowed:
        node.problem(effect.value, f"`{effect.value}` of {node.what} is {value!r}; allowed ({what}): {', '.join(allowed)}")
        return None
    typed = Region(value) if effect is Effect.REGION else None if effect is Effect.CONTRAST else Imaging(value)
    expr, text = guard(node, "when", node.what)
    return ImagingRule(
        str(node.raw("id")), node.text("label") or "", expr, text, effect, typed, node.names("citation"),
        only_with=kinds(node, "with") if node.has("with") else (), line=node.where(),
        when_line=node.where("when"), words_line=node.where("label"),
    )
