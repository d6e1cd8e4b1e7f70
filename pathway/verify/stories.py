"""Counterexamples people can read: the shortest patient course that breaks a property.

The course is found on the abstract course graph, turned into a concrete patient (one value per
class), and then run through the real engine, so the story is what the engine does, not what
the checker thinks it does.
"""

from __future__ import annotations

import attrs

from ..engine import Engine, FellThrough
from ..patients import Patient, Visit
from ..render import finding_words
from ..spec import PathwaySpec, Waits
from ..trace import Trace
from .properties import Model
from .results import Failure


@attrs.frozen
class Story:
    patient: Patient
    trace: Trace | None  # None when the engine stops at a gap (FellThrough)
    problem: str = ""  # the engine's own complaint, if it stopped


def find_story(model: Model, failure: Failure) -> Story | None:
    """The shortest course ending with a visit in ``failure.region`` from ``failure.start``.

    A state that decides at once is never where a visit starts: the story's last visit then
    starts where the patient rests and passes through it with the same findings.
    """
    if failure.region is None:
        return None
    sym, courses = model.sym, model.courses
    weeks = range(len(sym.domains["week"].cells))
    for node in courses.nodes:
        for region in _last_visit_regions(model, node.state, failure):
            for week in weeks[node.week:]:
                last = region & sym.cell("age", node.age) & sym.cell("week", week)
                if not sym.empty(last):
                    earlier = [courses.region_at(s.before, s.outcome, s.week) for s in courses.course_to(node)]
                    return _run(model, [sym.example(r) for r in earlier + [last]])
    return None


def _last_visit_regions(model: Model, resting: str, failure: Failure):
    if resting == failure.start:
        yield failure.region
    elif model.spec.state[failure.start].waits is Waits.DECIDES:
        for outcome in model.visits.outcomes(resting):
            if failure.start in outcome.entered:
                yield outcome.region & failure.region


def _run(model: Model, visits: list[dict]) -> Story:
    spec = model.spec
    inputs = {f.name for f in spec.findings if f.is_input}
    weeks = _weeks(model, [v["week"] for v in visits])
    patient = Patient(
        age=visits[0]["age"],
        visits=tuple(Visit(w, {k: x for k, x in v.items() if k not in inputs}) for w, v in zip(weeks, visits)),
        id="counterexample",
    )
    try:
        return Story(patient, Engine(spec).run(patient))
    except FellThrough as err:
        return Story(patient, None, problem=str(err))


def _weeks(model: Model, examples: list[int]) -> list[int]:
    """Concrete weeks in the same classes as the examples, two weeks apart where the class allows."""
    domain = model.sym.domains["week"]
    weeks: list[int] = []
    for example in examples:
        cell = domain.cells[domain.index_of(example)]
        wanted = weeks[-1] + 2 if weeks else cell.low
        weeks.append(min(max(wanted, cell.low), cell.high))
    return weeks


def example_text(spec: PathwaySpec, findings: dict, before: dict | None = None) -> str:
    """A findings dict in words, leaving out the calm answers: only what a reviewer must see (and
    any answer that changed since ``before``, the visit before, calm or not)."""
    said, red_flag_yes = [], False
    for name, value in findings.items():
        finding = spec.finding.get(name)
        if finding is None or finding.is_input:
            continue
        calm = value is False or (finding.default is not None and value == finding.default)
        if not calm:
            said.append(finding_words(name, value, spec).replace(": yes", ""))
            red_flag_yes |= finding.red_flag
        elif before is not None and before.get(name) != value and not finding.red_flag:
            said.append((finding.when_false or f"no {finding.label}") if value is False else finding_words(name, value, spec))
    if not red_flag_yes:
        said.append("every red-flag question answered no")
    return "; ".join(said)


def story_text(model: Model, failure: Failure, story: Story | None) -> str:
    spec = model.spec
    lines = [f"  what goes wrong: {failure.message}"]
    if story is None:
        if failure.region is not None:
            lines.append(f"  no course reaches `{failure.start}` with these findings today (an earlier state catches them);"
                         " a patient who did reach it with them:")
            lines.append(f"    {example_text(spec, model.sym.example(failure.region))}")
    else:
        lines.append(f"  smallest patient story: aged {story.patient.age}, {len(story.patient.visits)} visit(s)")
        visits = story.trace.visits if story.trace else ()
        before = None
        for number, visit in enumerate(story.patient.visits, 1):
            lines.append(f"    week {visit.week}: {example_text(spec, visit.findings, before)}")
            before = visit.findings
            if number <= len(visits):
                lines.extend(_path_lines(spec, visits[number - 1]))
        if story.problem:
            lines.append(f"      the engine stops: {story.problem}")
    if failure.should:
        lines.append(f"  should have: {failure.should}")
    if failure.citations:
        lines.append("  sources: " + "; ".join(spec.reference[c].source for c in failure.citations if c in spec.reference))
    return "\n".join(lines)


def _path_lines(spec: PathwaySpec, visit) -> list[str]:
    path = " -> ".join([spec.state[visit.start].label] + [spec.state[s].label for s in visit.entered])
    stays = "stays" if visit.steps else visit.note
    lines = [f"      path: {path}" + ("" if visit.entered else f" ({stays})")]
    for step in visit.steps:
        cited = ", ".join(step.citations)
        lines.append(f"      fired: `{step.transition}` ({step.guard_words}) [{cited}]")
    return lines
