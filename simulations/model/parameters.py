"""Load the natural-history parameters strictly: every problem as `file:line: message`, at once."""

from __future__ import annotations

import copyreg
import difflib
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import attrs

from pathway.cache import cached
from pathway.errors import PathwayError, Problem, in_file_order, where
from pathway.spec import Reference
from pathway.yamlsource import Node, key_line, read_document

from .schema import CALIBRATION_WEEKS, NUMBER_KINDS, RANGES, SCHEMA, STATUSES, Kind
from .values import consistent, is_number, mapping_value, number, shown

# Parameters hold read-only mappings; let them travel to worker processes as plain dicts that
# come back read-only (pickle cannot copy a mappingproxy by itself).
def read_only(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


copyreg.pickle(MappingProxyType, lambda proxy: (read_only, (dict(proxy),)))

TOP = ("references", *SCHEMA, "calibration", "free")
# The parameters that are one number (`section.name`): the ones calibration can fit and a sweep can vary.
NUMBER_PARAMETERS = tuple(f"{s}.{n}" for s, names in SCHEMA.items() for n, (kind, _) in names.items()
                          if kind in NUMBER_KINDS)


class ParameterError(PathwayError):
    """A parameter file that cannot be used: every problem, by `file:line`."""


@attrs.frozen
class Parameter:
    name: str              # `section.name`, e.g. `presentation.pain_below_knee`
    kind: Kind
    value: float | Mapping  # a read-only mapping for distributions and tables
    citations: tuple[str, ...]
    note: str = ""


@attrs.frozen
class Target:
    name: str
    week: int
    value: float
    tolerance: float
    citations: tuple[str, ...]
    note: str = ""


@attrs.frozen
class Bounds:
    name: str
    low: float
    high: float


@attrs.frozen
class Parameters:
    """A checked parameter file: every parameter by `section.name`, the sources, the calibration
    targets and the free parameters with their bounds."""

    references: Mapping[str, Reference]
    parameters: Mapping[str, Parameter]
    calibration: tuple[Target, ...]
    free: tuple[Bounds, ...]
    source: str
    content_hash: str = ""  # sha256 of the file, for reproducibility records

    def __getitem__(self, name: str) -> Parameter:
        return self.parameters[name]

    def value(self, name: str):
        """The value of a parameter by `section.name`, e.g. ``value("waits.routine_mri_median_weeks")``."""
        return self.parameters[name].value

    def with_values(self, values: Mapping[str, float]) -> Parameters:
        """A copy with some single-number parameters (`section.name`) given new values, each checked
        against its kind; ParameterError lists every bad one. The copy's `content_hash` is the
        sha256 of this one's and of the values that differ from it (none: this very object), so
        copies of one base differ in hash exactly when they differ in value."""
        problems = [Problem("", message) for name, value in values.items()
                    if (message := value_problem(name, value)) is not None]
        if problems:
            raise ParameterError(problems)
        changed = {name: float(value) for name, value in sorted(values.items()) if float(value) != self.value(name)}
        if not changed:
            return self
        params = dict(self.parameters)
        for name, value in changed.items():
            params[name] = attrs.evolve(params[name], value=value)
        record = json.dumps({"base": self.content_hash, "values": changed}, sort_keys=True)
        return attrs.evolve(self, parameters=MappingProxyType(params),
                            content_hash=hashlib.sha256(record.encode()).hexdigest())


def value_problem(name: str, value: object) -> str | None:
    """Why `value` cannot be the value of parameter `name` (`section.name`), or None if it can:
    the name must be a single-number parameter, the value a number in its kind's range."""
    section, _, short = name.partition(".")
    entry = SCHEMA.get(section, {}).get(short)
    if entry is None:
        return (f"unknown parameter `{name}`; a single-number parameter, named `section.name`, is expected"
                f"{_suggest(name, NUMBER_PARAMETERS)}")
    kind = entry[0]
    if kind not in NUMBER_KINDS:
        return (f"parameter `{name}` is a {kind.value}, not one number; only {', '.join(k.value for k in NUMBER_KINDS)} "
                "parameters can be given a value")
    allowed = RANGES[kind]
    if not is_number(value) or not allowed.allows(value):
        return f"`{name}` must be {allowed.said}, not {shown(value)}"
    return None


def shipped_parameters() -> Path:
    """The shipped parameter file, `parameters.yaml` inside the `simulations` package."""
    # The file lives inside the package, so a wheel carries it with no force-include.
    return Path(__file__).resolve().parent.parent / "parameters.yaml"


def load_parameters(path: str | Path | None = None) -> Parameters:
    """Load and check a parameter file (default: the shipped one); raise ParameterError listing every
    problem. A file loaded before, with the same bytes, comes from the cache (pathway.cache)."""
    path = Path(path) if path is not None else shipped_parameters()
    return cached("parameters", str(path), [path], lambda: _load(path))


def _load(path: Path) -> Parameters:
    problems: list[Problem] = []
    doc = read_document(path, problems, "parameter", ParameterError)
    result = _build(doc, str(path), problems)
    if problems:
        raise ParameterError(in_file_order(problems))
    return attrs.evolve(result, content_hash=hashlib.sha256(path.read_bytes()).hexdigest())


def _build(doc, file: str, problems: list[Problem]) -> Parameters:
    top = Node(doc, file, problems, what=Path(file).name)
    top.keys(TOP)
    refs = _references(top)
    cite = _Citations(refs, problems, file)
    params: dict[str, Parameter] = {}
    for section, schema in SCHEMA.items():
        params.update(_section(top, section, schema, cite))
    consistent(top, params)
    targets = _calibration(top, cite)
    free = _free(top, params)
    return Parameters(MappingProxyType(refs), MappingProxyType(params), targets, free, file)


def _entries(node: Node, key: str):
    """(name, entry node) for each entry of a mapping section; a missing section is reported."""
    section = node.raw(key)
    if not node.has(key):
        return []
    if not hasattr(section, "items"):
        node.problem(key, f"`{key}` must be a mapping of named entries")
        return []
    return [(str(name), section, value) for name, value in section.items()]


def _references(top: Node) -> dict[str, Reference]:
    refs = {}
    for name, section, value in _entries(top, "references"):
        node = Node(value, top.file, top.problems, key_line(section, name), what=f"reference `{name}`")
        if node.keys(("source", "detail", "status")):
            status = node.text("status")
            if status is not None and status not in STATUSES:
                node.problem("status", f"`status` of reference `{name}` is `{status}`; allowed: {', '.join(STATUSES)}")
            refs[name] = Reference(name, node.text("source") or "", node.text("detail") or "", status or "")
    return refs


class _Citations:
    """Checks that cited ids are defined in `references`."""

    def __init__(self, refs: Mapping[str, Reference], problems: list[Problem], file: str):
        self.refs, self.problems, self.file = refs, problems, file

    def __call__(self, node: Node, what: str) -> tuple[str, ...]:
        ids = node.names("citation") if node.has("citation") else ()
        for ref in ids:
            if ref not in self.refs:
                node.problem("citation", f"unknown citation `{ref}` in {what}{_suggest(ref, self.refs)}")
        return ids


def _suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean `{close[0]}`?" if close else f"; known: {', '.join(sorted(known))}"


def _section(top: Node, section: str, schema: dict, cite: _Citations) -> dict[str, Parameter]:
    found, params = set(), {}  # a missing section is reported by top.keys()
    for name, mapping, value in _entries(top, section):
        if name not in schema:
            found.update(difflib.get_close_matches(name, list(schema), n=1))  # said as did-you-mean
            top.problems.append(Problem(where(top.file, key_line(mapping, name)),
                                        f"unknown parameter `{name}` in `{section}`{_suggest(name, schema)}"))
            continue
        found.add(name)
        node = Node(value, top.file, top.problems, key_line(mapping, name), what=f"parameter `{section}.{name}`")
        param = _parameter(node, f"{section}.{name}", *schema[name], cite)
        if param is not None:
            params[param.name] = param
    for name in schema:
        if name not in found and hasattr(top.raw(section), "items"):
            top.problem(section, f"`{section}` is missing parameter `{name}`")
    return params


def _parameter(node: Node, name: str, kind: Kind, outcomes, cite: _Citations) -> Parameter | None:
    if not node.keys(("kind", "value", "citation"), ("note",)):
        return None
    what = f"parameter `{name}`"
    given = node.choice("kind", Kind)
    if given is not None and given is not kind:
        node.problem("kind", f"`kind` of {what} is `{given.value}`; this parameter's kind is `{kind.value}`")
    citations = cite(node, what)
    note = node.text("note") if node.has("note") else ""
    if kind in NUMBER_KINDS:
        value = number(node, "value", kind, what)
    else:
        value = mapping_value(node, kind, outcomes, what)
    if value is None or given is not kind or not citations:
        return None
    return Parameter(name, kind, value, citations, note or "")


def _calibration(top: Node, cite: _Citations) -> tuple[Target, ...]:
    targets = []
    for name, mapping, value in _entries(top, "calibration"):
        node = Node(value, top.file, top.problems, key_line(mapping, name), what=f"target `{name}`")
        if not node.keys(("week", "value", "tolerance", "citation"), ("note",)):
            continue
        what = f"target `{name}`"
        week = node.integer("week", 0, 520)
        value = number(node, "value", Kind.PROBABILITY, what)
        tolerance = node.raw("tolerance")
        if not is_number(tolerance) or not 0 < tolerance <= 1:
            node.problem("tolerance", f"`tolerance` of {what} must be a share more than 0 and at most 1, "
                                      f"not {shown(tolerance)}")
            tolerance = None
        citations = cite(node, what)
        note = node.text("note") if node.has("note") else ""
        if None not in (week, value, tolerance) and citations:
            targets.append(Target(name, week, value, float(tolerance), citations, note or ""))
    _required_weeks(top, targets)
    return tuple(targets)


def _required_weeks(top: Node, targets: list[Target]) -> None:
    # Only judged when every target was readable, so one typo does not also report a missing week.
    entries = top.raw("calibration")
    if not hasattr(entries, "items") or len(targets) != len(entries):
        return
    weeks = {t.week for t in targets}
    for week in CALIBRATION_WEEKS:
        if week not in weeks:
            top.problem("calibration", f"`calibration` has no target at week {week}; "
                        f"targets are needed at weeks {', '.join(map(str, CALIBRATION_WEEKS))}")


def _free(top: Node, params: Mapping[str, Parameter]) -> tuple[Bounds, ...]:
    known = NUMBER_PARAMETERS
    free = []
    for name, mapping, value in _entries(top, "free"):
        node = Node(value, top.file, top.problems, key_line(mapping, name), what=f"free parameter `{name}`")
        if name not in known:
            node.problem(None, f"unknown free parameter `{name}`; calibration can fit a single-number "
                         f"parameter, named `section.name`{_suggest(name, known)}")
            continue
        if not node.keys(("low", "high")):
            continue
        kind = SCHEMA[name.split(".")[0]][name.split(".")[1]][0]
        low, high = (number(node, key, kind, f"free parameter `{name}`") for key in ("low", "high"))
        if low is None or high is None:
            continue
        if low > high:
            node.problem("low", f"free parameter `{name}` has low {low:g} above high {high:g}")
        elif name in params and not low <= params[name].value <= high:
            node.problem(None, f"free parameter `{name}` is {params[name].value:g}, outside its bounds {low:g} to {high:g}")
        else:
            free.append(Bounds(name, low, high))
    return tuple(free)
