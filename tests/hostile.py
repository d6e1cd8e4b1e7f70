"""Hostile inputs for every file and argument the tool reads, and the oracle they must meet.

Shared by tests/test_fuzz_inputs.py (a short campaign in CI) and benchmarks/fuzz_inputs.py (a
long one). Inputs start from the shipped files (the pathway's states/, the example patients,
the parameter and sweep files) and are mutated the way the first fuzz campaign broke them:
byte flips, truncation, a line given twice (a key twice), tags, anchors, deep nesting, huge
numbers, lone surrogates and control characters, wrong types, broken indentation, random text.

The oracle: a loader raises only its own error (a PathwayError, whose every message can be
printed), never anything else; nothing takes longer than HANG_SECONDS; a command exits 0, 1 or
2 (click's usage errors) with no traceback, and any file it was asked to write is either whole
or absent, with no temporary file left beside it.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import traceback
from pathlib import Path

from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
HANG_SECONDS = 30.0  # one input, however hostile: far more than any legitimate one here needs


class Hang(Exception):
    """An input took longer than HANG_SECONDS."""


class Broken(AssertionError):
    """The oracle failed: a traceback, a bad exit, a half-written file. `kind`: "traceback" or "hang"."""

    def __init__(self, kind: str, detail: str):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


@contextlib.contextmanager
def time_limit(seconds: float = HANG_SECONDS):
    """Raise Hang in this (main) thread after `seconds`."""
    def ring(signum, frame):
        raise Hang(f"more than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def only(allowed: tuple[type[BaseException], ...], job, *args):
    """`job(*args)`, or the allowed error it raised (its messages checked printable); anything
    else is Broken."""
    try:
        with time_limit():
            return job(*args)
    except Hang as err:
        raise Broken("hang", f"{getattr(job, '__name__', job)}: {err}") from None
    except allowed as err:
        printable(err)
        return err
    except Exception:  # noqa: BLE001 - the very thing the oracle looks for
        raise Broken("traceback", traceback.format_exc()) from None


def printable(err: BaseException) -> None:
    """Every problem must print: a message click cannot encode is a crash waiting at the terminal."""
    for problem in getattr(err, "problems", (err,)):
        text = str(problem)
        assert text.strip(), f"an empty message in {type(err).__name__}"
        text.encode("utf-8")


# -- mutations -----------------------------------------------------------------------------------

HOSTILE_YAML = [
    "!!bool yes", "!!int x", "!!float 1", "!!str 1", "!custom x", "!!binary aGk=", "&a 1", "*a", "<<: *a",
    '"\\ud800"', '"\\udfff x"', '"a\\0b"', '"\\x07"', '"\\e"', "'\x85'", "~", "null", "[]", "{}", "[1, [2, [3]]]",
    "{a: 1, a: 2}", "true", "-1", "0", ".inf", "-.inf", ".nan", "1e400", "1e20", "0x" + "f" * 40, "0o777",
    "1_000", "2.5", '""', "'", '"', "[", "{", "|", ">", "? a", "- a", "%YAML 1.1", "--- a", "...", "@x", "`x",
]
HOSTILE_JSON = [
    "NaN", "Infinity", "-Infinity", '"\\ud800"', '"\\u0000"', '"\\udc00x"', "null", "true", "[]", "{}", "-1",
    "1e999", "-0", "2.5", '""', '"yes"', "[[[]]]", '{"a": 1, "a": 2}', "[", "{", '"', "1,", "01", "tru",
]


def _line_bounds(data: bytes, index: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, index) + 1
    end = data.find(b"\n", index)
    return start, len(data) if end < 0 else end + 1


@st.composite
def hostile_value(draw, json_syntax: bool) -> str:
    """A value to put where one was: from the hostile list, nested deep, or a number thousands of digits long."""
    form = draw(st.sampled_from(["listed", "listed", "deep", "huge", "text"]))
    if form == "deep":
        depth = draw(st.integers(1, 3000))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a": ', "}") if json_syntax else ("{a: ", "}")]))
        return opener * depth + ("1" if opener != "[" else "") + closer * depth
    if form == "huge":
        return draw(st.sampled_from(["", "-"])) + "9" * draw(st.integers(15, 6000))
    if form == "text":
        text = draw(st.text(min_size=0, max_size=40))
        return json.dumps(text) if json_syntax or draw(st.booleans()) else text
    return draw(st.sampled_from(HOSTILE_JSON if json_syntax else HOSTILE_YAML))


@st.composite
def mutate(draw, data: bytes, json_syntax: bool) -> bytes:
    """One change to `data`."""
    if not data:
        return draw(st.binary(max_size=50))
    at = draw(st.integers(0, len(data) - 1))
    start, end = _line_bounds(data, at)
    op = draw(st.sampled_from(["flip", "truncate", "twice", "value", "value", "retype", "retype", "guard", "word",
                               "indent", "insert", "delete", "whole"]))
    if op == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    if op == "truncate":
        return data[:at]
    if op == "twice":  # a line given twice: in a mapping, a key given twice
        return data[:end] + data[start:end] + data[end:]
    if op in ("value", "retype", "guard"):
        value = draw(hostile_value(json_syntax) if op == "value" else well_formed(json_syntax) if op == "retype"
                     else guard_text(json_syntax))
        return _replace_value(data, start, end, value.encode("utf-8", "surrogatepass"), json_syntax)
    if op == "word":  # one name where another was: a cross-reference that goes nowhere, or somewhere else
        found = list(WORD.finditer(data))
        if not found:
            return data
        old = draw(st.sampled_from(found))
        new = draw(st.sampled_from([m.group() for m in found]))
        return data[:old.start()] + new + data[old.end():]
    if op == "indent":
        change = draw(st.sampled_from([b" ", b"  ", b"\t", b"   ", b""]))
        return data[:start] + change + data[start:].lstrip(b" ") if change == b"" else data[:start] + change + data[start:]
    if op == "insert":
        alphabet = st.sampled_from(list(":-[]{}#&*!|>'\"%@`, \t\n?\\") + ["a", "1", "é", "☃", "\x00", "\x1b"])
        return data[:at] + draw(st.text(alphabet=alphabet, max_size=12)).encode() + data[at:]
    if op == "delete":
        return data[:start] + data[end:]
    return draw(random_document(json_syntax))


def _replace_value(data: bytes, start: int, end: int, value: bytes, json_syntax: bool) -> bytes:
    line = data[start:end]
    colon = line.find(b": ")
    cut = colon + 2 if colon >= 0 else 0
    tail = b",\n" if json_syntax and line.rstrip().endswith(b",") else b"\n"
    return data[:start] + line[:cut] + value + tail + data[end:]


WORD = re.compile(rb"[a-z][a-z0-9_]{2,}")
WELL_FORMED_YAML = ["true", "false", "null", "0", "-1", "3", "16", "520", "521", "1.5", "1e300", "[]", "{}", "[a, b]",
                    "{a: 1}", '""', "'x'", "stay", "onset", "every non-urgent state", "none", "urgent", "emergency",
                    "decides", "visit", "result", "[nice-ng59-1.1.1]", "[nonexistent-ref]", "-0.5", "2", "[0.1, 0.9]",
                    "{uniform: [0, 1]}", "{lognormal: [1, 2]}", "{beta: [0, 1]}", "{triangular: [1, 3, 2]}",
                    "{16: 0.5}", "{'16-20': 1.0}", "grid", "sample"]
WELL_FORMED_JSON = ["true", "false", "null", "0", "-1", "16", "520", "521", "1.5", "[]", "{}", '"x"', '"none"',
                    '"leg_dominant"', '"stuck"', '["a"]', '{"a": 1}', "1e300", '"true"', "3.0"]


@st.composite
def well_formed(draw, json_syntax: bool) -> str:
    """A value that still parses, of another type or out of range: it reaches the loaders' checks."""
    return draw(st.sampled_from(WELL_FORMED_JSON if json_syntax else WELL_FORMED_YAML))


