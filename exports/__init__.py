"""The validated pathway in formats other tools read: Mermaid, a FHIR R4 PlanDefinition (CPG
pathway), the FHIR Questionnaire a visit is recorded with, and BPMN 2.0.

    >>> from exports import export
    >>> text = export(spec, "fhir")      # or "mermaid", "questionnaire", "bpmn"

Each is generated from the validated spec (never from a running machine), deterministically,
so a changed export means a changed pathway. Mermaid is the diagram's own (`diagrams.to_mermaid`).
The FHIR resources' canonical URLs start with ``base`` (default: `fhir_meta.base_url`), and name
``publisher`` (default: `fhir_meta.publisher_name`).
"""

from __future__ import annotations

import json

from diagrams import build_model, to_mermaid
from pathway.spec import PathwaySpec

from .bpmn import to_bpmn
from .fhir import to_json as to_fhir_json
from .fhir import to_plan_definition
from .fhir_meta import metadata, resource_id
from .questionnaire import to_questionnaire

FORMATS = ("mermaid", "fhir", "questionnaire", "bpmn")


def export(spec: PathwaySpec, fmt: str, base: str | None = None, publisher: str | None = None) -> str:
    """The pathway as `mermaid`, `fhir` (PlanDefinition JSON), `questionnaire` (JSON) or `bpmn` (XML) text."""
    if fmt == "mermaid":
        return to_mermaid(build_model(spec))
    if fmt == "fhir":
        return to_fhir_json(spec, base, publisher)
    if fmt == "questionnaire":
        resource = to_questionnaire(spec, metadata(spec, base, publisher), resource_id(spec))
        return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"
    if fmt == "bpmn":
        return to_bpmn(spec)
    raise ValueError(f"unknown export format `{fmt}`; choose one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "export", "to_bpmn", "to_fhir_json", "to_plan_definition", "to_questionnaire"]
