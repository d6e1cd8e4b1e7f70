"""The mutants' results as a table a reviewer reads: by method, what each check killed, and
why each survivor is harmless (proved, never assumed)."""

from __future__ import annotations

from collections import Counter

from .mutants import METHODS
from .mutation import MutantResult

WHY = {
    "equivalent": "equivalent: every visit from every state ends exactly as in the real pathway",
    "equivalent in care": ("equivalent in care: every visit leaves every patient at the same urgency and timescale, "
                           "with imaging meeting the same red flags present (proved)"),
    "widens only": "only escalates more: its guard holds wherever the original did",
    "SURVIVED": "SURVIVED: a safety-relevant mutant no property kills - a weak property",
}


def summary_text(results: list[MutantResult]) -> str:
    lines = [f"{'method':13} {'mutants':>7} {'killed: exhaustive':>18} {'Hypothesis':>10}  survivors"]
    ran_hypothesis = any(r.hypothesis != "" for r in results)
    for method in METHODS:
        group = [r for r in results if r.mutant.method == method]
        exhaustive = sum(r.exhaustive is not None for r in group)
        hypothesis = f"{sum(bool(r.hypothesis) for r in group):>10}" if ran_hypothesis else f"{'(not run)':>10}"
        if group and all(r.mutant.oracle for r in group):
            hypothesis = f"{'n/a':>10}"  # the Hypothesis search judges by the requirements being weakened
        kinds = Counter(r.verdict for r in group if r.verdict != "killed")
        left = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"
        lines.append(f"{method:13} {len(group):>7} {exhaustive:>18} {hypothesis}  {left}")
    lines.append("")
    for r in results:
        if r.verdict != "killed":
            lines.append(f"  {r.mutant.id}: {r.mutant.description}")
            lines.append(f"    -> {WHY[r.verdict]}")
    return "\n".join(lines) + "\n"
