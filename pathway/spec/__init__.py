"""The validated pathway as frozen value objects: no I/O, no `transitions` import.

Everything downstream (engine, diagrams, checks, simulations) reads these objects, by the names
exported here: the vocabularies (`kinds`), the parts (`parts`) and the whole (`pathway_spec`).
"""

from .kinds import CareStep, Phase, Urgency, Waits
from .parts import Condition, Contradiction, Finding, Reference, State, Transition
from .pathway_spec import PathwaySpec, to_data

__all__ = [
    "CareStep", "Condition", "Contradiction", "Finding", "PathwaySpec", "Phase", "Reference", "State", "Transition",
    "Urgency", "Waits", "to_data",
]
