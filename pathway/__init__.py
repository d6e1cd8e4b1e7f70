"""sciatica-pathway: the sciatica care pathway as a declarative, verifiable state machine.

    >>> from pathway import load_pathway, shipped_pathway, Engine, parse_patient
    >>> spec = load_pathway(shipped_pathway())
    >>> trace = Engine(spec).run(parse_patient({...}, spec))
"""

from .engine import Engine, FellThrough
from .errors import PathwayError, PatientError, Problem
from .loader import load_pathway
from .patients import Patient, Visit, load_patient, parse_patient
from .render import decision, to_json, to_text
from .shipped import example_patients, shipped_pathway
from .spec import CareStep, Condition, Finding, PathwaySpec, Phase, Reference, State, Transition, Urgency, Waits
from .studies import Imaging
from .trace import Step, Trace, VisitTrace

__all__ = [
    "CareStep", "Condition", "Engine", "FellThrough", "Finding", "Imaging", "PathwayError", "PathwaySpec",
    "Patient", "PatientError", "Phase", "Problem", "Reference", "State", "Step", "Trace", "Transition",
    "Urgency", "Visit", "VisitTrace", "Waits", "decision", "example_patients", "load_patient",
    "load_pathway", "parse_patient", "shipped_pathway", "to_json", "to_text",
]
