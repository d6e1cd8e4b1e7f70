"""Assessment results for people (text) and for programs (JSON), read off a trace."""

from __future__ import annotations

import textwrap

from .spec import PathwaySpec
from .trace import Step, Trace, VisitTrace


def decision(trace: Trace, spec: PathwaySpec) -> dict:
    """The decision at the last visit: its urgency (of the states entered at it) and the imaging
    it ordered, and the care step and state the patient rests in."""
    last = trace.visits[-1]
    state = spec.state[last.state]
    return {
        "urgency": last.urgency.value,
        "imaging": last.imaging.id,
        "care_step": state.care_step.value,
        "final_state": state.id,
    }


def to_json(trace: Trace, spec: PathwaySpec) -> dict:
    """The trace as JSON data: the decision at the last visit, then every visit and step (`assess --json`)."""
    return {
        "pathway": {"name": trace.pathway, "version": trace.version, "content_hash": trace.content_hash},
        "age": trace.age,
        **decision(trace, spec),
        "final_state_label": spec.state[trace.final_state].label,
        "visits": [
            {
                "week": v.week,
                "start": v.start,
                "state": v.state,
                "entered": list(v.entered),
                "urgency": v.urgency.value,
                "imaging": v.imaging.id,
                "imaging_studies": [s.words for s in v.imaging.studies],
                "imaging_rules": list(v.imaging_rules),
                "imaging_amended": v.amended,
                "new_episode": v.new_episode,
                "note": v.note,
                "steps": [_step_json(s, spec) for s in v.steps],
            }
            for v in trace.visits
        ],
    }


def _step_json(step: Step, spec: PathwaySpec) -> dict:
    return {
        "transition": step.transition,
        "from": step.source,
        "to": step.dest,
        "red_flag_escalation": step.escalation,
        "guard": step.guard,
        "guard_words": step.guard_words,
        "because": dict(step.because),
        "rationale": step.rationale,
        "citations": [_citation(c, spec) for c in step.citations],
    }


def _citation(ref_id: str, spec: PathwaySpec) -> dict:
    ref = spec.reference[ref_id]
    return {"id": ref.id, "source": ref.source, "status": ref.status}


def to_text(trace: Trace, spec: PathwaySpec) -> str:
    """The trace in words, as `sciatica assess` prints it: the decision, then every visit and step."""
    last = trace.visits[-1]
    final = spec.state[last.state]
    lines = [
        f"{trace.pathway} {trace.version} (content {trace.content_hash[:12]})",
        f"Patient aged {trace.age}, {len(trace.visits)} visit{'s' if len(trace.visits) != 1 else ''}",
        "",
        f"Decision at week {last.week} (last visit)",
        f"  urgency      {last.urgency.value}",
        f"  imaging      {last.imaging.words}",
        f"  care step    {final.care_step.value.replace('_', ' ')}",
        f"  final state  {final.label} [{final.id}]",
    ]
    if final.terminal:
        lines.append(f"  handed over  to {final.receiving_service}")
    for visit in trace.visits:
        path = [spec.state[visit.start].label] + [spec.state[s].label for s in visit.entered]
        lines += ["", f"Week {visit.week}: " + " -> ".join(path)]
        if visit.note:
            lines.append(f"  ({visit.note})")
        for n, step in enumerate(visit.steps, 1):
            lines += _step_text(n, step, spec)
        lines += _imaging_text(visit, spec)
    return "\n".join(lines) + "\n"


def _imaging_text(visit: VisitTrace, spec: PathwaySpec) -> list[str]:
    if not visit.imaging:
        return []
    purpose = spec.purpose[spec.state[visit.state].purpose]
    what = "amended order" if visit.amended else "orders"
    lines = [f"  {what}: {visit.imaging.words}  (for: {purpose.label})"]
    rules = {r.id: r for r in spec.imaging_rules}
    lines += [f"     rule     {rules[r].label} [{', '.join(rules[r].citations)}]" for r in visit.imaging_rules]
    return lines


def _step_text(n: int, step: Step, spec: PathwaySpec) -> list[str]:
    target = "stays" if step.stay else spec.state[step.dest].label
    flag = "RED FLAG: " if step.escalation else ""
    when = step.guard_words
    lines = [f"  {n}. {flag}{spec.state[step.source].label} -> {target}  [{step.transition}]", *_field("when", when)]
    if step.because:
        lines += _field("because", "; ".join(finding_words(name, value, spec) for name, value in step.because))
    lines += _field("why", step.rationale)
    for ref_id in step.citations:
        lines.append(f"     source   {spec.reference[ref_id].source}")
    return lines


def _field(name: str, text: str) -> list[str]:
    """`     why      text`, wrapped within 100 columns under its own indent."""
    return textwrap.wrap(text, 100, initial_indent=f"     {name:<9}", subsequent_indent=" " * 14,
                         break_on_hyphens=False) or [f"     {name}"]


def finding_words(name: str, value: object, spec: PathwaySpec) -> str:
    label = spec.finding[name].label
    if isinstance(value, bool):
        return f"{label}: {'yes' if value else 'no'}"
    return f"{label}: {str(value).replace('_', ' ')}"
