"""The hazard log (hazards.yaml, beside the pathway): hazards, their risk on the DCB0129 matrix,
and the controls with the evidence each links to. Loaded strictly; every link is checked against
the pathway, its safety requirements, the properties, the mutant methods and the vignettes, so a
control cannot cite evidence that does not exist.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from .cache import cached
from .errors import PathwayError, Problem
from .spec import PathwaySpec
from .yamlsource import Node, item_line, read_yaml

LINKS = ("requirements", "transitions", "imaging_rules", "properties", "mutants", "vignettes", "tests")
STATUSES = ("open", "closed", "transferred")


@attrs.frozen
class Risk:
    severity: str
    likelihood: str


@attrs.frozen
class Control:
    id: str
    description: str
    links: dict = attrs.field(eq=False)  # link kind -> tuple of names (see LINKS)
    line: str = attrs.field(default="", eq=False)


@attrs.frozen
class Hazard:
    id: str
    title: str
    cause: str
    effect: str
    harm: str
    initial: Risk
    controls: tuple[Control, ...]
    residual: Risk
    status: str
    line: str = attrs.field(default="", eq=False)


@attrs.frozen
class HazardLog:
    severities: tuple[str, ...]
    likelihoods: tuple[str, ...]
    ratings: dict = attrs.field(eq=False)  # likelihood -> ratings by severity
    hazards: tuple[Hazard, ...]
    source: str = ""

    def rating(self, risk: Risk) -> int:
        return self.ratings[risk.likelihood][self.severities.index(risk.severity)]


def load_hazards(spec: PathwaySpec, path: str | Path | None = None) -> HazardLog:
    """The hazard log of the pathway's folder (or ``path``); PathwayError names every problem."""
    path = Path(path) if path else Path(spec.source) / "hazards.yaml"
    try:  # a log read before without problems, from the same bytes, comes from the load cache
        log, problems = cached("hazards", str(path), [path], lambda: _without_problems(path)), []
    except _Problems as err:
        log, problems = err.args
    if log is None:
        raise PathwayError(problems or [Problem(str(path), "no hazard log: a pathway's hazard log is hazards.yaml "
                                                           "in its folder (copy the shipped one to start)")])
    problems += _broken_links(spec, log)  # every problem at once: the file's and its links'
    if problems:
        raise PathwayError(problems)
    return log


class _Problems(Exception):
    """A hazard log read with problems (the log, or None if there is none, and the problems): never cached."""


def _without_problems(path: Path) -> HazardLog:
    log, problems = _read(path)
    if log is None or problems:
        raise _Problems(log, problems)
    return log


def _read(path: Path) -> tuple[HazardLog | None, list[Problem]]:
    problems: list[Problem] = []
    doc = read_yaml(path, problems) if path.is_file() else None
    if doc is None:
        return None, problems
    top = Node(doc, str(path), problems, what=path.name)
    top.keys(("matrix", "hazards"))
    log = _matrix(Node(top.raw("matrix"), str(path), problems, top.line("matrix"), what="matrix"), str(path))
    raw = top.raw("hazards") or []
    hazards = [_hazard(Node(v, str(path), problems, item_line(raw, i), what=f"hazard #{i + 1}"), log, problems)
               for i, v in enumerate(raw)]
    return attrs.evolve(log, hazards=tuple(h for h in hazards if h is not None)), problems


def _matrix(node: Node, source: str) -> HazardLog:
    node.keys(("severity", "likelihood", "ratings"))
    severities, likelihoods = tuple(node.raw("severity") or ()), tuple(node.raw("likelihood") or ())
    ratings = {str(k): list(v) for k, v in (node.raw("ratings") or {}).items()}
    if set(ratings) != set(likelihoods) or any(len(r) != len(severities) for r in ratings.values()):
        node.problem("ratings", "`ratings` needs a row for every likelihood, with a rating for every severity")
    return HazardLog(severities, likelihoods, ratings, (), source)


def _risk(node: Node, key: str, log: HazardLog) -> Risk:
    value = node.raw(key) or {}
    risk = Risk(str(value.get("severity")), str(value.get("likelihood")))
    if risk.severity not in log.severities or risk.likelihood not in log.likelihoods:
        node.problem(key, f"`{key}` of {node.what} is {risk.severity}/{risk.likelihood}; allowed severities: "
                          f"{', '.join(log.severities)}; likelihoods: {', '.join(log.likelihoods)}")
    return risk


def _hazard(node: Node, log: HazardLog, problems: list[Problem]) -> Hazard | None:
    if not node.keys(("id", "title", "cause", "effect", "harm", "initial", "controls", "residual", "status")):
        return None
    if node.raw("status") not in STATUSES:
        node.problem("status", f"`status` is {node.raw('status')!r}; allowed: {', '.join(STATUSES)}")
    raw = node.raw("controls") or []
    controls = []
    for i, value in enumerate(raw):
        control = Node(value, node.file, problems, item_line(raw, i), what=f"control #{i + 1} of {node.raw('id')}")
        if control.keys(("id", "description"), LINKS):
            links = {k: tuple(str(x) for x in control.raw(k) or ()) for k in LINKS}
            controls.append(Control(str(control.raw("id")), control.text("description") or "", links, control.where()))
    return Hazard(str(node.raw("id")), *(node.text(k) or "" for k in ("title", "cause", "effect", "harm")),
                  _risk(node, "initial", log), tuple(controls), _risk(node, "residual", log),
                  str(node.raw("status")), node.where())


def _broken_links(spec: PathwaySpec, log: HazardLog) -> list[Problem]:
    from .verify.mutants import METHODS
    from .verify.properties import PROPERTIES
    from .vignettes import load_vignettes

    safety = spec.safety
    known = {
        "requirements": {c.name for c in safety.categories} | {r.name for r in safety.every_order},
        "transitions": {t.base_id for t in spec.transitions},
        "imaging_rules": {r.id for r in spec.imaging_rules},
        "properties": {str(p.number) for p in PROPERTIES},
        "mutants": set(METHODS),
        "vignettes": {v.id for v in load_vignettes()[1]},
    }
    return [Problem(c.line, f"control {c.id} links to unknown {kind[:-1].replace('_', ' ')} `{name}`")
            for h in log.hazards for c in h.controls for kind, names in known.items()
            for name in c.links[kind] if name not in names]
