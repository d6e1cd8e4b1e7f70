"""What any file the tool reads may hold, whatever its format (YAML or JSON): how deep it nests,
how long a whole number may be, which characters text may hold.

Parsers accept more than our data may hold, and some of it breaks them (nesting thousands deep
overflows the stack; an integer thousands of digits long cannot be turned into a number or back
into text). The readers (pathway.yamlread, pathway.jsonread) apply these rules while they parse,
before any of it reaches the loaders.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path

from .errors import Problem, where

NESTING_LIMIT = 20  # levels of mappings and lists inside each other
NESTING_NEEDED = 4  # the deepest any shipped pathway, parameter, sweep or patient file goes
MAX_DIGITS = 18  # whole numbers below 10**18: every count, week, age and seed (and a 64-bit integer)

# A YAML 1.2 or JSON whole number: decimal, or with a 0x, 0o or 0b prefix; `_` may group digits.
_WHOLE = re.compile(r"[-+]?(?:0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[0-9][0-9_]*)")
# Control characters (C0 but tab and line feed, DEL, C1) and surrogates: never in text we keep.
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def too_deep(kind: str) -> str:
    return f"nested more than {NESTING_LIMIT} levels deep; a {kind} file needs at most {NESTING_NEEDED}"


def long_whole_number(text: str) -> int:
    """How many digits the whole number written as `text` has, when more than MAX_DIGITS; else 0."""
    if len(text) <= MAX_DIGITS or not _WHOLE.fullmatch(text):
        return 0
    digits = len(text.lstrip("+-").replace("_", ""))
    digits -= 2 if text.lstrip("+-")[1:2] in ("x", "o", "b") else 0
    return digits if digits > MAX_DIGITS else 0


def number_too_long(text: str, digits: int, allowed: str | None = None) -> str:
    """The message for a whole number of `digits` digits; `allowed`: what the field allows."""
    shown = text if len(text) <= 24 else f"{text[:12]}...{text[-6:]}"
    return f"the number {shown} is {digits:,} digits long; allowed: {allowed or f'whole numbers of at most {MAX_DIGITS} digits'}"


def bad_text(text: str) -> str | None:
    """Why `text` cannot be kept (a lone surrogate, NUL or another control character), or None."""
    found = _BAD_CHARACTER.search(text)
    if found is None:
        return None
    char = found.group()
    code = f"U+{ord(char):04X}"
    if unicodedata.category(char) == "Cs":
        return f"holds {code}, half of a surrogate pair, which is not valid Unicode text"
    return f"holds the control character {code}; text may hold tabs and line breaks, but no other control characters"


def printable(text: str) -> str:
    """`text` safe to print in a message: each character `bad_text` refuses as a \\uXXXX escape."""
    return _BAD_CHARACTER.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def look_up(path: Path) -> str:
    """What is at `path`: "folder", "file", "missing", or why it cannot be looked up (a name too
    long, a NUL byte, no permission), said in words: pathlib raises on some of these."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except ValueError:  # an embedded NUL byte
        return "the name holds a NUL character"
    except OSError as err:
        return err.strerror or str(err)
    return "folder" if stat.S_ISDIR(mode) else "file"


def missing_file(path: Path, what: str) -> Problem | None:
    """A Problem when `path` is not a file that can be read (missing, a folder, a name the system
    refuses), else None. `what`: "patient file", "parameter file", ..."""
    found = look_up(path)
    if found == "file":
        return None
    if found == "missing":
        return Problem("", f"no such {what}: {path}")
    said = "is a folder" if found == "folder" else f"cannot be opened: {found}"
    return Problem(str(path), f"{said}; give a {what}")


def read_text(path: Path, problems: list[Problem], encoding: str = "utf-8") -> str | None:
    """The file's text, or None after adding why it cannot be read (the line of the first byte
    that is not UTF-8)."""
    try:
        return path.read_text(encoding=encoding)
    except OSError as err:
        problems.append(Problem(str(path), f"cannot read file: {err.strerror or err}"))
    except UnicodeDecodeError as err:
        line = err.object.count(b"\n", 0, err.start) + 1
        problems.append(Problem(where(str(path), line), "the file is not UTF-8 text (save it as UTF-8)"))
    return None
