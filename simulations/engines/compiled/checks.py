"""Before any patient is simulated: the findings the natural history can record must be ones this
pathway accepts. The reference engine checks each visit as it is made (checked_findings); the
compiled engine checks every value of every finding the model can record, up front, as strictly,
so both engines refuse the same pathways."""

from __future__ import annotations

from pathway.errors import PatientError
from pathway.patients import checked_findings
from pathway.spec import PathwaySpec

from ...model.history import RED_FLAG_FINDINGS, RISK_FACTORS, NaturalHistory
from ..booking import PRODUCED
from ..outcome import SimulationError

RECORDED = ("pain_below_knee", "sensory_symptoms", "reflex_change", "neurogenic_claudication", "hip_or_si_signs",
            "mri_contraindicated", "prior_lumbar_surgery")  # yes/no findings the model records either way


def check_findings(spec: PathwaySpec, history: NaturalHistory, weeks: int, questions: tuple[str, ...]) -> None:
    """Every value the model records, each on a calm visit (the first value of every other
    finding: a combination the model can record, never a contradictory one)."""
    possible: dict[str, list] = {
        "pain_distribution": [*history.pain, "back_dominant"], "weakness": [*history.weakness, "none"],
        **{name: [False, True] for name in RECORDED},
        "bilateral_leg_symptoms": [False], "foot_drop": [False],  # only a red flag shows them
        **{q: [False] for q in questions},
        "trend": ["improving", "worse", "stuck"], "symptoms_resolved": [False, True],
        "conservative_care_weeks": [0, weeks], "disabling": [False, True], "intervention_considered": [False, True],
    }
    for flag in RED_FLAG_FINDINGS.values():
        for name, value in flag.items():
            possible.setdefault(name, []).append(value)
    for name, p in zip(RISK_FACTORS, history.risk_factor):
        if p > 0:  # recorded only for a patient who has it
            possible.setdefault(name, [False]).append(True)
    base = {name: values[0] for name, values in possible.items()}
    variants = [base] + [{**base, name: value} for name, values in possible.items() for value in values[1:]]
    variants += [{**base, name: value} for name, words in PRODUCED.items() for value in words]
    problems: list = []
    for answers in variants:
        try:
            checked_findings(answers, spec, "simulated patients")
        except PatientError as err:
            problems += [p for p in err.problems if p not in problems]
    if problems:
        raise SimulationError(problems)
