"""Run every property over a spec and sum up: verdicts, case counts, times, a certificate."""

from __future__ import annotations

import time

import attrs

from ..safety import SafetyRequirements
from ..spec import PathwaySpec
from .properties import PROPERTIES, Model, Property
from .results import Verdict


@attrs.frozen
class Report:
    spec: PathwaySpec
    verdicts: tuple[Verdict, ...]
    seconds: float
    model: Model = attrs.field(eq=False, repr=False)

    @property
    def holds(self) -> bool:
        return all(v.holds for v in self.verdicts)

    @property
    def cases(self) -> int:
        return sum(v.cases for v in self.verdicts)

    @property
    def requirements_changed(self) -> bool:
        """The safety requirements differ from the baseline they are judged against (sign-off needed)."""
        baseline = self.model.baseline
        return baseline is not None and baseline.content_hash != self.spec.safety.content_hash

    def certificate(self) -> str:
        numbers = ",".join(str(v.number) for v in self.verdicts)
        verdict = "hold" if self.holds else "DO NOT all hold"
        safety, baseline = self.spec.safety, self.model.baseline
        against = "" if baseline is None else (
            " (the baseline's)" if not self.requirements_changed
            else f" (CHANGED from baseline sha256:{baseline.content_hash}: needs sign-off)")
        return (f"certificate: pathway {self.spec.name} {self.spec.version} sha256:{self.spec.content_hash} "
                f"against safety requirements sha256:{safety.content_hash}{against}: "
                f"properties {numbers} {verdict}; {self.cases:,} cases decided exhaustively")


def shipped_requirements() -> SafetyRequirements:
    """The signed-off safety requirements that ship with the tool: the default baseline."""
    from ..loader import load_pathway
    from ..shipped import shipped_pathway

    return load_pathway(shipped_pathway()).safety


def check_pathway(spec: PathwaySpec, properties: tuple[Property, ...] = PROPERTIES,
                  baseline: SafetyRequirements | None = None) -> Report:
    """Decide each property over every abstract case; nothing is sampled. ``baseline``: the
    requirements ``spec.safety`` must not weaken (default: the shipped ones)."""
    started = time.perf_counter()
    model = Model(spec, baseline if baseline is not None else shipped_requirements())
    verdicts = []
    for prop in properties:
        begun = time.perf_counter()
        result = prop.decide(model)
        verdicts.append(Verdict(prop.number, prop.name, prop.title, result.cases, time.perf_counter() - begun,
                                tuple(result.failures), tuple(result.overlaps), tuple(result.notes)))
    return Report(spec, tuple(verdicts), time.perf_counter() - started, model)