@st.composite
def guard_text(draw, json_syntax: bool) -> str:
    """A guard of random tokens: names, operators, literals, parentheses, deep or long."""
    tokens = st.sampled_from(["fever", "age", "week", "trend", "weakness", "foot_drop", "suspected_cauda_equina",
                              "neuro_deficit", "and", "or", "not", "(", ")", "==", "!=", "<", ">=", "in", "not in",
                              "[", "]", ",", '"stuck"', '"none"', "6", "-1", "999999999999999999999", "true", "false",
                              "&&", "=", "-", "*", "lambda", "__import__", "x.y", "'a'", "1.5"])
    words = draw(st.lists(tokens, min_size=1, max_size=30))
    if draw(st.integers(0, 5)) == 0:
        depth = draw(st.integers(1, 600))
        words = [draw(st.sampled_from(["not", "(", "-"]))] * depth + words
    text = " ".join(words)
    return json.dumps(text)  # quoted: YAML and JSON read it as one string


@st.composite
def random_document(draw, json_syntax: bool) -> bytes:
    """A whole file of random data (JSON is YAML too), or random text."""
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
    tree = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                        max_leaves=12)
    if draw(st.booleans()):
        return json.dumps(draw(tree)).encode()
    return draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")


@st.composite
def mutated(draw, originals: dict[str, bytes], json_syntax: bool = False) -> tuple[str, bytes]:
    """(file name, its mutated bytes): one to three changes to one of `originals`."""
    name = draw(st.sampled_from(sorted(originals)))
    data = originals[name]
    for _ in range(draw(st.integers(1, 3))):
        data = draw(mutate(data, json_syntax))
    return name, data


def originals(folder: Path, pattern: str) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob(pattern))}
