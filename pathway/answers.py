"""Answering a pathway's questions for tests and searches, read off the spec (no Hypothesis here).

- `guard_thresholds`: the numbers the guards compare each finding with.
- `VisitReader`: one visit's complete findings decoded from a block of bytes (what
  `pathway.testing.findings` draws), biased towards the answers the guards care about.
- `presentations`: each red-flag category (and each pair) on a calm visit changed just enough.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import combinations

from .guards import And, Compare, Expr, Literal, Name, Not, Or, compares_in, compile_guard, names_in
from .spec import Finding, PathwaySpec
from .validate import baseline

RED_FLAG_MODES = ("some", "none", "any")
_YES = 128  # a byte at or above this reads "yes": one time in two
_RARELY = 192  # ... at or above this: one time in four
_CHANGE = 224  # a follow-up changes an answer when its change byte is at or above this: one time in eight


def guard_thresholds(spec: PathwaySpec) -> dict[str, tuple[int, ...]]:
    """The whole numbers each finding is compared with in any guard (``age > 50`` gives ``age: (50,)``)."""
    found: dict[str, set[int]] = {}
    for node in (n for expr in spec.guards() for n in compares_in(expr)):
        values = node.value if isinstance(node.value, tuple) else (node.value,)
        numbers = {v for v in values if isinstance(v, int) and not isinstance(v, bool)}
        if numbers:
            found.setdefault(node.name, set()).update(numbers)
    return {name: tuple(sorted(numbers)) for name, numbers in found.items()}


def edges(finding: Finding, thresholds: tuple[int, ...]) -> list[int]:
    """The integers worth trying first: each threshold c as c-1, c, c+1, and both ends, lowest first."""
    near = {finding.minimum, finding.maximum} | {c + d for c in thresholds for d in (-1, 0, 1)}
    return sorted(v for v in near if finding.minimum <= v <= finding.maximum)


def categories(spec: PathwaySpec):
    """The red-flag categories of the safety requirements (their guards read findings only)."""
    return spec.safety.categories if spec.safety is not None else ()


def read_by_red_flags(spec: PathwaySpec) -> set[str]:
    """The findings (red-flag questions or not) that some red-flag category reads."""
    return {name for c in categories(spec) for name in _findings_under(c.expr, spec)}


def _findings_under(expr: Expr, spec: PathwaySpec) -> set[str]:
    found = set()
    for name in names_in(expr):
        if name in spec.condition:
            found |= _findings_under(spec.condition[name].expr, spec)  # the validator rejects cycles
        elif name in spec.finding:
            found.add(name)
    return found


def companions(spec: PathwaySpec) -> dict[str, tuple[str, ...]]:
    """For each red-flag question, the red-flag questions a category needs together with it.

    The red flags under different operands of one `and` in a category's guard
    (``fever and (iv_drug_use or recent_infection)``) are companions of each other.
    """
    flags = {f.name for f in spec.findings if f.red_flag}
    found: dict[str, set[str]] = {}
    for node in (n for c in categories(spec) for n in _ands(c.expr, spec)):
        groups = [_findings_under(operand, spec) & flags for operand in node.operands]
        for i, group in enumerate(groups):
            partners = set().union(*groups[:i], *groups[i + 1:])
            for flag in group:
                found.setdefault(flag, set()).update(partners - {flag})
    return {flag: tuple(sorted(partners)) for flag, partners in found.items() if partners}


def _ands(expr: Expr, spec: PathwaySpec) -> Iterator[And]:
    if isinstance(expr, Name) and expr.name in spec.condition:
        yield from _ands(spec.condition[expr.name].expr, spec)
    elif isinstance(expr, Not):
        yield from _ands(expr.operand, spec)
    elif isinstance(expr, (And, Or)):
        if isinstance(expr, And):
            yield expr
        for operand in expr.operands:
            yield from _ands(operand, spec)


# -- one visit's findings from bytes -------------------------------------------------------------

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


# -- presentations of the red-flag categories ----------------------------------------------------


def presentations(spec: PathwaySpec) -> list[tuple[tuple[str, ...], dict]]:
    """Red-flag presentations as ``(categories, changes)``: the answers (age among them) that
    depart from the calm visit (`baseline`).

    Each category once for every leaf of its guard (a finding or a comparison, named conditions
    spelled out), as the smallest change from calm (up to three answers) where that leaf is
    needed: the category holds, and would not without that leaf. So a guard that lost any
    leaf, or read one wrongly, is caught. Of the changes that qualify, the one bringing the
    fewest other categories along wins, so that a more urgent escalation does not mask it.
    Then each pair of categories together (which escalation wins where both hold?).
    """
    holding = _Holding(spec)
    singles: list[tuple[str, dict]] = []
    for category in categories(spec):
        guard = category.expr
        answers = _alarming_answers(spec, _findings_under(guard, spec))
        for leaf in _leaf_paths(guard):
            without = compile_guard(_forced(guard, leaf, False), {})
            way = _needing(holding, category.name, without, answers)
            if way is not None and (category.name, way) not in singles:
                singles.append((category.name, way))
    return [((name,), changes) for name, changes in singles] + _pairs(spec, singles, holding)


def _needing(holding: _Holding, category: str, without, answers: list) -> dict | None:
    """The smallest change from calm where ``category`` holds but ``without`` (its guard short of
    one leaf) does not; of equals, the one with the fewest other categories."""
    best, fewest = None, None
    for size in (1, 2, 3):
        for combo in combinations(answers, size):
            changes = dict(combo)
            if len(changes) < size:
                continue  # two answers to one question
            env = {**holding.calm, **changes}
            if not holding.checks[category](env) or without(env):
                continue
            others = len(holding(changes)) - 1
            if fewest is None or others < fewest:
                best, fewest = changes, others
        if best is not None:
            return _unmasked(holding, category, without, best) if fewest else best
    return None


def _unmasked(holding: _Holding, category: str, without, changes: dict) -> dict:
    """Try one more answer that turns the other categories off while the leaf stays needed."""
    best, fewest = changes, len(holding(changes)) - 1
    for name, value in holding.answers:
        if name in changes:
            continue
        more = {**changes, name: value}
        env = {**holding.calm, **more}
        others = len(holding(more)) - 1
        if others < fewest and holding.checks[category](env) and not without(env):
            best, fewest = more, others
    return best


def _pairs(spec: PathwaySpec, singles: list[tuple[str, dict]], holding) -> list[tuple[tuple[str, ...], dict]]:
    """Each pair of categories, each by its presentation that brings the fewest others along."""
    lead: dict[str, dict] = {}
    for name, changes in sorted(singles, key=lambda single: len(holding(single[1]))):
        lead.setdefault(name, changes)
    pairs = []
    for (a, one), (b, other) in combinations([(c.name, lead[c.name]) for c in categories(spec) if c.name in lead], 2):
        for merged in ({**one, **other}, {**other, **one}):  # on a clash, either may win
            if {a, b} <= set(holding(merged)):
                pairs.append(((a, b), merged))
                break
    return pairs


class _Holding:
    """Which red-flag categories hold for a calm visit with some answers changed."""

    def __init__(self, spec: PathwaySpec):
        self.checks = {c.name: compile_guard(c.expr, {}) for c in categories(spec)}
        self.calm = baseline(spec)
        self.answers = _alarming_answers(spec, read_by_red_flags(spec))

    def __call__(self, changes: dict) -> list[str]:
        env = {**self.calm, **changes}
        return [name for name, holds in self.checks.items() if holds(env)]


def _alarming_answers(spec: PathwaySpec, names: set[str]) -> list[tuple[str, object]]:
    """Every answer other than the calm one to the named findings (numbers: their `edges`)."""
    calm, thresholds, answers = baseline(spec), guard_thresholds(spec), []
    for name in sorted(names):
        f = spec.finding[name]
        values = {"boolean": (False, True), "enum": f.values}.get(f.type) or edges(f, thresholds.get(name, ()))
        answers += [(name, v) for v in values if v != calm[name]]
    return answers


# -- guard surgery: named conditions spelled out, one leaf forced ------------------------------------


def _leaf_paths(expr: Expr, path: tuple[int, ...] = ()) -> Iterator[tuple[int, ...]]:
    """Where each finding or comparison sits: operand indexes from the top."""
    if isinstance(expr, (Name, Compare)):
        yield path
    elif isinstance(expr, Not):
        yield from _leaf_paths(expr.operand, (*path, 0))
    elif isinstance(expr, (And, Or)):
        for i, operand in enumerate(expr.operands):
            yield from _leaf_paths(operand, (*path, i))


def _forced(expr: Expr, path: tuple[int, ...], value: bool) -> Expr:
    if not path:
        return Literal(value)
    if isinstance(expr, Not):
        return Not(_forced(expr.operand, path[1:], value))
    operands = list(expr.operands)
    operands[path[0]] = _forced(operands[path[0]], path[1:], value)
    return type(expr)(tuple(operands))

