"""The PlanDefinition's narrative (`text`): generated XHTML a person reads where no tool renders the
actions: the pathway, then each state with its transitions in the order tried, in words."""

from __future__ import annotations

from html import escape

from pathway.spec import PathwaySpec

from .wording import guard_words, tag

XHTML = "http://www.w3.org/1999/xhtml"


def narrative(spec: PathwaySpec) -> dict:
    parts = [f"<h1>{escape(spec.name)} {escape(spec.version)}</h1>", f"<p>{escape(spec.description)}</p>",
             "<p>At each visit a state tries its transitions in the order listed (red flags R1, R2, ... first) "
             "and takes the first whose condition holds.</p>", "<ol>"]
    states = sorted(spec.states, key=lambda s: s.id != spec.initial)
    for state in states:
        parts.append(f"<li><b>{escape(state.label)}</b> ({escape(state.urgency.value)})")
        outgoing = spec.outgoing(state.id)
        if outgoing:
            parts.append("<ul>" + "".join(
                f"<li>{escape(tag(t))}. {escape(guard_words(spec, t))}: "
                f"{'stays' if t.is_stay else escape(spec.state[t.dest].label)}</li>" for t in outgoing) + "</ul>")
        elif state.receiving_service:
            parts.append(f"<p>Handed over to {escape(state.receiving_service)}.</p>")
        parts.append("</li>")
    parts.append("</ol>")
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{"".join(parts)}</div>'}
