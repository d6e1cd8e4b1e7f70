"""The safety requirements section of the review packet: what the pathway is proved against
(safety.yaml, with its own content hash), each category's sources in full, and - when they
differ from the signed-off baseline or from the version the packet is compared with - exactly
which requirements changed, for the clinical safety officer to sign.
"""

from __future__ import annotations

import attrs

from diagrams.elements import Table
from diagrams.rules_tables import safety_tables, who
from pathway.compare import REQUIREMENT, Change, PathwayDiff, diff_pathways
from pathway.safety import SafetyRequirements
from pathway.spec import PathwaySpec
from pathway.verify import Report

from .diagrams import citations


@attrs.frozen
class RequirementChanges:
    """How the requirements differ from those they are compared with, change by change."""

    against: str  # what they are compared with, in words
    hashes: tuple[str, str]  # the safety requirements' content hashes, theirs and these
    changes: tuple[Change, ...]
    words: tuple[tuple[str, ...], ...]  # for each change, who a changed category takes in, before and now, in words


@attrs.frozen
class SafetySection:
    content_hash: str
    tables: tuple[Table, ...]  # the categories, then the rules for every imaging order
    sources: tuple[tuple[str, tuple[dict, ...]], ...]  # each category's label and its references in full
    changed: tuple[RequirementChanges, ...]  # empty: the requirements are the signed-off ones


def safety_section(spec: PathwaySpec, report: Report, diff: PathwayDiff | None,
                   against: PathwaySpec | None) -> SafetySection:
    """``report``: the check (its baseline is the signed-off requirements); ``diff`` and ``against``:
    the comparison with a previous version, if the packet makes one."""
    safety = spec.safety
    sources = tuple((c.label, tuple(citations(spec, c.citations))) for c in safety.categories)
    changed = []
    if report.requirements_changed:
        baseline = report.model.baseline
        # The same pathway held to the baseline's requirements: the difference is in the requirements alone.
        from_baseline = diff_pathways(attrs.evolve(spec, safety=baseline), spec)
        changed.append(_changes("the signed-off baseline (the safety requirements shipped with the tool)",
                                from_baseline, baseline, spec))
    if diff is not None and against is not None and diff.requirements_changed:
        previous = f"the previous version, {against.name} {against.version}"
        if changed and changed[0].hashes == diff.requirements:  # the previous version's are the baseline's
            changed[0] = attrs.evolve(changed[0], against=f"{changed[0].against} and {previous}")
        else:
            changed.append(_changes(previous, diff, against.safety, spec))
    return SafetySection(safety.content_hash, safety_tables(spec), sources, tuple(changed))


def _changes(against: str, diff: PathwayDiff, old: SafetyRequirements | None, spec: PathwaySpec) -> RequirementChanges:
    changes = tuple(c for c in diff.changes if c.what.startswith(REQUIREMENT))
    return RequirementChanges(against, diff.requirements, changes, tuple(_who(c, old, spec) for c in changes))


def _who(change: Change, old: SafetyRequirements | None, spec: PathwaySpec) -> tuple[str, ...]:
    """Who a changed category takes in, before and now, in words over the raw findings."""
    if old is None or change.kind != "changed" or not change.what.endswith("category"):
        return ()
    before, now = old.category.get(change.id), spec.safety.category.get(change.id)
    if before is None or now is None or before.expr == now.expr:
        return ()
    return (f"who, before: {who(spec, before.expr)}", f"who, now: {who(spec, now.expr)}")
