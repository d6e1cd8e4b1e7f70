"""The validated pathway in formats other tools read: Mermaid, FHIR R4 PlanDefinition, BPMN 2.0.

    >>> from exports import export
    >>> text = export(spec, "fhir")      # or "mermaid", "bpmn"; the same spec gives the same text

Each is generated from the validated spec (never from a running machine), deterministically,
so a changed export means a changed pathway. Mermaid is the diagram's own (`diagrams.to_mermaid`).
"""

from __future__ import annotations

from diagrams import build_model, to_mermaid
from pathway.spec import PathwaySpec

from .bpmn import to_bpmn
from .fhir import to_json as to_fhir_json
from .fhir import to_plan_definition

FORMATS = ("mermaid", "fhir", "bpmn")


def export(spec: PathwaySpec, fmt: str) -> str:
    """The pathway as `mermaid`, `fhir` (PlanDefinition JSON) or `bpmn` (XML) text."""
    if fmt == "mermaid":
        return to_mermaid(build_model(spec))
    if fmt == "fhir":
        return to_fhir_json(spec)
    if fmt == "bpmn":
        return to_bpmn(spec)
    raise ValueError(f"unknown export format `{fmt}`; choose one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "export", "to_bpmn", "to_fhir_json", "to_plan_definition"]
