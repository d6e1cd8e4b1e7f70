"""Load a pathway directory: parse each file, check its shape, build the frozen spec.

Stages, each with its own errors: YAML → shape (unknown keys listed) → objects → validation
(cross-references, guard types, graph structure). All problems are raised together.
"""

from __future__ import annotations

from pathlib import Path

from .cache import cached
from .errors import PathwayError, Problem, in_file_order
from .guards import GuardSyntaxError, Literal, parse_guard
from .inputs import look_up
from .spec import (
    CareStep, Condition, Escalation, Finding, Imaging, PathwaySpec, Phase, Reference, State, Transition,
    Urgency, Waits,
)
from .yamlsource import Node, item_line, key_line, read_yaml

FILES = ("pathway.yaml", "references.yaml", "findings.yaml", "conditions.yaml", "states.yaml", "transitions.yaml")
EVERY_NON_URGENT_STATE = "every non-urgent state"
STAY = "stay"  # `to: stay` keeps the patient in the state, on purpose


def load_pathway(path: str | Path) -> PathwaySpec:
    """Load and validate a pathway directory (or its ``pathway.yaml``); raise PathwayError listing every
    problem. A pathway loaded before, from the same files with the same bytes, comes from the cache."""
    folder = _folder(Path(path))
    return cached("pathway", str(folder), [folder / name for name in FILES], lambda: _load(folder))


def _load(folder: Path) -> PathwaySpec:
    from .validate import validate_spec  # validation reads the built spec

    problems: list[Problem] = []
    docs = {name: _document(folder / name, problems) for name in FILES}
    if any(doc is None for doc in docs.values()):
        raise PathwayError(problems)
    spec = _build(folder, docs, problems)
    problems.extend(validate_spec(spec))
    if problems:
        raise PathwayError(in_file_order(problems))
    return spec


def _folder(path: Path) -> Path:
    found = look_up(path)
    if found == "file" and path.name == "pathway.yaml":
        return path.parent
    if found == "folder":
        return path
    if found == "missing":
        raise PathwayError([Problem("", f"no such folder: {path}")], missing=True)
    said = "is a file, not a folder" if found == "file" else f"cannot be opened: {found}"
    raise PathwayError([Problem(str(path), f"{said}; a pathway is a folder holding " + ", ".join(FILES))], missing=True)


def _document(path: Path, problems: list[Problem]):
    if not path.is_file():
        problems.append(Problem(str(path), "missing file: a pathway folder holds " + ", ".join(FILES)))
        return None
    data = read_yaml(path, problems)
    if data is None and not any(p.where.startswith(str(path)) for p in problems):
        problems.append(Problem(str(path), "file is empty"))
    return data


def _build(folder: Path, docs: dict, problems: list[Problem]) -> PathwaySpec:
    top = Node(docs["pathway.yaml"], str(folder / "pathway.yaml"), problems, what="pathway.yaml")
    top.keys(("name", "version", "initial", "description"))
    findings = _findings(docs["findings.yaml"], str(folder / "findings.yaml"), problems)
    conditions = _conditions(docs["conditions.yaml"], str(folder / "conditions.yaml"), problems)
    states = _states(docs["states.yaml"], str(folder / "states.yaml"), problems)
    transitions = _transitions(docs["transitions.yaml"], str(folder / "transitions.yaml"), states, problems)
    return PathwaySpec(
        name=top.text("name") or "",
        version=str(top.raw("version", "")),
        description=top.text("description") or "",
        initial=top.text("initial") or "",
        findings=tuple(findings),
        conditions=tuple(conditions),
        states=tuple(states),
        transitions=tuple(sorted(transitions, key=lambda t: (t.source, t.order))),
        references=tuple(_references(docs["references.yaml"], str(folder / "references.yaml"), problems)),
        source=str(folder),
    )


def _sections(doc, file: str, problems: list[Problem], required: tuple[str, ...], optional=()) -> Node:
    node = Node(doc, file, problems, what=Path(file).name)
    node.keys(required, optional)
    return node


def _entries(node: Node, key: str):
    """(name, line, value) for each entry of a mapping section."""
    section = node.raw(key)
    if section is None:
        return []
    if not hasattr(section, "items"):
        node.problem(key, f"`{key}` must be a mapping of named entries")
        return []
    return [(name, key_line(section, name), value) for name, value in section.items()]


