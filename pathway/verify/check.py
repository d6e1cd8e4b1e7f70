"""Run every property over a spec and sum up: verdicts, case counts, times, a certificate."""

from __future__ import annotations

import time

import attrs

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

    def certificate(self) -> str:
        numbers = ",".join(str(v.number) for v in self.verdicts)
        verdict = "hold" if self.holds else "DO NOT all hold"
        return (f"certificate: pathway {self.spec.name} {self.spec.version} sha256:{self.spec.content_hash} "
                f"properties {numbers} {verdict}; {self.cases:,} cases decided exhaustively")


def check_pathway(spec: PathwaySpec, properties: tuple[Property, ...] = PROPERTIES) -> Report:
    """Decide each property over every abstract case; nothing is sampled."""
    started = time.perf_counter()
    model = Model(spec)
    verdicts = []
    for prop in properties:
        begun = time.perf_counter()
        result = prop.decide(model)
        verdicts.append(Verdict(prop.number, prop.name, prop.title, result.cases, time.perf_counter() - begun,
                                tuple(result.failures), tuple(result.overlaps)))
    return Report(spec, tuple(verdicts), time.perf_counter() - started, model)
