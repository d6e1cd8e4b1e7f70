"""Read YAML safely (ruamel.yaml, YAML 1.2, line numbers kept) and check its shape.

YAML 1.2 keeps `yes`/`no`/`on`/`off` as strings; the strict reader (pathway.yamlread) builds
only plain mappings, sequences and scalars, never Python objects named in the file, and refuses
tags, aliases, deep nesting and text that is not valid Unicode.

ruamel.yaml is imported when a file is first read, not with this module: a pathway or parameter
file found in the cache (pathway.cache) never needs it.
"""

from __future__ import annotations

import enum

from pathlib import Path

from .errors import PathwayError, Problem, where


def read_yaml(path: Path, problems: list[Problem], kind: str = "pathway") -> object | None:
    """The file's content, or None after adding its `file:line` problems (pathway.yamlread)."""
    from .yamlread import read_yaml as read  # with ruamel.yaml: only when a file is read

    return read(path, problems, kind)


def read_document(path: Path, problems: list[Problem], kind: str, error: type[PathwayError]) -> object:
    """A YAML file's content; `error` (listing the problems) when the file is missing, cannot be
    read, or is empty. `kind`: "sweep", "parameter", ... as the messages name the file."""
    from .inputs import missing_file

    missing = missing_file(path, f"{kind} file")
    if missing is not None:
        raise error([missing], missing=True)
    doc = read_yaml(path, problems, kind=kind)
    if doc is None:
        raise error(problems or [Problem(str(path), "file is empty")])
    return doc


class Node:
    """A YAML mapping read field by field; every bad field becomes a problem with its line."""

    def __init__(self, data: object, file: str, problems: list[Problem], line: int | None = None, what: str = ""):
        from ruamel.yaml.comments import CommentedMap

        self.file, self.problems, self.what = file, problems, what
        self.data = data if isinstance(data, CommentedMap) else None
        self._line = line if line is not None else _map_line(data)
        if self.data is None:
            self.problems.append(Problem(self.where(), f"{what or 'entry'} must be a mapping of fields"))

    @property
    def ok(self) -> bool:
        return self.data is not None

    def line(self, key: str | None = None) -> int | None:
        if self.data is not None and key is not None and key in self.data:
            return self.data.lc.key(key)[0] + 1
        return self._line

    def where(self, key: str | None = None) -> str:
        return where(self.file, self.line(key))

    def problem(self, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.where(key), message))

    def keys(self, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> bool:
        """Report unknown keys (listing the allowed ones) and missing required keys.

        True when every required key is there: an unknown key is reported but the entry is still
        built, so one stray key does not also make the entry "unknown" wherever it is used.
        """
        if self.data is None:
            return False
        allowed = required + optional
        fine = True
        for key in self.data:
            if key not in allowed:
                self.problem(key, f"unknown key `{key}` in {self.what}; allowed: {', '.join(allowed)}")
        for key in required:
            if key not in self.data:
                self.problem(None, f"{self.what} is missing `{key}`")
                fine = False
        return fine

    def has(self, key: str) -> bool:
        return self.data is not None and key in self.data

    def raw(self, key: str, default=None):
        return self.data.get(key, default) if self.data is not None else default

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.raw(key, default)
        if value is None and default is None and not self.has(key):
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(key, f"`{key}` of {self.what} must be non-empty text, not {_shown(value)}")
            return None
        return " ".join(value.split()) if "\n" in value else value.strip()

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            self.problem(key, f"`{key}` of {self.what} must be true or false, not {_shown(value)}")
            return default
        return value

    def integer(self, key: str, low: int, high: int) -> int | None:
        if not self.has(key):
            return None
        value = self.raw(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.problem(key, f"`{key}` of {self.what} must be a whole number from {low} to {high}, not {_shown(value)}")
            return None
        return int(value)  # not ruamel's int subclass, which would make unpickling a loaded pathway import ruamel

    def choice(self, key: str, kind: type[enum.Enum]):
        value = self.raw(key)
        allowed = [m.value for m in kind]
        if value not in allowed:
            self.problem(key, f"`{key}` of {self.what} is {_shown(value)}; allowed: {', '.join(allowed)}")
            return None
        return kind(value)

    def names(self, key: str) -> tuple[str, ...]:
        """A name or a list of names (citations, sources)."""
        value = self.raw(key)
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(i, str) and i for i in items):
            self.problem(key, f"`{key}` of {self.what} must be a name or a list of names, not {_shown(value)}")
            return ()
        return tuple(items)


def _map_line(data: object) -> int | None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(data, (CommentedMap, CommentedSeq)):
        return data.lc.line + 1
    return None


def item_line(seq: object, index: int) -> int | None:
    from ruamel.yaml.comments import CommentedSeq

    if isinstance(seq, CommentedSeq):
        return seq.lc.item(index)[0] + 1
    return None


def key_line(mapping: object, key: str) -> int | None:
    from ruamel.yaml.comments import CommentedMap

    if isinstance(mapping, CommentedMap) and key in mapping:
        return mapping.lc.key(key)[0] + 1
    return None


def _shown(value: object) -> str:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if value is None:
        return "empty"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (CommentedMap, dict)):
        return "a mapping"
    if isinstance(value, (CommentedSeq, list)):
        return "a list"
    return f"`{value}`"
