"""The hazard log and the traceability matrix as a reviewer files them: Markdown, CSV or HTML."""

from __future__ import annotations

import csv
import io

from pathway.hazards import HazardLog
from pathway.spec import PathwaySpec

from .evidence import HazardEvidence
from .traceability import Trace

LOG_COLUMNS = ("hazard", "title", "status", "initial risk", "residual risk", "control", "evidence", "name",
               "verdict", "detail")
TRACE_COLUMNS = ("recommendation", "source", "safety requirements", "transitions", "properties", "vignettes",
                 "exercised")


def risk_text(log: HazardLog, risk) -> str:
    return f"{risk.severity} / {risk.likelihood} = {log.rating(risk)}"


def log_rows(log: HazardLog, evidence: tuple[HazardEvidence, ...]) -> list[tuple]:
    rows = []
    for found in evidence:
        h = found.hazard
        head = (h.id, h.title, found.status, risk_text(log, h.initial), risk_text(log, h.residual))
        for control in found.controls:
            for item in control.items or ():
                rows.append(head + (control.control.id, item.kind, item.name, item.verdict, item.detail))
    return rows


def trace_rows(spec: PathwaySpec, traces: tuple[Trace, ...]) -> list[tuple]:
    return [(t.reference, spec.reference[t.reference].source, ", ".join(t.requirements), ", ".join(t.transitions),
             ", ".join(t.properties), ", ".join(t.vignettes), "yes" if t.exercised else "ONLY CITED") for t in traces]


def as_csv(columns: tuple[str, ...], rows: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def as_markdown(spec: PathwaySpec, log: HazardLog, evidence, traces) -> str:
    lines = [f"# Hazard log: {spec.name} {spec.version}", "",
             f"Pathway sha256:{spec.content_hash}; safety requirements sha256:{spec.safety.content_hash}.",
             "Evidence read live; a control whose evidence broke is open again.", ""]
    for found in evidence:
        h = found.hazard
        lines += [f"## {h.id}. {h.title} - {found.status}", "",
                  f"- **Cause:** {h.cause}", f"- **Effect:** {h.effect}", f"- **Harm:** {h.harm}",
                  f"- **Initial risk:** {risk_text(log, h.initial)}; **residual:** {risk_text(log, h.residual)}", ""]
        for control in found.controls:
            state = "holds" if control.holds else "**BROKEN**"
            lines += [f"### {control.control.id} ({state}): {control.control.description}", "",
                      "| evidence | name | verdict | detail |", "|---|---|---|---|"]
            lines += [f"| {i.kind} | `{i.name}` | {i.verdict} | {i.detail} |" for i in control.items]
            lines.append("")
    lines += ["## Traceability", "", "| " + " | ".join(TRACE_COLUMNS) + " |", "|" + "---|" * len(TRACE_COLUMNS)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in trace_rows(spec, traces)]
    only = [t.reference for t in traces if not t.exercised]
    lines += ["", f"Recommendations only cited, never exercised by a vignette or property: {', '.join(only) or 'none'}."]
    return "\n".join(lines) + "\n"
