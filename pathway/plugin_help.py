"""The one-line help of a command another package registers (`sciatica.commands`), read from its
source with `ast` rather than by importing it, so that `sciatica --help` stays fast."""

from __future__ import annotations

import ast
import importlib.util
from importlib.metadata import EntryPoint
from pathlib import Path

import click


def plugin_help(entry: EntryPoint, limit: int) -> str:
    """The first sentence of the command function's docstring, as click would shorten it ("" if unknown)."""
    module, _, attr = entry.value.partition(":")
    source = _source(module)
    if source is None:
        return ""
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef) and node.name == attr:
            return click.Command(attr, help=ast.get_docstring(node) or "").get_short_help_str(limit)
    return ""


def _source(module: str) -> Path | None:
    """The file of `package.sub.module` found from its top-level package, which is not imported
    (finding a submodule's spec would import its parents)."""
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*rest)
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None