def _references(doc, file: str, problems: list[Problem]) -> list[Reference]:
    top = _sections(doc, file, problems, ("references",))
    refs = []
    for name, line, value in _entries(top, "references"):
        node = Node(value, file, problems, line, what=f"reference `{name}`")
        if node.keys(("source", "detail", "status")):
            refs.append(Reference(str(name), node.text("source") or "", node.text("detail") or "", node.text("status") or ""))
    return refs


def _findings(doc, file: str, problems: list[Problem]) -> list[Finding]:
    top = _sections(doc, file, problems, ("inputs", "findings"))
    built = []
    for section, is_input in (("inputs", True), ("findings", False)):
        for name, line, value in _entries(top, section):
            finding = _finding(Node(value, file, problems, line, what=f"finding `{name}`"), str(name), is_input)
            if finding is not None:
                built.append(finding)
    return built


def _finding(node: Node, name: str, is_input: bool) -> Finding | None:
    optional = ("values", "min", "max", "default", "red_flag", "escalates", "when_false", "citation")
    if not node.keys(("type", "label", "question"), optional):
        return None
    kind = node.raw("type")
    if kind not in ("boolean", "enum", "integer"):
        node.problem("type", f"`type` of finding `{name}` is `{kind}`; allowed: boolean, enum, integer")
        return None
    values: tuple[str, ...] = ()
    if kind == "enum":
        raw = node.raw("values")
        if not isinstance(raw, list) or not raw or not all(isinstance(v, str) for v in raw) or len(set(raw)) != len(raw):
            node.problem("values", f"enum finding `{name}` needs `values`: a list of distinct words")
            return None
        values = tuple(raw)
    elif node.has("values"):
        node.problem("values", f"`values` is only for enum findings; `{name}` is {kind}")
    low = node.integer("min", -10**6, 10**6) if kind == "integer" else None
    high = node.integer("max", -10**6, 10**6) if kind == "integer" else None
    if kind == "integer" and (low is None or high is None or low > high):
        node.problem(None, f"integer finding `{name}` needs `min` and `max` with min <= max")
        return None
    red_flag = node.boolean("red_flag")
    escalates = node.choice("escalates", Escalation) if node.has("escalates") or red_flag else None
    finding = Finding(
        name=name, type=kind, label=node.text("label") or name, question=node.text("question") or "",
        values=values, minimum=low, maximum=high, default=node.raw("default"), red_flag=red_flag,
        escalates=escalates, when_false=node.text("when_false") if node.has("when_false") else None,
        is_input=is_input, citations=node.names("citation") if node.has("citation") else (),
        line=node.where(),
    )
    if finding.default is not None and not finding.allows(finding.default):
        node.problem("default", f"default of `{name}` is `{finding.default}`; allowed: {finding.domain_text()}")
    if red_flag and finding.default is not None:
        node.problem("default", f"red-flag question `{name}` may not have a default: an unanswered red flag is never read as no")
    if is_input and kind != "integer":
        node.problem("type", f"input `{name}` must be an integer")
    return finding


def _guard(node: Node, key: str, owner: str):
    text = node.raw(key)
    try:
        return parse_guard(text), str(text)
    except GuardSyntaxError as err:
        node.problem(key, f"guard of {owner}: {err}")
        return Literal(False), str(text)


def _conditions(doc, file: str, problems: list[Problem]) -> list[Condition]:
    top = _sections(doc, file, problems, ("conditions", "red_flags"), optional=("imaging_reasons",))
    built = []
    for section, what in (("conditions", "condition"), ("imaging_reasons", "imaging reason")):
        for name, line, value in _entries(top, section):
            node = Node(value, file, problems, line, what=f"{what} `{name}`")
            if node.keys(("label", "when", "citation")):
                expr, text = _guard(node, "when", f"{what} `{name}`")
                built.append(Condition(str(name), node.text("label") or "", expr, text, node.names("citation"),
                                       imaging_reason=section == "imaging_reasons", line=node.where()))
    for name, line, value in _entries(top, "red_flags"):
        node = Node(value, file, problems, line, what=f"red-flag category `{name}`")
        if node.keys(("label", "when", "min_urgency", "allowed_imaging", "reason", "citation")):
            expr, text = _guard(node, "when", f"red-flag category `{name}`")
            imaging = node.raw("allowed_imaging")
            allowed = [m.value for m in Imaging]
            if not isinstance(imaging, list) or not imaging or any(i not in allowed for i in imaging):
                node.problem("allowed_imaging", f"`allowed_imaging` of red-flag category `{name}` must list some of: {', '.join(allowed)}")
                imaging = []
            built.append(Condition(
                str(name), node.text("label") or "", expr, text, node.names("citation"), red_flag=True,
                min_urgency=node.choice("min_urgency", Urgency), allowed_imaging=tuple(Imaging(i) for i in imaging),
                reason=node.text("reason") or "", line=node.where(),
            ))
    return built


