"""The closed vocabularies a state is described by: its urgency, phase, care step and what it
waits for."""

from __future__ import annotations

import enum
import functools


@functools.total_ordering
class Urgency(enum.Enum):
    """How fast the patient must be seen; ordered, so ``max()`` gives the most urgent."""

    NONE = "none"
    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return _URGENCY_RANK[self]

    def __lt__(self, other: "Urgency") -> bool:
        return _URGENCY_RANK[self] < _URGENCY_RANK[other]


_URGENCY_RANK = {u: i for i, u in enumerate(Urgency)}


class Phase(enum.Enum):
    """Where a state belongs in care order; the diagram groups states by phase, top to bottom."""

    ONSET = "onset"
    ASSESSMENT = "assessment"
    CONSERVATIVE_CARE = "conservative_care"
    REASSESSMENT = "reassessment"
    IMAGING = "imaging"
    INTERVENTION = "intervention"
    REROUTING = "rerouting"
    URGENT = "urgent"
    EXIT = "exit"


class CareStep(enum.Enum):
    """The kind of care a state gives (reported by `sciatica assess` as the care step)."""

    CONSERVATIVE_CARE = "conservative_care"
    SPECIALIST_ASSESSMENT = "specialist_assessment"
    EPIDURAL_INJECTION = "epidural_injection"
    SURGICAL_REFERRAL = "surgical_referral"
    ALTERNATIVE_DIAGNOSIS = "alternative_diagnosis"
    URGENT_SPECIALIST = "urgent_specialist"
    EMERGENCY_DEPARTMENT = "emergency_department"
    SPINAL_SURGERY = "spinal_surgery"
    DISCHARGED = "discharged"


class Waits(enum.Enum):
    """What a state waits for before it decides again (``decides`` states never wait)."""

    DECIDES = "decides"  # decides at once, in the same visit
    VISIT = "visit"  # rests until the next visit
    RESULT = "result"  # rests until a result (imaging, injection response, opinion) is recorded
    RETURN = "return"  # rests until the patient comes back (discharged with return criteria)
