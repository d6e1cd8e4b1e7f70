"""The words on the picture, as Graphviz HTML-like labels: state boxes, edges, the heading.

Kept apart from dot.py so that what the clinician reads (wording, wrapping, escaping) is in one
place and the graph structure (clusters, edges, ordering) in another.
"""

from __future__ import annotations

import html
import re
import textwrap

from pathway.spec import Urgency

from .elements import DiagramModel, Edge, Node
from .screen import FLAG
from .words import NO_IMAGING

NODE_WRAP = 28  # characters per line of a state's name
STAND_IN_WRAP = 20  # characters per line of the name of a state drawn on another page
FACT_WRAP = 36  # characters per line of a state's smaller facts (imaging purpose, handover)
EDGE_WRAP = 24  # characters per line of a guard on an edge
SCREEN_WRAP = 64  # characters per line of an escalation in the red-flag screen's box
RED, DARK_RED, ORANGE, INK = "#c62828", "#8b0000", "#f57c00", "#212121"
BR = '<BR ALIGN="LEFT"/>'
NOTE = "#0d47a1"  # an overlay's notes (the patient's visits), in the highlight colour
SMALL_POINTS = 10.5  # the smallest text a drawing has (paper.py keeps it legible on paper)
SMALL = f'<FONT POINT-SIZE="{SMALL_POINTS}">{{}}</FONT>'

URGENCY_WORDS = {Urgency.NONE: "urgency: none", Urgency.ROUTINE: "urgency: routine",
                 Urgency.URGENT: "URGENT", Urgency.EMERGENCY: "EMERGENCY"}


def node_label(node: Node) -> str:
    """The state's name (with the red-flag marker where the screen is checked), its urgency and
    timescale, the imaging it orders, and what it waits for (an exit: who it hands over to)."""
    if node.is_screen:
        return _screen_label(node)
    if node.page:  # a stand-in for a state drawn on another page: its name, and where to find it
        return "<" + _bold(node.label, STAND_IN_WRAP) + "<BR/>" + SMALL.format(esc(f"\u2192 {node.page}")) \
            + _note(node) + ">"
    colour = "white" if node.urgency is Urgency.EMERGENCY else RED
    flag = f'<FONT COLOR="{colour}">{FLAG}</FONT> ' if node.red_flags else ""
    head = flag + _bold(node.label, NODE_WRAP)
    lines = "".join(f"<BR/>{SMALL.format(esc(line))}" for line in state_facts(node))
    return "<" + head + lines + _note(node) + ">"


def _bold(text: str, width: int) -> str:
    return "<BR/>".join(f"<B>{esc(line)}</B>" for line in wrap(text, width))


def state_facts(node: Node) -> list[str]:
    """A state's facts under its name, wrapped: urgency (and timescale), imaging, waits or handover."""
    urgency = URGENCY_WORDS[node.urgency] + (f" \u00b7 {node.timescale}" if node.timescale else "")
    if node.imaging == NO_IMAGING:
        facts = [f"{urgency} \u00b7 {NO_IMAGING}"]
    else:
        facts = [urgency, *wrap(f"orders: {node.imaging}", FACT_WRAP)]
    return facts + wrap(node.waits, FACT_WRAP)


def _screen_label(node: Node) -> str:
    """The screen's box: its name, then each escalation and where it is tried, left-aligned."""
    head = f'<FONT COLOR="{RED}">{FLAG}</FONT> <B>{esc(node.label)}</B>{BR}'
    intro = SMALL.format(esc(f"tried first, in order, at every visit in every state marked {FLAG}")) + BR
    rows = "".join(_lines(what, SCREEN_WRAP, "<B>{}</B>") + _lines(where, SCREEN_WRAP + 16, SMALL)
                   for what, where in node.rows)
    return "<" + head + intro + rows + _note(node) + ">"


def _lines(text: str, width: int, form: str) -> str:
    """Wrapped, each line in ``form`` and left-aligned."""
    return "".join(form.format(esc(line)) + BR for line in wrap(text, width))


