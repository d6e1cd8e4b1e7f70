"""What a simulated patient's run gives: the patients table's row, the visits table's rows, and
the run as a whole. Both engines produce these (the compiled one as columns of the same names)."""

from __future__ import annotations

import attrs

from pathway.errors import PathwayError


class SimulationError(PathwayError):
    """The pathway and the natural history do not fit together (e.g. a finding the model records
    that the pathway does not know): every problem, named."""


@attrs.define
class Outcome:
    """One patient's row in the patients table: who they were and what happened."""

    patient_id: str
    age: int
    recovery: str  # fast | slow natural course
    mimic: str
    red_flags: str  # categories, `;`-separated, by onset (the tables' `red_flags` list)
    red_flag_onset_week: int | None = None
    red_flag_seen_week: int | None = None  # first visit with a red flag's findings showing
    red_flag_missed_week: int | None = None  # first visit with a red flag whose findings did not show (atypical)
    urgent_care_week: int | None = None  # first week in an urgent or emergency state
    escalation_delay_weeks: int | None = None  # red-flag onset to urgent care
    red_flag_never_escalated: bool = False  # seen at a visit, yet never reached urgent care
    red_flag_not_seen: bool = False  # never seen at a visit (none, or its findings did not show), never escalated
    red_flag_worsened: bool = False
    urgent_work_ups: int = 0  # urgent or emergency work-ups ordered (states awaiting `urgent_result`)
    work_ups_confirmed: int = 0  # work-up results that confirmed the suspected condition
    work_ups_excluded: int = 0  # ... and that excluded it
    mri_contraindicated: bool = False
    imaging_orders: int = 0  # orders placed; an amended order replaces the one it amends
    xray: int = 0  # studies ordered, by kind
    mri: int = 0
    mri_with_contrast: int = 0
    ct: int = 0
    ct_with_contrast: int = 0
    ct_myelography: int = 0
    imaging_without_indication: int = 0  # orders without an indication the model knows
    emergency_mri_late: int = 0  # emergency orders holding an MRI that missed the 4-hour target
    first_mri_week: int | None = None
    mri_incidental: bool = False  # the MRI report lists a finding common in people without pain
    epidurals: int = 0  # injections given
    surgical_referral: bool = False
    surgery_week: int | None = None
    rerouted: bool = False
    discharged_week: int | None = None
    returns: int = 0  # visits to a patient resting in a state that waits for their return (discharged)
    final_state: str = ""
    weeks_in_pathway: int = 0  # weeks in care: not handed over, not discharged
    episodes: int = 1
    visits: int = 0
    fell_through_week: int | None = None  # the pathway had no transition for this patient
    first_improved_week: int | None = None
    improved: tuple[bool, ...] = ()  # improved at each week 0..weeks


# Imaging kinds counted per patient (an Outcome field each), in `pathway.studies.Imaging` order.
KINDS = ("xray", "mri", "mri_with_contrast", "ct", "ct_with_contrast", "ct_myelography")


@attrs.frozen
class VisitRow:
    patient_id: str
    episode: int
    week: int
    reason: str  # first | review | result | red_flag | new_episode | return
    start: str
    path: str  # states entered, `>`-separated
    transitions: str  # transition ids, space-separated
    state: str
    urgency: str
    imaging: str  # the order made or amended at this visit (`Order.id`; `none`)


@attrs.frozen
class PatientRun:
    outcome: Outcome
    visits: tuple[VisitRow, ...]
    states: tuple[str, ...]  # resting state at the end of each week 0..weeks
    transitions: frozenset[str]  # transition ids this patient took at least once
