"""What every file's reader shares: its top-level sections, named entries, and guards."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem
from ..guards import GuardSyntaxError, Literal, parse_guard
from ..yamlsource import Node, key_line


def sections(doc, file: str, problems: list[Problem], required: tuple[str, ...], optional=()) -> Node:
    node = Node(doc, file, problems, what=Path(file).name)
    node.keys(required, optional)
    return node


def entries(node: Node, key: str):
    """(name, line, value) for each entry of a mapping section."""
    section = node.raw(key)
    if section is None:
        return []
    if not hasattr(section, "items"):
        node.problem(key, f"`{key}` must be a mapping of named entries")
        return []
    return [(str(name), key_line(section, name), value) for name, value in section.items()]


def guard(node: Node, key: str, owner: str):
    """(parsed guard, text as written); a syntax error is reported at the guard's own line."""
    text = node.raw(key)
    try:
        return parse_guard(text), str(text)
    except GuardSyntaxError as err:
        node.problem(key, f"guard of {owner}: {err}")
        return Literal(False), str(text)


def named(kind: str, value, index: int) -> str:
    """`state `onset`` when the entry has an id, else `state #3`."""
    name = value.get("id") if hasattr(value, "get") else None
    return f"{kind} `{name}`" if isinstance(name, str) else f"{kind} #{index + 1}"
