"""What both engines book from the same rules: the fixed waits, the results the natural history
produces (by the finding a state `awaits`), and the checks that a pathway asks for nothing else.

A state that waits for a result orders it when it is entered: the awaited finding is cleared
(the result is this order's) and the result is due after its wait:

    mri_result          the routine MRI or CT wait (log-normal, DM01)
    xray_result         the X-ray wait
    epidural_response   the injection after its wait, the response reviewed after that
    specialist_opinion  the wait for the spinal surgeon (log-normal)
    urgent_result       the next week for an emergency, else the urgent imaging wait

While the patient waits, a visit is booked at the result or at the state's `review_within_weeks`,
whichever comes first. Leaving the state (or entering it again) cancels a result still due.
"""

from __future__ import annotations

import math

import attrs

from pathway.spec import PathwaySpec, Waits

from .outcome import SimulationError

# The results the natural history produces, by the finding that holds them, and their words.
PRODUCED = {
    "mri_result": ("concordant", "discordant", "normal"),
    "xray_result": ("abnormal", "normal"),
    "epidural_response": ("lasting_relief", "temporary_relief", "no_relief"),
    "specialist_opinion": ("surgery", "no_surgery"),
    "urgent_result": ("confirmed", "excluded"),
}
PRODUCED_WORDS = ("mri_result (scan reports), xray_result (X-ray reports), epidural_response (after an "
                  "injection), specialist_opinion (surgery or no_surgery) and urgent_result (confirmed or excluded)")


@attrs.frozen
class FixedWaits:
    """The waits the simulator books that are the same for everyone, in whole weeks."""

    xray: int
    urgent_mri: int  # from an urgent (not emergency) order to its scan
    urgent_result: int  # from an urgent work-up's order to its result (at least a week: a visit a week)
    epidural: int  # from booking to the injection
    epidural_review: int  # from the injection to reviewing its response
    surgery_delay: int  # from the handover to the spinal surgeons to the operation

    @classmethod
    def of(cls, params) -> FixedWaits:
        v = params.value
        urgent_mri = _weeks(v("waits.urgent_mri_weeks"), at_least=0)
        return cls(
            xray=_weeks(v("waits.xray_weeks")), urgent_mri=urgent_mri, urgent_result=max(1, urgent_mri),
            epidural=_weeks(v("waits.epidural_weeks")), epidural_review=_weeks(v("waits.epidural_review_weeks")),
            surgery_delay=_weeks(v("treatment.surgery_delay_weeks")),
        )


def _weeks(value: float, at_least: int = 1) -> int:
    return max(at_least, math.ceil(value))


def red_flag_questions(spec: PathwaySpec) -> tuple[str, ...]:
    """The red-flag questions asked at every visit (answered no unless a red flag shows)."""
    return tuple(f.name for f in spec.findings if f.red_flag and not f.is_input)


def check_results_known(spec: PathwaySpec) -> None:
    """Every state that waits for a result must wait for one the natural history produces."""
    unknown = [
        f"{s.line}: state `{s.id}` waits for `{s.awaits}`, a result the simulator cannot produce; "
        f"it produces {PRODUCED_WORDS}"
        for s in spec.states if s.waits is Waits.RESULT and s.awaits not in PRODUCED
    ]
    if unknown:
        raise SimulationError(unknown)


def look_again(review_within_weeks: int | None) -> float:
    """The longest a patient waiting for a result goes without a visit (0 counts as unset)."""
    return review_within_weeks or math.inf
