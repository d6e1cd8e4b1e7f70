"""The safety properties, each decided exactly over the abstract findings.

Every property is a function of the ``Model`` (symbolic guards, visit outcomes, course graph, the
safety requirements it is judged by) that returns the number of cases it decided and every
failure it found. The deciders live in modules by theme: red_flags (1, 8), continuity (2),
structure (3-6), imaging (7, 9) and oracle (10).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ..guards import describe
from ..safety import SafetyRequirements
from ..spec import PathwaySpec, Transition
from .courses import CourseGraph
from .domains import requirement_guards
from .results import Failure, Overlap
from .symbolic import Region, Symbolic
from .visits import VisitModel


class Model:
    """Everything the properties read, built once per spec (and the requirements it is held to).

    ``baseline``: the signed-off safety requirements that ``spec.safety`` must not weaken (property 10).
    """

    def __init__(self, spec: PathwaySpec, baseline: SafetyRequirements | None = None, symbolic: Symbolic | None = None):
        if spec.safety is None:
            raise ValueError(f"{spec.name}: no safety requirements to check against")
        self.spec, self.safety, self.baseline = spec, spec.safety, baseline
        extra = requirement_guards(baseline) if baseline is not None and _reads_known(spec, baseline) else ()
        self.sym = symbolic or Symbolic(spec, extra)
        self._meets: dict = {}
        self.visits = VisitModel(spec, self.sym)
        self.courses = CourseGraph(self.visits)
        self._labels = {c.name: c.label for c in spec.conditions}

    def words(self, t: Transition) -> str:
        cited = ", ".join(t.citations)
        return f"`{t.base_id}` ({describe(t.expr, self.spec.finding, self._labels)}) -> {self.spec.state[t.dest].label} [{cited}]"

    def guard(self, expr) -> Region:
        return self.sym.guard(expr)

    @property
    def contraindicated(self) -> Region:
        return self.sym.guard(self.safety.mri_contraindicated)

    @property
    def flagged(self) -> Region:
        """Patients in whom some safety category holds."""
        return self.sym.any_of(self.sym.guard(c.expr) for c in self.safety.categories)


def _reads_known(spec: PathwaySpec, requirements: SafetyRequirements) -> bool:
    from ..guards import names_in

    return all(n in spec.finding for e in requirement_guards(requirements) for n in names_in(e))


@attrs.define
class Result:
    cases: int
    failures: list[Failure] = attrs.Factory(list)
    overlaps: list[Overlap] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)  # what a reviewer must see even when the property holds


@attrs.frozen
class Property:
    number: int
    name: str
    title: str
    decide: Callable[[Model], Result]


def _properties() -> tuple[Property, ...]:
    from .continuity import no_step_down_before_the_result
    from .imaging import imaging_changes_management, imaging_fits_the_patient
    from .oracle import requirements_not_weakened
    from .red_flags import every_state_screens, red_flags_get_the_care_they_need
    from .structure import no_fall_through, no_silent_overlaps, reachable_no_traps, timely_review

    return (
        Property(1, "red-flags", "Red flags get the care they need", red_flags_get_the_care_they_need),
        Property(2, "no-way-down", "No step down before the work-up result", no_step_down_before_the_result),
        Property(3, "overlaps", "No silent overlaps", no_silent_overlaps),
        Property(4, "fall-through", "No patient falls through", no_fall_through),
        Property(5, "reachable", "Every state reachable, no traps", reachable_no_traps),
        Property(6, "review", "Timely review and timescales", timely_review),
        Property(7, "imaging", "Imaging only when it changes management", imaging_changes_management),
        Property(8, "screen", "Every state screens for red flags", every_state_screens),
        Property(9, "fits", "Imaging fits the patient", imaging_fits_the_patient),
        Property(10, "requirements", "Safety requirements not weakened", requirements_not_weakened),
    )


PROPERTIES = _properties()