def _note(node: Node) -> str:
    on_dark = node.urgency is Urgency.EMERGENCY  # the note must read on the dark red fill
    return f'<BR/><FONT COLOR="{"white" if on_dark else NOTE}"><B>{esc(node.note)}</B></FONT>' if node.note else ""


def edge_label(edge: Edge) -> str:
    """The guard in words, wrapped, led by its priority where several transitions leave the state."""
    lines = [esc(line) for line in wrap(edge.guard, EDGE_WRAP)]
    if edge.stay:
        lines[-1] += ": stays"
    if edge.show_priority:
        lines[0] = f"<B>{edge.tag}.</B> {lines[0]}"
    if edge.note:
        # 12 points, not the edge's 11: Pango drew 11-point bold digits ("1,234 (12.3%)") in a serif face.
        # After the guard, so that the words drawn read in order whether or not an accessibility
        # checker counts the short priority mark ("5.") as text.
        lines.append(f'<FONT COLOR="{NOTE}" POINT-SIZE="12"><B>{esc(edge.note)}</B></FONT>')
    return "<" + BR.join(lines) + BR + ">"


def heading(model: DiagramModel) -> str:
    """Title, legend and definitions, stacked: the graph's own label, a block above the pathway
    that takes no part in its layout (as nodes, they would stretch the first rank)."""
    title = f'<FONT POINT-SIZE="22"><B>{esc(model.title)}</B></FONT>'
    if model.subtitle:
        title += f'<BR/><FONT POINT-SIZE="13">{esc(model.subtitle)}</FONT>'
    blocks = [title] + ([_legend(model)] if model.legend else [])
    if model.definitions:
        blocks.append(_definitions(model))
    if model.imaging_rules:
        blocks.append(_imaging_rules(model))
    if model.purposes:
        blocks.append(_purposes(model))
    if model.screen_rows:
        blocks.append(_screen_rows(model))
    rows = "".join(f"<TR><TD>{b}</TD></TR>" for b in blocks)
    return f'<<TABLE BORDER="0" CELLSPACING="8">{rows}</TABLE>>'


SWATCH = {
    "emergency": f'BGCOLOR="{DARK_RED}"', "urgent": f'BGCOLOR="{ORANGE}"', "routine": 'BGCOLOR="#e3f2fd"',
}
MARK = {"terminal": '<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="2" CELLPADDING="0" COLOR="#455a64">'
                    '<TR><TD WIDTH="20" HEIGHT="12"></TD></TR></TABLE>',
        "red_flags": f'<FONT COLOR="{RED}" POINT-SIZE="14">{FLAG}</FONT>',
        "escalation": f'<FONT COLOR="{RED}"><B>R1</B></FONT>', "transition": "<B>1.</B>",
        "stay": '<FONT POINT-SIZE="14">\u21ba</FONT>', "colour": '<FONT COLOR="#6a1b9a" POINT-SIZE="14"><B>\u2192</B></FONT>',
        # overlays (colours as dot.EMPHASIS_STYLE draws them)
        "highlighted": f'<FONT COLOR="{NOTE}" POINT-SIZE="16"><B>\u2192</B></FONT>',
        "dimmed": '<FONT COLOR="#b0bec5" POINT-SIZE="16"><B>\u2192</B></FONT>',
        "added": '<FONT COLOR="#2e7d32" POINT-SIZE="16"><B>\u2192</B></FONT>',
        "changed": '<FONT COLOR="#00a5c8" POINT-SIZE="16"><B>\u2192</B></FONT>',
        "removed": '<FONT COLOR="#9e9e9e" POINT-SIZE="16">- -</FONT>',
        # three bars, thin to thick, for the cohort flow's edge widths
        "width": '<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="0">'
                 + "".join(f'<TR><TD WIDTH="24" HEIGHT="{h}" FIXEDSIZE="TRUE" BGCOLOR="#546e7a"></TD></TR>'
                           for h in (1, 3, 6))
                 + "</TABLE>"}


def _legend(model: DiagramModel) -> str:
    cells = [
        f'<TD WIDTH="30" HEIGHT="24" {SWATCH.get(e.key, "")}>{MARK.get(e.key, "")}</TD>'
        f'<TD ALIGN="LEFT" BALIGN="LEFT" VALIGN="MIDDLE">{BR.join(esc(line) for line in wrap(e.text, 40))}</TD>'
        for e in model.legend
    ]
    return _grid("Legend", cells, columns=2, span=2)


