"""Who a change affects: every patient the two versions route differently at a visit, exactly.

Both versions' visits are decided over the same abstract patients (one BDD manager, guards
spelled out to the findings, thresholds of both): for every state a patient can rest in, the
findings where the outcome differs - where they rest, the care step, the visit's urgency, the
imaging they hold - form a region; each region is cut into boxes a clinician can read ("weeks of
conservative care 4 to 5; trend stuck or worse; ...") with its number of cases and one example
patient run through both versions' engines.
"""

from __future__ import annotations

import functools

import attrs

from ..engine import Engine
from ..spec import PathwaySpec, Waits
from .boxes import Box, box, box_text
from .symbolic import Region, Symbolic
from .visits import VisitModel


@attrs.frozen
class Outcome:
    state: str
    care_step: str
    urgency: str
    imaging: str

    def text(self, spec: PathwaySpec) -> str:
        return f"{spec.state[self.state].label} ({self.urgency}), imaging: {self.imaging}"


@attrs.frozen
class Changed:
    """Patients who end a visit with ``before`` in the old version and ``after`` in the new."""

    starts: tuple[str, ...]  # where they may rest before the visit, most cases first
    before: Outcome
    after: Outcome
    box: Box  # who they are, in words (the same patients from every state listed, when exact)
    cases: int  # one per resting state and patient class
    example: dict  # one patient of the group (findings, age, week), resting in starts[0]


@attrs.frozen(slots=False)
class Impact:
    old: PathwaySpec = attrs.field(repr=False)
    new: PathwaySpec = attrs.field(repr=False)
    changed: tuple[Changed, ...]
    cases: int  # every case decided (each resting state with every patient)
    sym: Symbolic = attrs.field(eq=False, repr=False)  # the classes the boxes are cut from

    @property
    def none(self) -> bool:
        return not self.changed

    @functools.cached_property
    def engines(self) -> tuple[Engine, Engine]:
        return Engine(self.old), Engine(self.new)


class VocabularyMismatch(ValueError):
    """The versions ask a shared question with different answers: visits cannot be compared."""


def impact(old: PathwaySpec, new: PathwaySpec) -> Impact:
    """Every patient routed differently by ``new`` than by ``old``, at a visit from any state
    both have that a patient can rest in."""
    old_s, new_s = _spelled(old), _spelled(new)
    sym = Symbolic(_merged(old_s, new_s), old_s.guards())
    before, after = VisitModel(old_s, sym), VisitModel(new_s, sym)
    starts = [s.id for s in new.states if s.id in old.state and s.waits is not Waits.DECIDES and not s.terminal]
    calm = ~sym.any_of(sym.guard(c.expr) for c in new.safety.categories)
    groups: dict[tuple[Outcome, Outcome], dict[str, Region]] = {}
    for start in starts:
        for pair, region in _differences(before, after, start).items():
            groups.setdefault(pair, {})[start] = region
    changed = [_changed(sym, calm, pair, by_start) for pair, by_start in groups.items()]
    changed.sort(key=lambda c: -c.cases)
    return Impact(old, new, tuple(changed), len(starts) * sym.count(sym.valid), sym)


def _changed(sym: Symbolic, calm: Region, pair: tuple[Outcome, Outcome], by_start: dict[str, Region]) -> Changed:
    counts = {start: sym.count(region) for start, region in by_start.items()}
    starts = tuple(sorted(counts, key=lambda s: -counts[s]))
    union = sym.any_of(by_start.values())
    described = box(sym, union, calm)
    exact = described.exact and all(region == union for region in by_start.values())
    return Changed(starts, *pair, attrs.evolve(described, exact=exact), sum(counts.values()),
                   sym.example(by_start[starts[0]]))


def _spelled(spec: PathwaySpec) -> PathwaySpec:
    """The spec with every guard spelled out to the findings (no named conditions left)."""
    transitions = tuple(attrs.evolve(t, expr=spec.spelled_out(t.expr)) for t in spec.transitions)
    rules = tuple(attrs.evolve(r, expr=spec.spelled_out(r.expr)) for r in spec.imaging_rules)
    return attrs.evolve(spec, transitions=transitions, imaging_rules=rules, conditions=())


def _merged(old: PathwaySpec, new: PathwaySpec) -> PathwaySpec:
    clashes = [f.name for f in new.findings if f.name in old.finding and _answers(old.finding[f.name]) != _answers(f)]
    if clashes:
        raise VocabularyMismatch(f"the versions answer {', '.join(clashes)} differently; impact compares visits "
                                 "with the same answers, so a changed question must get a new name")
    extra = tuple(f for f in old.findings if f.name not in new.finding)
    return attrs.evolve(new, findings=new.findings + extra)


def _answers(finding) -> tuple:
    return finding.type, finding.values, finding.minimum, finding.maximum


def _differences(before: VisitModel, after: VisitModel, start: str) -> dict[tuple[Outcome, Outcome], Region]:
    sym = before.sym
    found: dict[tuple[Outcome, Outcome], Region] = {}
    for region_a, a in _outcomes(before, start):
        for region_b, b in _outcomes(after, start):
            if a != b:
                both = region_a & region_b
                if not sym.empty(both):
                    found[(a, b)] = found.get((a, b), sym.false) | both
    return found


def _outcomes(visits: VisitModel, start: str) -> list[tuple[Region, Outcome]]:
    """What a visit from ``start`` leaves the patient with, by region of findings."""
    spec, sym, found = visits.spec, visits.sym, []
    for o in visits.outcomes(start):
        rest = spec.state[o.rest]
        urgency = "no transition (a gap)" if o.fell_through else visits.urgency(o).value
        for region, order in visits.orders(o.rest) or ((sym.valid, None),):
            part = o.region & region
            if not sym.empty(part):
                imaging = order.words if order is not None else "none"
                found.append((part, Outcome(o.rest, rest.care_step.value, urgency, imaging)))
    return found


def example_visits(result: Impact, changed: Changed) -> tuple:
    """The example patient's visit from the start state, through each version's engine."""
    traces = []
    for engine in result.engines:
        answers = {f.name: changed.example[f.name] for f in engine.spec.findings if not f.is_input}
        with engine.start(changed.example["age"], at=changed.starts[0]) as course:
            traces.append(course.visit(changed.example["week"], answers))
    return tuple(traces)


__all__ = ["Changed", "Impact", "Outcome", "VocabularyMismatch", "box_text", "example_visits", "impact"]
