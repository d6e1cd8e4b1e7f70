"""One visit's complete findings decoded from a block of bytes: what `pathway.testing.findings`
draws, biased towards the answers the guards care about (no Hypothesis here)."""

from __future__ import annotations

from collections.abc import Callable

from .answers import companions, edges, guard_thresholds, read_by_red_flags
from .guards import compile_guard, names_in
from .spec import Finding, PathwaySpec
from .validate import baseline

RED_FLAG_MODES = ("some", "none", "any")
_YES = 128  # a byte at or above this reads "yes": one time in two
_RARELY = 192  # ... at or above this: one time in four
_CHANGE = 224  # a follow-up changes an answer when its change byte is at or above this: one time in eight

Reader = Callable[[bytes], object]


class VisitReader:
    """Decodes one visit's complete findings (every non-input finding) from a block of bytes.

    Why bytes: Hypothesis charges tens of microseconds per value drawn and a visit answers ~35
    questions, so `pathway.testing` draws one block per visit, several times faster, and reads
    one byte per answer (two for a number). A zero byte reads as the calm answer (`baseline`:
    the default, no, the first choice, the lowest number), so shrinking bytes shrinks towards a
    calm visit. Numbers are one of the `edges` half the time, else any in range (the first
    32768 of it).

    ``red_flags``: "none", every red-flag question no; "any", each yes one time in two; "some",
    no red flag half the time, else a first one and up to two of its `companions`. Under "none"
    and "some", the findings red-flag categories read (foot drop, weakness, ...) and those with
    a default are calm three times in four, so most visits neither escalate nor end the pathway.

    Given the previous visit's findings (a follow-up, ``follow_up_size`` bytes), each answer
    other than a red flag is kept unless a change byte says otherwise, one time in eight.
    """

    def __init__(self, spec: PathwaySpec, red_flags: str = "some"):
        if red_flags not in RED_FLAG_MODES:
            raise ValueError(f"red_flags is {red_flags!r}; allowed: {', '.join(RED_FLAG_MODES)}")
        asked = [f for f in spec.findings if not f.is_input]
        self.order = tuple(f.name for f in asked)
        flags = () if red_flags == "any" else tuple(f.name for f in asked if f.red_flag and f.type == "boolean")
        rare = set() if red_flags == "any" else read_by_red_flags(spec) | {f.name for f in asked if not f.required}
        calm, thresholds = baseline(spec), guard_thresholds(spec)
        self._slots = [
            (f.name, *_slot(f, calm[f.name] if f.name in rare else None, thresholds.get(f.name, ())))
            for f in asked if f.name not in flags
        ]
        self._raise = _raiser(flags, companions(spec)) if red_flags == "some" and flags else None
        self.size = sum(width for _, width, _ in self._slots) + (3 if self._raise else 0)
        self._calm = calm
        self._contradictions = [(list(dict.fromkeys(names_in(c.expr))), compile_guard(c.expr, {}))
                                for c in spec.contradictions]
        self.follow_up_size = self.size + len(self._slots)

    def __call__(self, block: bytes, previous: dict | None = None) -> dict:
        changes = block[self.size:] if previous is not None else None
        answers, at = {}, 0
        for i, (name, width, read) in enumerate(self._slots):
            fresh = read(block[at:at + width])
            at += width
            answers[name] = fresh if changes is None or changes[i] >= _CHANGE else previous[name]
        raised = self._raise(block[at:at + 3]) if self._raise else ()
        # Red-flag questions not read from a slot are no unless raised; spec order throughout.
        return self._consistent({name: answers.get(name, name in raised) for name in self.order})

    def _consistent(self, answers: dict) -> dict:
        """The answers with any contradiction (findings.yaml) undone: its first finding made calm."""
        for names, holds in self._contradictions:
            for name in names:
                if not holds(answers):
                    break
                answers[name] = self._calm[name]
        return answers


def _slot(finding: Finding, calm: object, thresholds: tuple[int, ...]) -> tuple[int, Reader]:
    """How many bytes the answer takes and how to read it; a ``calm`` answer is given 3 times in 4."""
    if finding.type == "integer":
        return 2, _number(finding, edges(finding, thresholds))
    values = (False, True) if finding.type == "boolean" else finding.values
    if calm is None:
        return 1, lambda b: _pick(values, b[0])
    return 1, lambda b: calm if b[0] < _RARELY else _pick(values, b[0], _RARELY)


def _pick(options: tuple, byte: int, low: int = 0):
    """Byte values low..255 spread evenly over the options."""
    return options[(byte - low) * len(options) // (256 - low)]


def _number(finding: Finding, near: list[int]) -> Reader:
    low, span, near = finding.minimum, finding.maximum - finding.minimum + 1, tuple(near)

    def read(b: bytes) -> int:
        if b[0] < _YES:
            return _pick(near, b[1])  # a threshold or an end
        return low + (((b[0] - _YES) << 8) | b[1]) % span

    return read


def _raiser(flags: tuple[str, ...], partners: dict[str, tuple[str, ...]]) -> Reader:
    def read(b: bytes) -> tuple[str, ...]:
        if b[0] < _YES:
            return ()
        first = _pick(flags, b[0], _YES)
        others = partners.get(first) or tuple(f for f in flags if f != first)
        return (first, *dict.fromkeys(_pick(others, x, _YES) for x in b[1:3] if x >= _YES))

    return read
