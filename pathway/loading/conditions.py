"""conditions.yaml: the named conditions, and those the red-flag screen escalates on."""

from __future__ import annotations

from ..errors import Problem
from ..spec import Condition
from ..yamlsource import Node
from .common import entries, guard, sections


def conditions(doc, file: str, problems: list[Problem]) -> list[Condition]:
    top = sections(doc, file, problems, ("conditions", "red_flags"))
    built = []
    for section, what in (("conditions", "condition"), ("red_flags", "red-flag condition")):
        for name, line, value in entries(top, section):
            node = Node(value, file, problems, line, what=f"{what} `{name}`")
            if node.keys(("label", "when", "citation")):
                expr, text = guard(node, "when", f"{what} `{name}`")
                built.append(Condition(name, node.text("label") or "", expr, text, node.names("citation"),
                                       red_flag=section == "red_flags", line=node.where(),
                                       when_line=node.where("when"), words_line=node.where("label")))
    return built
