"""ruamel.yaml's parse errors in plain words, for the clinicians who edit the files.

ruamel says what its grammar expected ("expected <block end>, but found '?'", "mapping values are
not allowed here"); a reader needs what is wrong with their line: usually its indentation, a tab,
a colon inside a value, or a quote or bracket left open. Each error keeps the line it is about.
"""

from __future__ import annotations

import re

from .inputs import printable

INDENTATION = ("this line's indentation does not match the lines around it (a key is indented differently "
               "from its siblings, or a list item from the items before it)")
_CANNOT_START = re.compile(r"found character '(.+)' that cannot start any token")
_UNKNOWN_ESCAPE = re.compile(r"found unknown escape character '(.+)'")
_BLOCK_END = re.compile(r"expected <block end>, but found '(.+)'")
_DUPLICATE = re.compile(r'found duplicate key "(.*)" with value')
_FLOW_END = re.compile(r"expected ',' or '(\]|\})', but got")


def plain_error(err, text: str) -> tuple[int | None, str]:
    """A MarkedYAMLError as (line, what is wrong), in plain words where the error is known."""
    problem, context = _words(err.problem or ""), _words(err.context or "")
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else None
    opened = err.context_mark.line + 1 if err.context_mark else None
    said = _said(problem, context, _line(text, line), mark.column if mark else 0, opened)
    if said is not None:
        return said if isinstance(said, tuple) else (line, said)
    detail = problem or context or "not valid YAML"
    if problem and context and opened is not None and opened != line:
        detail = f"{detail} ({context} that starts at line {opened})"
    return line, f"not valid YAML: {printable(detail)}"


def _said(problem: str, context: str, text: str, column: int, opened: int | None):
    """The plain message (or (line, message) when another line is the one to fix), or None."""
    if found := _CANNOT_START.fullmatch(problem):
        char = found.group(1)
        if char == "\\t":
            before = text[:column]
            return ("tabs are not allowed for indentation; use spaces" if not before.strip()
                    else "a tab where a value should start; use spaces, not tabs")
        return f"a value cannot start with `{char}`; put the text in quotes"
    if problem == "mapping values are not allowed here":
        if ": " in text[:column]:
            return "a value holds `: `; put the value in quotes (a colon then a space starts a key)"
        return INDENTATION
    if found := _BLOCK_END.fullmatch(problem):
        if found.group(1) in ("]", "}"):
            return f"a `{found.group(1)}` closes a list or mapping that was never opened"
        if found.group(1) == "<scalar>" and text[:column].rstrip().endswith(("'", '"')):
            return "text after a closing quote; put the whole value in quotes"
        return INDENTATION
    if problem == "could not find expected ':'":
        return (opened, "a line that is not `key: value` or a list item (`- `): a key is missing its colon, or "
                        "this line continues the one above with the wrong indentation")
    return _said_more(problem, context, opened)


def _said_more(problem: str, context: str, opened: int | None):
    if problem == "found unexpected end of stream" and "quoted scalar" in context:
        return (opened, "this quote is never closed (the file ends inside it)")
    if found := _FLOW_END.match(problem):
        bracket = "[" if found.group(1) == "]" else "{"
        return (f"the `{bracket}` opened at line {opened} is not closed by `{found.group(1)}` before this point "
                "(or a comma is missing between its items)")
    if problem.startswith("expected '<document start>'"):
        return ("the file's first value was already complete (a quoted text, a [...] or a {...}) before this line; "
                "a file is one mapping of `key: value` lines")
    if context == "expected a single document in the stream":
        return "a second document starts here (`---` or `...`); a file holds one document"
    if found := _UNKNOWN_ESCAPE.fullmatch(problem):
        return (f"unknown escape `\\{printable(found.group(1))}` in double-quoted text; write `\\\\` for a "
                "backslash, or use single quotes")
    if problem.startswith("found undefined tag handle"):
        return "explicit YAML tags are not allowed; write the value plainly (in quotes if it is text)"
    if found := _DUPLICATE.match(problem):  # keys written differently with one value: `16` and `0x10`
        return f"duplicate key `{printable(found.group(1))}`: another key of this mapping has the same value"
    return None


def reader_error(err, text: str) -> tuple[int | None, str]:
    """A character YAML does not allow in a file at all (ReaderError), or another YAMLError."""
    position = getattr(err, "position", None)
    if isinstance(position, int) and 0 <= position < len(text):
        line = text.count("\n", 0, position) + 1
        return line, f"the file holds the character U+{ord(text[position]):04X}, which YAML does not allow; remove it"
    return None, f"not valid YAML: {printable(_words(str(err)))}"


def _words(text: str) -> str:
    return " ".join(str(text).split())


def _line(text: str, line: int | None) -> str:
    lines = text.split("\n")
    return lines[line - 1] if line and line <= len(lines) else ""
