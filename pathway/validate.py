"""Validate a built spec: cross-references, guard types, red-flag rules and graph structure.

Every check lists every offender; nothing stops at the first problem.
"""

from __future__ import annotations

import difflib
from collections import Counter

from .errors import Problem
from .guards import check_guard, names_in
from .spec import PathwaySpec, Waits


def validate_spec(spec: PathwaySpec, terms=()) -> list[Problem]:
    """Every problem of the built spec; ``terms``: the safety requirements' (name, guard, text, line)."""
    from .validate_safety import validate_safety
    from .validate_states import validate_states
    from .validate_words import validate_words

    problems: list[Problem] = []
    for check in (_duplicates, _references, _guards, _condition_cycles, _red_flags, _graph, _visit_cycles, _outranks,
                  validate_states):
        problems.extend(check(spec))
    if not problems:  # the words are read against guards that are known to be well formed
        problems.extend(validate_words(spec))
    problems.extend(validate_safety(spec, terms))
    return problems


def _suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean `{close[0]}`?" if close else f"; known: {', '.join(sorted(known))}"


def _duplicates(spec: PathwaySpec) -> list[Problem]:
    problems = []
    for kind, items in (("state", spec.states), ("transition", spec.transitions), ("imaging rule", spec.imaging_rules)):
        first: dict[str, str] = {}
        for item in items:
            if item.id in first:
                problems.append(Problem(item.line, f"duplicate {kind} id `{item.id}` (first at {first[item.id]})"))
            first.setdefault(item.id, item.line)
    for c in spec.conditions:
        if c.name in spec.finding:
            problems.append(Problem(c.line, f"condition `{c.name}` has the name of a finding; names must be unique"))
    counts = Counter((t.source, t.order) for t in spec.transitions)
    for t in spec.transitions:
        if counts[(t.source, t.order)] > 1:
            problems.append(Problem(t.line, f"transition `{t.id}` shares priority {t.priority} with another transition "
                                            f"from `{t.source}`; priorities must be unique per state"))
    return problems


def _references(spec: PathwaySpec) -> list[Problem]:
    problems = []
    cited = [(s.line, f"state `{s.id}`", s.citations) for s in spec.states]
    cited += [(t.line, f"transition `{t.id}`", t.citations) for t in spec.transitions]
    cited += [(c.line, f"condition `{c.name}`", c.citations) for c in spec.conditions]
    cited += [(f.line, f"finding `{f.name}`", f.citations) for f in spec.findings]
    cited += [(p.line, f"imaging purpose `{p.id}`", p.citations) for p in spec.purposes]
    cited += [(r.line, f"imaging rule `{r.id}`", r.citations) for r in spec.imaging_rules]
    for line, owner, citations in cited:
        for ref in citations:
            if ref not in spec.reference:
                problems.append(Problem(line, f"{owner} cites unknown reference `{ref}`{_suggest(ref, spec.reference)}"))
    if spec.initial not in spec.state:
        problems.append(Problem(f"{spec.source}/pathway.yaml", f"initial state `{spec.initial}` is not a state{_suggest(spec.initial, spec.state)}"))
    for t in spec.transitions:
        for end, sid in (("from", t.source), ("to", t.dest)):
            if sid not in spec.state:
                problems.append(Problem(t.line, f"transition `{t.id}` `{end}` unknown state `{sid}`{_suggest(sid, spec.state)}"))
    return problems


def _guards(spec: PathwaySpec) -> list[Problem]:
    names = set(spec.condition)
    owners = [(c.when_line, f"condition `{c.name}`", c.expr) for c in spec.conditions]
    owners += [(t.when_line, f"transition `{t.id}`", t.expr) for t in spec.transitions if not t.escalation]
    owners += [(r.when_line, f"imaging rule `{r.id}`", r.expr) for r in spec.imaging_rules]
    owners += [(c.line, f"contradiction `{c.name}`", c.expr) for c in spec.contradictions]
    # An escalation is copied to every non-urgent state: check its guard once.
    seen = set()
    for t in spec.transitions:
        if t.escalation and t.line not in seen:
            seen.add(t.line)
            owners.append((t.when_line, f"escalation `{t.base_id}`", t.expr))
    return [
        Problem(line, f"guard of {owner}: {message}")
        for line, owner, expr in owners
        for message in check_guard(expr, spec.finding, names)
    ]


