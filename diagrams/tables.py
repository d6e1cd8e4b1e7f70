"""Decision tables: for each state that decides, its transitions in the order they are tried,
one row per line a clinician initials (`sciatica tables`, Markdown or self-contained HTML).

Red flags. The seven escalations are the same rules in every non-urgent state, so they get one
table of their own (R1..R7), initialled once, and each state's table opens with a single row
"R1-R7: any red flag -> see the red-flag screen". Repeating seven identical rows in all ten
states would ask for seventy initials on copies, and copies invite initialling without reading;
the single row still shows where the red flags sit in the order (first).
"""

from __future__ import annotations

import html

import attrs

from pathway.guards import Name, describe
from pathway.spec import PathwaySpec, State, Transition

from .model import IMAGING_WORDS, SCREEN_LABEL

COLUMNS = ("#", "when", "go to", "urgency", "imaging", "why", "sources", "initials")


@attrs.frozen
class Table:
    title: str
    note: str
    rows: tuple[tuple[str, ...], ...]  # one cell per column of COLUMNS (or of `columns`)
    columns: tuple[str, ...] = COLUMNS


def build_tables(spec: PathwaySpec) -> tuple[Table, ...]:
    """The red-flag screen, then each deciding state in file order, then the named conditions."""
    labels = {c.name: c.label for c in spec.conditions}
    tables = []
    escalations = _declarations(spec)
    if escalations:
        tables.append(_screen_table(spec, escalations, labels))
    for state in spec.states:
        own = [t for t in spec.outgoing(state.id) if not t.escalation]
        if own:
            tables.append(_state_table(spec, state, own, labels, bool(escalations)))
    tables.append(_conditions_table(spec, labels))
    return tuple(tables)


def _declarations(spec: PathwaySpec) -> list[Transition]:
    """One transition per escalation declaration (`escalate_x@state` -> first copy), by priority."""
    seen: dict[str, Transition] = {}
    for t in spec.transitions:
        if t.escalation:
            seen.setdefault(t.id.partition("@")[0], t)
    return sorted(seen.values(), key=lambda t: t.priority)


def _screen_table(spec: PathwaySpec, escalations: list[Transition], labels: dict) -> Table:
    guarded = [s.label for s in spec.states if any(t.escalation for t in spec.outgoing(s.id))]
    rows = []
    for t in escalations:
        condition = spec.condition.get(t.expr.name) if isinstance(t.expr, Name) else None
        when = describe(t.expr, spec.finding, labels)
        meaning = describe(condition.expr, spec.finding, labels) if condition is not None else when
        if meaning != when:
            when += ": " + meaning
        rows.append((f"R{t.priority}", when, *_destination(spec, t), t.rationale, _sources(spec, t)))
    note = "Tried first, in this order, at every visit in: " + ", ".join(guarded) + "."
    return Table(SCREEN_LABEL, note, tuple(r + ("",) for r in rows))


def _state_table(spec: PathwaySpec, state: State, own: list[Transition], labels: dict, screened: bool) -> Table:
    rows = []
    if screened and any(t.escalation for t in spec.outgoing(state.id)):
        rows.append(("R1-R7", "any red flag: see the red-flag screen table", "its urgent or emergency state",
                     "urgent or emergency", "as that table says", "Red flags outrank everything else.", "", ""))
    for t in own:
        rows.append((str(t.priority), describe(t.expr, spec.finding, labels), *_destination(spec, t), t.rationale,
                     _sources(spec, t), ""))
    # The engine's rule: a waiting state whose rows all fail keeps the patient; a deciding one must decide.
    then = {"decides": "It decides at once, in the same visit: the first row whose condition holds is taken.",
            "visit": "The first row whose condition holds at the next visit is taken; if none holds, the patient "
                     "stays here.",
            "result": "The first row whose condition holds once the result is in is taken; if none holds, the "
                      "patient stays here."}[state.waits.value]
    note = f"{state.description} {then}"
    return Table(f"{state.label} ({state.id})", note, tuple(rows))


def _conditions_table(spec: PathwaySpec, labels: dict) -> Table:
    rows = tuple(
        (c.name, c.label, describe(c.expr, spec.finding, labels),
         "; ".join(spec.reference[r].source for r in c.citations), "")
        for c in spec.conditions
    )
    return Table("Named conditions", "What each named condition means, generated from the guard that runs.",
                 rows, ("name", "label", "means", "sources", "initials"))


def _destination(spec: PathwaySpec, t: Transition) -> tuple[str, str, str]:
    if t.is_stay:
        return ("stays (waits)", "unchanged", "nothing new")
    dest = spec.state[t.dest]
    return (f"{dest.label} ({dest.id})", dest.urgency.value, IMAGING_WORDS[dest.imaging])


def _sources(spec: PathwaySpec, t: Transition) -> str:
    return "; ".join(spec.reference[r].source for r in t.citations)


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
