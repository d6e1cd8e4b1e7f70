"""The safety requirements must be well formed and speak of the pathway's findings: every guard
over findings only, every red-flag question accounted for, every finding they read answered at
every visit, every declaration of what a question demands alone borne out by the categories."""

from __future__ import annotations

from .errors import Problem
from .guards import check_guard, compile_guard, names_in
from .safety import SafetyRequirements
from .spec import PathwaySpec

ASSUMPTION = "project-assumption"


def validate_safety(spec: PathwaySpec, terms) -> list[Problem]:
    safety = spec.safety
    if safety is None:
        return []
    problems = _guards(spec, safety, terms)
    if problems:
        return problems  # the checks below evaluate the guards
    for check in (_citations, _answered, _questions):
        problems.extend(check(spec, safety))
    return problems


def _owned(safety: SafetyRequirements):
    yield from ((c.line, f"safety category `{c.name}`", c.expr) for c in safety.categories)
    yield from ((r.line, f"order rule `{r.name}`", r.expr) for r in safety.every_order)
    yield from ((r.line, f"imaging reason `{r.name}`", r.expr) for r in safety.imaging_reasons)


def _guards(spec: PathwaySpec, safety: SafetyRequirements, terms) -> list[Problem]:
    owners = [(line, f"term `{name}`", expr) for name, expr, _, line in terms] + list(_owned(safety))
    if safety.mri_contraindicated is not None:
        owners.append((safety.source, "`mri_contraindicated`", safety.mri_contraindicated))
    problems = []
    for line, owner, expr in owners:
        for message in check_guard(expr, spec.finding, set()):
            problems.append(Problem(line, f"guard of {owner}: {_plain(message, spec)}"))
    return problems


def _plain(message: str, spec: PathwaySpec) -> str:
    """Say so when a requirement reads one of the pathway's conditions: it must not."""
    name = message.partition("unknown name `")[2].partition("`")[0]
    if name in spec.condition:
        return (f"unknown name `{name}`; safety requirements read the findings and their own terms only, "
                "never the pathway's conditions")
    return message


def _citations(spec: PathwaySpec, safety: SafetyRequirements) -> list[Problem]:
    problems = []
    cited = [(c.line, f"safety category `{c.name}`", c.citations, c.note) for c in safety.categories]
    cited += [(r.line, f"order rule `{r.name}`", r.citations, "") for r in safety.every_order]
    cited += [(r.line, f"imaging reason `{r.name}`", r.citations, "") for r in safety.imaging_reasons]
    cited += [(q.line, f"red-flag question `{q.finding}`", q.citations, q.because) for q in safety.questions]
    for line, owner, citations, note in cited:
        problems += [Problem(line, f"{owner} cites unknown reference `{ref}`") for ref in citations if ref not in spec.reference]
        if ASSUMPTION in citations and not note:
            problems.append(Problem(line, f"{owner} cites `{ASSUMPTION}`: add a `note` saying what is assumed and why"))
    return problems


def _answered(spec: PathwaySpec, safety: SafetyRequirements) -> list[Problem]:
    """A finding the requirements read may not have a default: it is asked at every visit."""
    readers: dict[str, list[str]] = {}
    for category in safety.categories:
        for name in dict.fromkeys(names_in(category.expr)):
            readers.setdefault(name, []).append(category.name)
    results = {s.awaits for s in spec.states}  # results are recorded, not asked: e.g. "not yet imaged"
    problems = []
    for name, categories in readers.items():
        finding = spec.finding[name]
        if finding.default is not None and not finding.red_flag and name not in results:  # red flags: loader reports
            problems.append(Problem(finding.line, f"finding `{name}` is read by safety categor"
                                                  f"{'ies' if len(categories) > 1 else 'y'} {', '.join(categories)} "
                                                  "and so may not have a default: it must be answered at every visit"))
    return problems


def _questions(spec: PathwaySpec, safety: SafetyRequirements) -> list[Problem]:
    from .validate import baseline

    problems = []
    declared = {q.finding: q for q in safety.questions}
    for f in spec.findings:
        if f.red_flag and f.name not in declared:
            problems.append(Problem(f.line, f"red-flag question `{f.name}` is not in safety.yaml `red_flag_questions`: "
                                            "say what it demands alone (a category, or none and why)"))
    calm = baseline(spec)
    holds = [(c, compile_guard(c.expr, {})) for c in safety.categories]
    for q in safety.questions:
        finding = spec.finding.get(q.finding)
        if finding is None or not finding.red_flag or finding.type != "boolean":
            problems.append(Problem(q.line, f"`{q.finding}` in `red_flag_questions` is not a yes/no red-flag question of findings.yaml"))
            continue
        fired = [c.name for c, test in holds if test({**calm, q.finding: True})]
        if q.alone is not None and q.alone not in safety.category:
            problems.append(Problem(q.line, f"red-flag question `{q.finding}`: `alone` names unknown category `{q.alone}`; "
                                            f"known: {', '.join(safety.category)}, none"))
        elif q.alone is not None and q.alone not in fired:
            problems.append(Problem(q.line, f"red-flag question `{q.finding}` is declared to demand `{q.alone}` alone, but "
                                            "that category does not hold when it is the only thing present"))
        elif q.alone is None and fired:
            problems.append(Problem(q.line, f"red-flag question `{q.finding}` is declared to escalate nowhere alone, but "
                                            f"`{fired[0]}` holds when it is the only thing present"))
    return problems
