"""sciatica-pathway: the sciatica care pathway as a declarative, verifiable state machine.

    >>> from pathway import load_pathway, shipped_pathway, Engine, parse_patient
    >>> spec = load_pathway(shipped_pathway())
    >>> trace = Engine(spec).run(parse_patient({...}, spec))

The names below are imported when first used, not with the package: every `sciatica` command
starts by importing `pathway.cli`, and `sciatica --help` needs none of them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Engine, FellThrough
    from .errors import PathwayError, PatientError, Problem
    from .loader import load_pathway
    from .patients import Patient, Visit, load_patient, parse_patient
    from .render import decision, to_json, to_text
    from .shipped import example_patients, shipped_pathway
    from .spec import CareStep, Condition, Finding, PathwaySpec, Phase, Reference, State, Transition, Urgency, Waits
    from .studies import Imaging
    from .trace import Step, Trace, VisitTrace

_MODULES = {
    "engine": ("Engine", "FellThrough"),
    "errors": ("PathwayError", "PatientError", "Problem"),
    "loader": ("load_pathway",),
    "patients": ("Patient", "Visit", "load_patient", "parse_patient"),
    "render": ("decision", "to_json", "to_text"),
    "shipped": ("example_patients", "shipped_pathway"),
    "spec": ("CareStep", "Condition", "Finding", "PathwaySpec", "Phase", "Reference", "State", "Transition",
             "Urgency", "Waits"),
    "studies": ("Imaging",),
    "trace": ("Step", "Trace", "VisitTrace"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "CareStep", "Condition", "Engine", "FellThrough", "Finding", "Imaging", "PathwayError", "PathwaySpec",
    "Patient", "PatientError", "Phase", "Problem", "Reference", "State", "Step", "Trace", "Transition",
    "Urgency", "Visit", "VisitTrace", "Waits", "decision", "example_patients", "load_patient",
    "load_pathway", "parse_patient", "shipped_pathway", "to_json", "to_text",
]


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'pathway' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value  # once: later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})
