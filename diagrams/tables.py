"""Decision tables: for each state that decides, its transitions in the order they are tried,
one row per line a clinician initials (`sciatica tables`, Markdown or self-contained HTML); then
the imaging purposes and rules, the named conditions, and the safety requirements (rules_tables.py).

Red flags. The escalations are the same rules in every state that screens, so they get one
table of their own (R1, R2, ...), initialled once, with where each is tried, and each state's
table opens with a single row "R1-R9: any red flag -> see the red-flag screen". Repeating the
same rows in every state would ask for well over a hundred initials on copies, and copies invite
initialling without reading; the single row still shows where the red flags sit in the order (first).
"""

from __future__ import annotations

import html

from pathway.guards import Name, describe
from pathway.spec import PathwaySpec, State, Transition

from .elements import Table
from .rules_tables import conditions_table, imaging_tables, safety_tables, sources
from .screen import SCREEN_LABEL, SCREEN_RULE, escalation_groups, in_spec_order, where_tried
from .words import handover_words, imaging_words, timescale

COLUMNS = ("#", "when", "go to", "urgency", "imaging", "why", "sources", "initials")
SCREEN_COLUMNS = ("#", "when", "go to", "urgency", "imaging", "where", "why", "sources", "initials")
THEN = {  # the engine's rule: a waiting state whose rows all fail keeps the patient; a deciding one must decide
    "decides": "It decides at once, in the same visit: the first row whose condition holds is taken.",
    "visit": "The first row whose condition holds at the next visit is taken; if none holds, the patient stays here.",
    "result": "The first row whose condition holds once the result is in is taken; if none holds, the patient "
              "stays here.",
    "return": "The first row whose condition holds when the patient comes back is taken; if none holds, the "
              "patient stays here.",
}


def build_tables(spec: PathwaySpec) -> tuple[Table, ...]:
    """The decision tables, then the safety requirements."""
    return decision_tables(spec) + safety_tables(spec)


def decision_tables(spec: PathwaySpec) -> tuple[Table, ...]:
    """The red-flag screen, each deciding state in file order, the imaging purposes and rules, and
    the named conditions."""
    labels = {c.name: c.label for c in spec.conditions}
    tables = []
    escalations = _declarations(spec)
    if escalations:
        tables.append(_screen_table(spec, escalations, labels))
    for state in spec.states:
        own = [t for t in spec.outgoing(state.id) if not t.escalation]
        if own:
            tables.append(_state_table(spec, state, own, labels, len(escalations)))
    return (*tables, *imaging_tables(spec, labels), conditions_table(spec, labels))


def _declarations(spec: PathwaySpec) -> list[tuple[Transition, list[str]]]:
    """Each escalation declaration once (its first copy) with the states it is tried in, by priority."""
    groups = escalation_groups(spec).values()
    found = [(copies[0], in_spec_order(spec, {t.source for t in copies})) for copies in groups]
    return sorted(found, key=lambda pair: pair[0].priority)


def _screen_table(spec: PathwaySpec, escalations: list, labels: dict) -> Table:
    rows = []
    for t, tried in escalations:
        condition = spec.condition.get(t.expr.name) if isinstance(t.expr, Name) else None
        when = describe(t.expr, spec.finding, labels)
        meaning = describe(condition.expr, spec.finding, labels) if condition is not None else when
        if meaning != when:
            when += ": " + meaning
        rows.append((f"R{t.priority}", when, *_destination(spec, t), where_tried(spec, tried), t.rationale,
                     sources(spec, t.citations), ""))
    return Table(SCREEN_LABEL, SCREEN_RULE, tuple(rows), SCREEN_COLUMNS)


def _state_table(spec: PathwaySpec, state: State, own: list[Transition], labels: dict, flags: int) -> Table:
    rows = []
    if flags and any(t.escalation for t in spec.outgoing(state.id)):
        rows.append((f"R1-R{flags}", "any red flag: see the red-flag screen table", "the state that table names",
                     "as that table says", "as that table says", "Red flags outrank everything else.", "", ""))
    for t in own:
        rows.append((str(t.priority), describe(t.expr, spec.finding, labels), *_destination(spec, t), t.rationale,
                     sources(spec, t.citations), ""))
    return Table(f"{state.label} ({state.id})", f"{state.description} {THEN[state.waits.value]}", tuple(rows), COLUMNS)


def _destination(spec: PathwaySpec, t: Transition) -> tuple[str, str, str]:
    if t.is_stay:
        return ("stays (waits)", "unchanged", "nothing new")
    dest = spec.state[t.dest]
    where = f"{dest.label} ({dest.id})" + (f", {handover_words(dest)}" if dest.terminal else "")
    urgency = dest.urgency.value + (f", {timescale(dest)}" if timescale(dest) else "")
    return (where, urgency, imaging_words(spec, dest))


def to_markdown(spec: PathwaySpec) -> str:
    out = [f"# Decision tables: {spec.name} {spec.version} (content {spec.content_hash[:12]})", ""]
    for table in build_tables(spec):
        out += [f"## {_md(table.title)}", "", _md(table.note), ""]
        out.append("| " + " | ".join(table.columns) + " |")
        out.append("|" + "---|" * len(table.columns))
        out += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in table.rows]
        out.append("")
    return "\n".join(out)


def to_html(spec: PathwaySpec) -> str:
    title = f"Decision tables: {spec.name} {spec.version} (content {spec.content_hash[:12]})"
    body = [f"<h1>{html.escape(title)}</h1>"]
    for table in build_tables(spec):
        head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>\n"
                       for row in table.rows)
        body.append(f"<h2>{html.escape(table.title)}</h2>\n<p>{html.escape(table.note)}</p>\n"
                    f"<table><thead><tr>{head}</tr></thead><tbody>\n{rows}</tbody></table>")
    return HTML_PAGE.format(title=html.escape(title), body="\n".join(body))


def _md(text: str) -> str:
    """Cell text that Markdown prints as written: no table breaks, no emphasis, no HTML."""
    for ch in "\\`*_[]<>|":
        text = text.replace(ch, "\\" + ch)
    return " ".join(text.split())


HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 2em; color: #212121; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 2em; }}
th, td {{ border: 1px solid #90a4ae; padding: 0.35em 0.5em; vertical-align: top; text-align: left; }}
th {{ background: #eceff1; }}
td:last-child {{ min-width: 5em; }}
h2 {{ margin-top: 1.5em; }}
@media print {{ table {{ page-break-inside: auto; }} tr {{ page-break-inside: avoid; }} }}
</style>
</head>
<body>
{body}
</body>
</html>
"""