def _states(doc, file: str, problems: list[Problem]) -> list[State]:
    top = _sections(doc, file, problems, ("states",))
    raw = top.raw("states")
    if not isinstance(raw, list):
        top.problem("states", "`states` must be a list of states")
        return []
    built = []
    for index, value in enumerate(raw):
        node = Node(value, file, problems, item_line(raw, index), what=_named("state", value, index))
        required = ("id", "label", "phase", "urgency", "imaging", "care_step", "description", "citation")
        node.keys(required, ("terminal", "waits", "review_within_weeks"))
        if not node.ok or not node.has("id"):
            continue
        # A state with a missing or bad field (reported already) is still built, with a stand-in
        # value, so that transitions to it are not also reported as going to an unknown state.
        terminal = node.boolean("terminal")
        if not node.has("waits") and not terminal:
            node.problem(None, f"state `{node.raw('id')}` must say what it `waits` for: decides, visit or result")
        waits = (node.choice("waits", Waits) if node.has("waits") else None) or Waits.VISIT
        fields = [(node.choice(k, kind) if node.has(k) else None) or next(iter(kind)) for k, kind in
                  (("phase", Phase), ("urgency", Urgency), ("imaging", Imaging), ("care_step", CareStep))]
        built.append(State(
            str(node.raw("id")), node.text("label") or "", *fields, terminal=terminal, waits=waits,
            description=node.text("description") or "",
            citations=node.names("citation") if node.has("citation") else (),
            review_within_weeks=node.integer("review_within_weeks", 1, 520), line=node.where(),
        ))
    return built


def _transitions(doc, file: str, states: list[State], problems: list[Problem]) -> list[Transition]:
    top = _sections(doc, file, problems, ("escalations", "transitions"))
    built = []
    # dict.fromkeys: a state id given twice (reported as a duplicate) gets its escalations once
    non_urgent = list(dict.fromkeys(s.id for s in states if not s.terminal and s.urgency < Urgency.URGENT))
    for section, escalation in (("escalations", True), ("transitions", False)):
        raw = top.raw(section)
        if not isinstance(raw, list):
            top.problem(section, f"`{section}` must be a list")
            continue
        for index, value in enumerate(raw):
            node = Node(value, file, problems, item_line(raw, index), what=_named(section[:-1], value, index))
            if node.keys(("id", "from", "to", "when", "priority", "rationale", "citation"), ("outranks",)):
                built.extend(_expand(node, escalation, non_urgent))
    return built


def _named(kind: str, value, index: int) -> str:
    """`state `onset`` when the entry has an id, else `state #3`."""
    name = value.get("id") if hasattr(value, "get") else None
    return f"{kind} `{name}`" if isinstance(name, str) else f"{kind} #{index + 1}"


def _expand(node: Node, escalation: bool, non_urgent: list[str]) -> list[Transition]:
    """One Transition per source; escalations come from every non-urgent state."""
    tid = str(node.raw("id"))
    sources = node.raw("from")
    if escalation:
        if sources != EVERY_NON_URGENT_STATE:
            node.problem("from", f"escalation `{tid}` must come from `{EVERY_NON_URGENT_STATE}`, not `{sources}`")
        sources = non_urgent
    elif isinstance(sources, str):
        sources = [sources]
    elif not (isinstance(sources, list) and sources and all(isinstance(s, str) for s in sources)):
        node.problem("from", f"`from` of transition `{tid}` must be a state id or a list of them")
        return []
    priority = node.integer("priority", 1, 999)
    if priority is None:
        node.problem("priority" if node.has("priority") else None, f"transition `{tid}` needs a `priority` from 1 (tried first) to 999")
        return []
    expr, text = _guard(node, "when", f"transition `{tid}`")
    dest = str(node.raw("to"))
    common = dict(expr=expr, text=text, priority=priority,
                  rationale=node.text("rationale") or "", citations=node.names("citation"),
                  escalation=escalation, outranks=node.names("outranks") if node.has("outranks") else (),
                  line=node.where())
    many = escalation or len(sources) > 1
    return [
        Transition(id=f"{tid}@{s}" if many else tid, source=s, dest=s if dest == STAY else dest, **common)
        for s in sources
    ]