def _definitions(model: DiagramModel) -> str:
    cells = [
        '<TD ALIGN="LEFT" VALIGN="TOP" BALIGN="LEFT">'
        + BR.join(f"<B>{esc(line)}</B>" for line in wrap(d.label + ":", 60)) + BR
        + BR.join(esc(line) for line in wrap(d.meaning, 60)) + "</TD>"
        for d in model.definitions
    ]
    return _grid("What the named conditions mean (generated from the guards that run)", cells, columns=2)


IMAGING_RULES_TITLE = "Imaging rules - applied wherever imaging is ordered"


def _imaging_rules(model: DiagramModel) -> str:
    """Each imaging rule: its name, then when it applies and what it does (generated), and its sources."""
    cells = [
        '<TD ALIGN="LEFT" VALIGN="TOP" BALIGN="LEFT">'
        + BR.join(f"<B>{esc(line)}</B>" for line in wrap(f"{r.number}. {r.label}", 70)) + BR
        + BR.join(esc(line) for line in wrap(f"when {r.when}", 70) + wrap(f"then {r.then}", 70))
        + f'{BR}<FONT COLOR="#546e7a">[{esc(", ".join(r.citations))}]</FONT></TD>'
        for r in model.imaging_rules
    ]
    title = (f"{IMAGING_RULES_TITLE}, in this order, each to the order as the rules before it left it "
             "(in every state that orders imaging, at every visit)")
    return _grid(title, cells, columns=2)


def _purposes(model: DiagramModel) -> str:
    cells = [
        '<TD ALIGN="LEFT" VALIGN="TOP" BALIGN="LEFT">'
        + BR.join(f"<B>{esc(line)}</B>" for line in wrap(p.label + ":", 60)) + BR
        + BR.join(esc(line) for line in wrap(f"starts from {p.studies} [{', '.join(p.citations)}]", 60)) + "</TD>"
        for p in model.purposes
    ]
    return _grid("Imaging purposes - what a state orders, before the imaging rules", cells, columns=2)


def _screen_rows(model: DiagramModel) -> str:
    """The red-flag screen, on a page that does not draw it: each escalation and the page of its destination."""
    cells = ['<TD ALIGN="LEFT" VALIGN="TOP" BALIGN="LEFT">' + BR.join(esc(line) for line in wrap(row, 60)) + "</TD>"
             for row in model.screen_rows]
    title = f"{FLAG} Red-flag screen - tried first, in this order, at every visit in every state marked {FLAG}"
    return _grid(title, cells, columns=2)


def _grid(title: str, cells: list[str], columns: int, span: int = 1) -> str:
    """Cells laid out row by row, ``columns`` to a row, under a title; each cell is ``span`` TDs."""
    blank = "<TD></TD>" * span
    rows = []
    for start in range(0, len(cells), columns):
        chunk = cells[start:start + columns]
        rows.append("<TR>" + "".join(chunk) + blank * (columns - len(chunk)) + "</TR>")
    return ('<TABLE BORDER="1" COLOR="#90a4ae" CELLBORDER="0" CELLSPACING="6" CELLPADDING="2">'
            f'<TR><TD COLSPAN="{columns * span}" ALIGN="LEFT"><B>{esc(title)}</B></TD></TR>{"".join(rows)}</TABLE>')


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width`, never breaking inside a short parenthesis ("(at most 4 weeks)"):
    a reader, and an accessibility checker matching the words drawn to a state's name, reads it whole."""
    kept = re.sub(r"\([^()]{1,%d}\)" % max(width - 2, 1), lambda m: m.group(0).replace(" ", NBSP), text)
    return [line.replace(NBSP, " ") for line in textwrap.wrap(kept, width, break_on_hyphens=False)] or [""]


NBSP = "\u00a0"  # textwrap breaks only at ASCII whitespace


def esc(text: str) -> str:
    return html.escape(text, quote=False)
