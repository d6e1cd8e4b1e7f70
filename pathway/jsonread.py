"""Read a JSON file strictly: every problem with its line, found before the JSON is parsed.

Python's json module keeps the last of two equal keys (a red flag answered "yes" then "no" is
read as "no"), recurses once per level of nesting (thousands of levels overflow the stack), and
reads `NaN`, `Infinity`, lone surrogates (`"\\ud800"`) and integers thousands of digits long
(which cannot be turned back into text). A scan of the tokens, which knows its line numbers,
refuses each of these (pathway.inputs); json then parses what is left, and reports any other
mistake with its line and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from .errors import Problem, where
from .inputs import (
    NESTING_LIMIT, bad_text, long_whole_number, number_too_long, printable, read_text, too_deep,
)

_TOKEN = re.compile(r"""[ \t\n\r]*(?:
    (?P<string>"(?:[^"\\\x00-\x1f]|\\.)*")
  | (?P<number>-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)
  | (?P<punct>[\[\]{}:,])
  | (?P<word>true|false|null)
  | (?P<constant>-?Infinity|NaN))""", re.VERBOSE)


class _Scan:
    """One pass over the tokens. `frames`: per open object, [its keys (key -> line), its latest
    key]; per open list, [None, the key it is the value of]."""

    def __init__(self, text: str, file: str, kind: str, allowed: Mapping[str, str]):
        self.text, self.file, self.kind, self.allowed = text, file, kind, allowed
        self.problems: list[Problem] = []
        self.frames: list[list] = []
        self.line = 1
        self.string: tuple[str, int] | None = None  # a string not yet known to be a key or a value

    def run(self) -> list[Problem]:
        pos = 0
        while (token := _TOKEN.match(self.text, pos)) is not None and token.end() > pos:
            self.line += self.text.count("\n", pos, token.start(token.lastgroup))
            pos = token.end()
            if not self._token(token.lastgroup, token.group(token.lastgroup)):
                return self.problems
        self._value_string()
        return self.problems

    def _token(self, kind: str, token: str) -> bool:
        """Take one token; False to stop (too deep, or a string json will report)."""
        if token == ":":
            self._key()
            return True
        self._value_string()
        if kind == "string":
            try:
                self.string = (json.loads(token), self.line)
            except ValueError:  # a bad escape: json says where
                return False
        elif kind == "constant":  # json would read it as a number
            field = self._field()
            allowed = self.allowed.get(field) if field is not None else None
            self._problem(f"`{token}` is not a number in JSON" + (f"; allowed: {allowed}" if allowed else ""), field)
        elif kind == "number" and (digits := long_whole_number(token)):
            field = self._field()
            self._problem(number_too_long(token, digits, self.allowed.get(field) if field is not None else None), field)
        elif token in "[{":
            if len(self.frames) >= NESTING_LIMIT:
                self._problem(too_deep(self.kind), None)
                return False
            self.frames.append([{} if token == "{" else None, self._field()])
        elif token in "]}" and self.frames:
            self.frames.pop()
        return True

    def _key(self) -> None:
        if self.string is None or not self.frames or self.frames[-1][0] is None:
            return  # not a key: json reports the stray colon
        (key, line), self.string = self.string, None
        keys = self.frames[-1][0]
        problem = bad_text(key)
        if problem is not None:
            self.problems.append(Problem(where(self.file, line), f"this key {problem}"))
        if key in keys:
            self.problems.append(Problem(where(self.file, line),
                                         f'duplicate key "{printable(key)}" (first at line {keys[key]})'))
        else:
            keys[key] = line
        self.frames[-1][1] = key

    def _value_string(self) -> None:
        if self.string is not None:
            (value, line), self.string = self.string, None
            problem = bad_text(value)
            if problem is not None:
                self.problems.append(Problem(where(self.file, line), f"{self._said(self._field())}the text {problem}"))

    def _field(self) -> str | None:
        return self.frames[-1][1] if self.frames else None

    def _problem(self, message: str, field: str | None) -> None:
        self.problems.append(Problem(where(self.file, self.line), f"{self._said(field)}{message}"))

    @staticmethod
    def _said(field: str | None) -> str:
        return "" if field is None else f"{printable(field)}: "


def read_json(path: Path, problems: list[Problem], kind: str = "patient",
              allowed: Mapping[str, str] | None = None) -> object | None:
    """The file's content, or None after adding its problems (`file:line: ...`). `kind` names the
    file in messages; `allowed`: field -> what it allows, said when a number there is too long."""
    file = str(path)
    text = read_text(path, problems, "utf-8-sig")  # a byte-order mark, as some editors write, is fine
    if text is None:
        return None
    found = _Scan(text, file, kind, allowed or {}).run()
    if found:
        problems.extend(found)
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        problems.append(Problem(f"{file}:{err.lineno}:{err.colno}", f"malformed JSON: {err.msg}"))
    return None