def _condition_cycles(spec: PathwaySpec) -> list[Problem]:
    problems = []
    uses = {c.name: [n for n in names_in(c.expr) if n in spec.condition] for c in spec.conditions}

    def visit(name: str, path: list[str]) -> None:
        for used in uses[name]:
            if used == path[0]:
                problems.append(Problem(spec.condition[path[0]].line,
                                        "conditions refer to each other in a circle: " + " -> ".join(path + [used])))
            elif used not in path:
                visit(used, path + [used])

    for name in uses:
        visit(name, [name])
    return problems


def _red_flags(spec: PathwaySpec) -> list[Problem]:
    """Every condition the red-flag screen is said to escalate on has an escalation."""
    return [Problem(c.line, f"red-flag condition `{c.name}` has no escalation in transitions.yaml")
            for c in spec.red_flags
            if not any(t.escalation and c.name in names_in(t.expr) for t in spec.transitions)]


def baseline(spec: PathwaySpec) -> dict[str, object]:
    """The least alarming answer to every question: defaults, "no", first choice, lowest number."""
    values = {}
    for f in spec.findings:
        if f.default is not None:
            values[f.name] = f.default
        else:
            values[f.name] = {"boolean": False, "enum": f.values[0] if f.values else None}.get(f.type, f.minimum)
    return values


def _graph(spec: PathwaySpec) -> list[Problem]:
    problems = []
    edges: dict[str, set[str]] = {s.id: set() for s in spec.states}
    # Its own way on: every non-urgent state has the red-flag escalations, and a stay stays.
    onward: dict[str, set[str]] = {s.id: set() for s in spec.states}
    for t in spec.transitions:
        if t.source in edges and t.dest in spec.state:
            edges[t.source].add(t.dest)
            if not t.escalation and not t.is_stay:
                onward[t.source].add(t.dest)
    for s in spec.states:
        if s.terminal and edges[s.id]:
            problems.append(Problem(s.line, f"terminal state `{s.id}` has transitions out of it (to {', '.join(sorted(edges[s.id]))}); "
                                            "a terminal state ends the pathway"))
        if not s.terminal and not onward[s.id]:
            problems.append(Problem(s.line, f"state `{s.id}` is not terminal but no transition of its own leads on from it "
                                            "(a dead end); add transitions or mark it `terminal: true`"))
    reached, frontier = {spec.initial}, [spec.initial]
    while frontier:
        for nxt in edges.get(frontier.pop(), ()):
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    for s in spec.states:
        if spec.initial in spec.state and s.id not in reached:
            problems.append(Problem(s.line, f"state `{s.id}` is unreachable: no transitions lead to it from `{spec.initial}`"))
    return problems


def _visit_cycles(spec: PathwaySpec) -> list[Problem]:
    """A visit moves on through states that decide at once; a loop among them would never end."""
    deciding = {s.id for s in spec.states if s.waits is Waits.DECIDES and not s.terminal}
    edges = {sid: sorted({t.dest for t in spec.outgoing(sid) if t.dest in deciding}) for sid in deciding}
    problems, reported = [], set()

    def walk(node: str, path: list[str]) -> None:
        for nxt in edges[node]:
            if nxt in path:
                cycle = path[path.index(nxt):] + [nxt]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    problems.append(Problem(spec.state[nxt].line, "a loop that could be taken within one visit: "
                                            + " -> ".join(cycle) + "; one of these states must wait for a visit or result"))
            else:
                walk(nxt, path + [nxt])

    for sid in sorted(deciding):
        walk(sid, [sid])
    return problems


def _outranks(spec: PathwaySpec) -> list[Problem]:
    """`outranks` names transitions of the same state that are tried later (for an escalation:
    escalations tried after it, wherever both screen).

    Messages name the transition as written, so the copies of one declaration report once.
    """
    problems = []
    everywhere = {t.base_id for t in spec.transitions}
    misplaced = {t.base_id for t in spec.transitions if t.source not in spec.state}  # reported already
    escalations = {t.base_id: t.priority for t in spec.transitions if t.escalation}
    for t in {(t.line, t.source if not t.escalation else ""): t for t in spec.transitions
              if t.source in spec.state}.values():
        if t.escalation:
            later = [name for name, priority in escalations.items() if priority > t.priority]
        else:
            later = [o.base_id for o in spec.outgoing(t.source) if o.order > t.order]
        for name in t.outranks:
            if name not in everywhere:
                problems.append(Problem(t.line, f"transition `{t.base_id}` says it outranks unknown transition "
                                                f"`{name}`{_suggest(name, sorted(everywhere))}"))
            elif name not in later and name not in misplaced:
                problems.append(Problem(t.line, f"transition `{t.base_id}` says it outranks `{name}`, which is not tried "
                                                "after it; `outranks` names later transitions of the same state"))
    return problems
