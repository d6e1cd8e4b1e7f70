"""The check's report as text: one line per property, failures told as stories, a certificate."""

from __future__ import annotations

import textwrap
from collections import Counter

from .check import Report
from .stories import example_text, find_story, story_text


def report_text(report: Report, stories: int = 3, overlaps: bool = False) -> str:
    spec = report.spec
    heading = (f"Checking {spec.name} {spec.version} ({spec.source}): {len(spec.states)} states, "
               f"{len(spec.transitions)} transitions, against {len(spec.safety.categories)} red-flag safety requirements "
               f"(safety.yaml sha256:{spec.safety.content_hash[:12]})")
    lines = [*textwrap.wrap(heading, 100, subsequent_indent="  "), ""]
    for v in report.verdicts:
        verdict = "holds" if v.holds else f"FAILS ({len(v.failures)})"
        lines.append(f"  {v.number:>2}. {v.title:<42} {verdict:<11} {_cases(v.cases):>16}  {v.seconds:5.2f} s")
        lines += [line for note in v.notes for line in textwrap.wrap(note, 94, initial_indent="      ",
                                                                    subsequent_indent="        ")]
        if v.overlaps:
            kinds = Counter(o.status for o in v.overlaps)
            lines += textwrap.wrap(f"{len(v.overlaps)} overlapping guard pairs, each resolved by priority: "
                                   + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())), 100,
                                   initial_indent="      ", subsequent_indent="        ")
    lines += _overlap_lines(report) if overlaps else []
    for v in report.verdicts:
        if v.holds:
            continue
        lines += ["", f"Property {v.number} fails: {v.title}"]
        for failure in v.failures[:stories]:
            lines += ["", story_text(report.model, failure, find_story(report.model, failure))]
        if len(v.failures) > stories:
            lines += ["", f"  ... and {len(v.failures) - stories} more failures of property {v.number}:"]
            lines += [f"  - {f.message}" for f in v.failures[stories:]]
    lines += ["", f"{report.seconds:.2f} s in all", report.certificate()]
    return "\n".join(lines) + "\n"


def _cases(n: int) -> str:
    """A case count a clinician can read: exact when small, else its order of magnitude."""
    if n < 100_000:
        return f"{n:,} cases"
    mantissa, exponent = f"{n:.1e}".split("e")
    return f"~{mantissa}x10^{int(exponent)} cases"


def _overlap_lines(report: Report) -> list[str]:
    lines = ["", "Every overlap (the first transition is tried first and wins):"]
    for v in report.verdicts:
        for o in v.overlaps:
            lines += textwrap.wrap(f"{o.state}: {o.first} over {o.second} [{o.status}] {_cases(o.cases)}, "
                                   f"e.g. {example_text(report.spec, o.example)}", 100,
                                   initial_indent="  ", subsequent_indent="      ")
    return lines
