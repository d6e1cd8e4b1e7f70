"""Read a YAML file strictly: plain scalars, mappings and lists only, each problem with its line.

ruamel.yaml (YAML 1.2, line numbers kept) does the parsing; two small subclasses of its
round-trip scanner and parser look at what it reads as it reads it, so nothing we refuse is ever
built into an object:

- the scanner stops at nesting deeper than pathway.inputs.NESTING_LIMIT (deeper, ruamel's
  scanner slows quadratically and its composer overflows the stack);
- the parser refuses explicit tags (`!!bool`, `!tag`: the constructor fails on them in odd ways),
  anchors and aliases (`&a`, `*a`: nothing in our files needs them, and refusing them keeps
  "billion laughs" out), `%YAML`/`%TAG` directives (`%YAML 1.1` would read `yes` as true),
  lists or mappings used as keys, text that is not valid Unicode or holds control characters,
  whole numbers too long to convert, and a key given twice in one mapping (all of them, with
  the line of each and of its first appearance).
"""

from __future__ import annotations

import warnings
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.events import (
    AliasEvent, CollectionEndEvent, CollectionStartEvent, DocumentEndEvent, DocumentStartEvent, MappingStartEvent,
    ScalarEvent,
)
from ruamel.yaml.parser import RoundTripParser
from ruamel.yaml.scanner import RoundTripScanner

from .errors import Problem, where
from .inputs import (
    NESTING_LIMIT, bad_text, long_whole_number, number_too_long, printable, read_text, too_deep,
)

YAML_TAGS = "tag:yaml.org,2002:"


class Refused(Exception):
    """What the strict reader refused: (line, message) pairs."""

    def __init__(self, found: list[tuple[int, str]]):
        super().__init__(found)
        self.found = found


def load_strict(text: str, kind: str = "pathway"):
    """The document in `text`, built by ruamel's round-trip loader; raises Refused with every
    (line, message) found, ruamel's errors for text that is not YAML among them, in plain words."""
    from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError

    from .yamlwords import plain_error, reader_error

    yaml = YAML(typ="rt")
    yaml.Scanner, yaml.Parser = _Scanner, _Parser
    yaml.sciatica_kind = kind  # read by the scanner, for its message
    try:
        with warnings.catch_warnings():  # a reused anchor is refused below: no warning on stderr as well
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            return yaml.load(text)
    except MarkedYAMLError as err:  # after what the parser found before it
        raise Refused([*getattr(yaml.parser, "found", []), plain_error(err, text)]) from None
    except YAMLError as err:
        raise Refused([reader_error(err, text)]) from None


class _Scanner(RoundTripScanner):
    """Counts nesting as it reads: `[` and `{`, and each deeper indentation."""

    def fetch_flow_collection_start(self, TokenClass, to_push) -> None:
        self._deeper(self.flow_level + 1 + len(self.indents))
        super().fetch_flow_collection_start(TokenClass, to_push)

    def add_indent(self, column: int) -> bool:
        added = super().add_indent(column)
        if added:
            self._deeper(self.flow_level + len(self.indents))
        return added

    def _deeper(self, depth: int) -> None:
        if depth > NESTING_LIMIT:
            raise Refused([(self.reader.line + 1, too_deep(self.loader.sciatica_kind))])


class _Frame:
    """A mapping or list being read: a mapping's keys so far (key -> line), and its latest key."""

    __slots__ = ("keys", "key", "expect_key")

    def __init__(self, mapping: bool, key: str | None):
        self.keys: dict[str, int] | None = {} if mapping else None
        self.key = key  # the field a value here belongs to (a list's: its own key)
        self.expect_key = mapping


class _Parser(RoundTripParser):
    """Checks every event on its way to the composer; raises Refused at the document's end (or
    at once, for an alias) with all it found."""

    def __init__(self, loader) -> None:
        super().__init__(loader)
        self.found: list[tuple[int, str]] = []
        self.frames: list[_Frame] = []

    def get_event(self):
        event = super().get_event()
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, DocumentStartEvent):
            self._directives(event, line)
        elif isinstance(event, DocumentEndEvent) and self.found:
            raise Refused(self.found)
        elif isinstance(event, (ScalarEvent, AliasEvent, CollectionStartEvent)):
            self._node(event, line)
        elif isinstance(event, CollectionEndEvent) and self.frames:
            self.frames.pop()
            self._done()
        return event

    def _directives(self, event: DocumentStartEvent, line: int) -> None:
        if (event.version not in (None, (1, 2))) or event.tags:
            self.found.append((line, "YAML directives (`%YAML 1.1`, `%TAG`) are not allowed; the file is read as "
                                     "YAML 1.2 as it is"))

    def _node(self, event, line: int) -> None:
        frame = self.frames[-1] if self.frames else None
        is_key = frame is not None and frame.expect_key
        field = None if frame is None or is_key else frame.key
        said = "" if field is None else f"`{printable(field)}`: "
        if isinstance(event, AliasEvent):
            raise Refused([*self.found, (line, f"{said}aliases (`*{event.anchor}`) are not allowed; write the value out in full")])
        if event.tag is not None:
            tag = str(event.tag).replace(YAML_TAGS, "!!")
            self.found.append((line, f"{said}explicit YAML tags are not allowed (`{tag}`); write the value plainly "
                                     "(in quotes if it is text)"))
        if event.anchor is not None:
            self.found.append((line, f"{said}anchors (`&{event.anchor}`) are not allowed; write each value out in full"))
        if isinstance(event, ScalarEvent):
            self._scalar(event, line, said, frame if is_key else None)
            self._done()
        else:
            if is_key:
                self.found.append((line, "a key must be a name or a number, not a list or mapping"))
            self.frames.append(_Frame(isinstance(event, MappingStartEvent), field))

    def _scalar(self, event: ScalarEvent, line: int, said: str, mapping: _Frame | None) -> None:
        """Checks a scalar's text; a key (`mapping`: the mapping it is a key of) must be new there."""
        value = event.value
        # ruamel marks the folds of a `>` block with BEL characters (dropped when the text is built);
        # the file itself cannot hold one (its reader refuses control characters).
        problem = bad_text(value.replace("\a", "") if event.style == ">" else value)
        if problem is not None:
            self.found.append((line, f"{said}{'this key' if mapping else 'the text'} {problem}"))
        digits = long_whole_number(value) if event.style is None else 0
        if digits:
            self.found.append((line, f"{said}{number_too_long(value, digits)}"))
        if mapping is None:
            return
        if value in mapping.keys:
            self.found.append((line, f"duplicate key `{printable(value)}` (first at line {mapping.keys[value]})"))
        else:
            mapping.keys[value] = line
        mapping.key = value

    def _done(self) -> None:
        """A node is complete: in a mapping, keys and values take turns."""
        if self.frames and self.frames[-1].keys is not None:
            self.frames[-1].expect_key = not self.frames[-1].expect_key


def read_yaml(path: Path, problems: list[Problem], kind: str = "pathway") -> object | None:
    """The file's content, or None after adding its `file:line` problems. `kind` names the file
    in messages ("a pathway file needs ...")."""
    file = str(path)
    text = read_text(path, problems)
    if text is None:
        return None
    try:
        return load_strict(text, kind)
    except Refused as refused:
        problems.extend(Problem(where(file, line), message) for line, message in refused.found)
    return None
