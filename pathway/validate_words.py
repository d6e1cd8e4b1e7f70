"""Words that cannot lie: a hand-written label or rationale that names a threshold or a finding
must agree with the guard it sits on, because reviewers sign the words.

Checked: each transition's rationale, each condition's and imaging rule's label, and each safety
category's label and reason, against the guard spelled out to the findings. A threshold in the words ("after 6 weeks", "over 50", "12
weeks or less") must be one the guard compares with (give or take one, for "after 6" beside
`>= 6` or "over 50" beside `> 50`); a finding named in the words (by its label) must be one the
guard reads.
"""

from __future__ import annotations

import re

from .errors import Problem
from .guards import compares_in, names_in
from .spec import PathwaySpec

# A number written as a threshold: "after 6 weeks", "at least 2 weeks", "over 50", "age over 70",
# "12 weeks or less". Ranges ("2-4 weeks") and timescales ("within 4 hours") are not thresholds.
THRESHOLD = re.compile(
    r"\b(?:after|at least|at most|over|under|more than|less than|beyond|aged?)\s+(\d+)\b(?!\s*(?:hours?|%|-))"
    r"|\b(\d+)\s+(?:weeks?|years?)\s+(?:or less|or more|or longer|and over)\b",
    re.IGNORECASE,
)
# Labels too general to mean one finding when they appear in prose.
GENERAL = {"pain", "trend", "age"}


def validate_words(spec: PathwaySpec) -> list[Problem]:
    problems = []
    spelled = {c.name: spec.spelled_out(c.expr) for c in spec.conditions}
    owners = [(t.words_line, f"transition `{t.base_id}`", t.rationale, spec.spelled_out(t.expr))
              for t in {t.line: t for t in spec.transitions}.values()]
    owners += [(c.words_line, f"condition `{c.name}`", c.label, spelled[c.name]) for c in spec.conditions]
    owners += [(r.words_line, f"imaging rule `{r.id}`", r.label, spec.spelled_out(r.expr)) for r in spec.imaging_rules]
    if spec.safety is not None:
        owners += [(c.line, f"safety category `{c.name}`", f"{c.label}. {c.reason}", c.expr) for c in spec.safety.categories]
    for line, owner, words, expr in owners:
        problems += [Problem(line, f"the words of {owner} {message}") for message in disagreements(spec, words, expr)]
    return problems


def disagreements(spec: PathwaySpec, words: str, expr) -> list[str]:
    """What the words say that the guard does not: thresholds it does not compare with, findings it does not read."""
    compared = {c.value + d for c in compares_in(expr) if isinstance(c.value, int) and not isinstance(c.value, bool)
                for d in (-1, 0, 1)}
    found = []
    for match in THRESHOLD.finditer(words):
        number = int(match.group(1) or match.group(2))
        if number not in compared:
            shown = ", ".join(str(c.value) for c in compares_in(expr) if isinstance(c.value, int)) or "none"
            found.append(f"say \"{match.group(0)}\", a threshold the guard does not have (its numbers: {shown})")
    read = set(names_in(expr))
    for finding in spec.findings:
        label = finding.label.lower()
        if label in GENERAL or finding.name in read or finding.is_input:
            continue
        if re.search(rf"\b{re.escape(label)}\b", words.lower()):
            found.append(f"name {finding.label!r} (`{finding.name}`), which the guard does not read")
    return found
