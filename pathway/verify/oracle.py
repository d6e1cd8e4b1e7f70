"""Property 10: the safety requirements the pathway is proved against are no weaker than the
signed-off baseline (by default the shipped ones), for every patient.

A weakened requirement must never pass for a passing pathway: for every patient, every baseline
category present must still be demanded at least as strongly by some category present now (as
urgent, as soon, imaging no looser), no study the baseline forbade may become allowed, and no
new reason may excuse imaging. A change that is not weaker still needs sign-off, and is noted.
"""

from __future__ import annotations

from ..guards import names_in
from ..safety import Category, SafetyRequirements
from .domains import requirement_guards
from .properties import Model, Result
from .results import Failure


def requirements_not_weakened(m: Model) -> Result:
    now, before = m.safety, m.baseline
    result = Result(0)
    if before is None:
        result.notes.append("no baseline requirements given: nothing to compare with")
        return result
    if before.content_hash == now.content_hash:
        result.notes.append(f"the safety requirements are the baseline's (sha256:{now.content_hash[:12]})")
        return result
    unknown = sorted({n for e in requirement_guards(before) for n in names_in(e)} - set(m.spec.finding))
    if unknown:
        message = (f"the baseline requirements read findings this pathway does not have ({', '.join(unknown)}): "
                   "dropping a finding drops the requirement with it")
        result.failures.append(Failure(message, m.spec.initial, should="keep every finding the requirements read"))
        return result
    result.cases = len(before.categories) + len(before.every_order) + 2
    for category in before.categories:
        _category(m, category, result)
    _orders(m, result)
    _reasons(m, result)
    if not result.failures:
        result.notes.append(f"the safety requirements differ from the baseline (sha256:{before.content_hash[:12]} -> "
                            f"{now.content_hash[:12]}) but demand no less: the change needs sign-off")
    return result


def dominates(new: Category, old: Category) -> bool:
    """``new`` demands at least what ``old`` does: as urgent, as soon, imaging no looser."""
    sooner = old.within_hours is None or (new.within_hours is not None and new.within_hours <= old.within_hours)
    narrower = all(set(new.acceptable(c)) <= set(old.acceptable(c)) for c in (False, True))
    return new.min_urgency >= old.min_urgency and sooner and narrower and new.covering.covers(old.covering)


def _category(m: Model, old: Category, result: Result) -> None:
    sym = m.sym
    kept = sym.any_of(m.guard(c.expr) for c in m.safety.categories if dominates(c, old))
    lost = m.guard(old.expr) & ~kept
    if not sym.empty(lost):
        message = (f"the baseline's {old.label} (`{old.name}`: {old.min_urgency.value} care {old.timescale_words}, "
                   f"imaging {old.imaging_words}) is no longer demanded in full for {sym.count(lost):,} cases")
        should = "the baseline requirement, or the clinical safety officer's sign-off of a new baseline (--baseline)"
        result.failures.append(Failure(message, m.spec.initial, lost, should, old.citations))


def _orders(m: Model, result: Result) -> None:
    sym = m.sym
    for old in m.baseline.every_order:
        for kind in old.never:
            still = sym.any_of(m.guard(r.expr) for r in m.safety.every_order if kind in r.never)
            lost = m.guard(old.expr) & ~still
            if not sym.empty(lost):
                message = f"{kind.words} is no longer forbidden where the baseline forbade it ({old.label})"
                result.failures.append(Failure(message, m.spec.initial, lost, "the baseline rule", old.citations))
    contra_now, contra_before = (m.guard(s.mri_contraindicated) for s in (m.safety, m.baseline))
    widened = contra_now & ~contra_before
    if not sym.empty(widened):
        result.failures.append(Failure("more patients count as MRI contraindicated than in the baseline, so looser "
                                       "imaging is accepted for them", m.spec.initial, widened, "the baseline's"))


def _reasons(m: Model, result: Result) -> None:
    sym = m.sym
    reasons = sym.any_of(m.guard(r.expr) for r in m.safety.imaging_reasons)
    allowed = sym.any_of(m.guard(r.expr) for r in (*m.baseline.imaging_reasons, *m.baseline.categories))
    extra = reasons & ~allowed
    if not sym.empty(extra):
        result.failures.append(Failure("a new imaging reason excuses imaging the baseline did not", m.spec.initial,
                                       extra, "the baseline's imaging reasons"))


__all__ = ["SafetyRequirements", "dominates", "requirements_not_weakened"]
