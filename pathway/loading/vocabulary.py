"""references.yaml and findings.yaml: the sources, the findings vocabulary and the answers
that cannot be true together."""

from __future__ import annotations

from ..errors import Problem
from ..spec import Contradiction, Finding, Reference
from ..yamlsource import Node
from .common import entries, guard, sections


def references(doc, file: str, problems: list[Problem]) -> list[Reference]:
    top = sections(doc, file, problems, ("references",))
    refs = []
    for name, line, value in entries(top, "references"):
        node = Node(value, file, problems, line, what=f"reference `{name}`")
        if node.keys(("source", "detail", "status")):
            refs.append(Reference(name, node.text("source") or "", node.text("detail") or "", node.text("status") or ""))
    return refs


def findings(doc, file: str, problems: list[Problem]) -> tuple[list[Finding], list[Contradiction]]:
    top = sections(doc, file, problems, ("inputs", "findings"), ("contradictions",))
    built = []
    for section, is_input in (("inputs", True), ("findings", False)):
        for name, line, value in entries(top, section):
            finding = _finding(Node(value, file, problems, line, what=f"finding `{name}`"), name, is_input)
            if finding is not None:
                built.append(finding)
    return built, _contradictions(top, file, problems)


def _contradictions(top: Node, file: str, problems: list[Problem]) -> list[Contradiction]:
    found = []
    for name, line, value in entries(top, "contradictions"):
        node = Node(value, file, problems, line, what=f"contradiction `{name}`")
        if node.keys(("label", "when")):
            expr, text = guard(node, "when", f"contradiction `{name}`")
            found.append(Contradiction(name, node.text("label") or "", expr, text, line=node.where("when")))
    return found


def _finding(node: Node, name: str, is_input: bool) -> Finding | None:
    optional = ("values", "min", "max", "default", "red_flag", "when_false", "citation")
    if not node.keys(("type", "label", "question"), optional):
        return None
    kind = node.raw("type")
    if kind not in ("boolean", "enum", "integer"):
        node.problem("type", f"`type` of finding `{name}` is `{kind}`; allowed: boolean, enum, integer")
        return None
    values: tuple[str, ...] = ()
    if kind == "enum":
        raw = node.raw("values")
        if not isinstance(raw, list) or not raw or not all(isinstance(v, str) for v in raw) or len(set(raw)) != len(raw):
            node.problem("values", f"enum finding `{name}` needs `values`: a list of distinct words")
            return None
        values = tuple(raw)
    elif node.has("values"):
        node.problem("values", f"`values` is only for enum findings; `{name}` is {kind}")
    low = node.integer("min", -10**6, 10**6) if kind == "integer" else None
    high = node.integer("max", -10**6, 10**6) if kind == "integer" else None
    if kind == "integer" and (low is None or high is None or low > high):
        node.problem(None, f"integer finding `{name}` needs `min` and `max` with min <= max")
        return None
    red_flag = node.boolean("red_flag")
    finding = Finding(
        name=name, type=kind, label=node.text("label") or name, question=node.text("question") or "",
        values=values, minimum=low, maximum=high, default=node.raw("default"), red_flag=red_flag,
        when_false=node.text("when_false") if node.has("when_false") else None,
        is_input=is_input, citations=node.names("citation") if node.has("citation") else (),
        line=node.where(),
    )
    if finding.default is not None and not finding.allows(finding.default):
        node.problem("default", f"default of `{name}` is `{finding.default}`; allowed: {finding.domain_text()}")
    if red_flag and finding.default is not None:
        node.problem("default", f"red-flag question `{name}` may not have a default: an unanswered red flag is never read as no")
    if is_input and kind != "integer":
        node.problem("type", f"input `{name}` must be an integer")
    return finding
