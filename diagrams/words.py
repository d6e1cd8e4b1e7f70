"""Plain words about the pathway's states and imaging, generated from the spec: what a state waits
for, what imaging it orders, how soon, who it hands over to, and what each imaging rule does.

One wording for every reader (the diagram, the decision tables, the review packet, the exports),
so the same state is never described two ways.
"""

from __future__ import annotations

import attrs

from pathway.guards import describe
from pathway.safety import timescale_words
from pathway.spec import PathwaySpec, State, Waits
from pathway.studies import Effect, Imaging, ImagingRule, Order, Purpose, Region, Study

WAITS_WORDS = {
    Waits.DECIDES: "decides at once",
    Waits.VISIT: "waits for the next visit",
    Waits.RESULT: "waits for a result",
    Waits.RETURN: "waits for the patient's return",
}
NO_IMAGING = "no imaging"
REGION_NAMES = {Region.LUMBAR: "lumbar spine", Region.WHOLE_SPINE: "whole spine", Region.HIP_PELVIS: "pelvis and hip"}


def sources_text(spec: PathwaySpec, citations: tuple[str, ...]) -> list[str]:
    """Citations resolved to the source text, one line each."""
    return [f"- {ref.source} [{ref.status}]: {ref.detail}" for ref in (spec.reference[r] for r in citations)]


def waits_words(spec: PathwaySpec, state: State) -> str:
    """"waits for the MRI result (at most 4 weeks)", "decides at once", "handed over to ..."."""
    if state.terminal:
        return handover_words(state)
    words = WAITS_WORDS[state.waits]
    if state.waits is Waits.RESULT and state.awaits in spec.finding:
        words = f"waits for the {spec.finding[state.awaits].label}"
    if state.review_within_weeks:
        words += f" (at most {state.review_within_weeks} weeks)"
    return words


def handover_words(state: State) -> str:
    return f"handed over to {state.receiving_service}" if state.receiving_service else "ends this pathway"


def timescale(state: State) -> str:
    """An urgent or emergency state's timescale in words ("within 4 hours"); empty where it has none."""
    return timescale_words(state.within_hours) if state.within_hours is not None else ""


def imaging_words(spec: PathwaySpec, state: State) -> str:
    """The imaging purpose a state orders (its label), or "no imaging"."""
    return spec.purpose[state.purpose].label if state.purpose in spec.purpose else NO_IMAGING


def starting_studies(purpose: Purpose) -> str:
    """The studies a purpose starts from, before the rules: "MRI without contrast, whole spine"."""
    return Order.of(Study(kind, purpose.region) for kind in purpose.studies).words


def rule_when(spec: PathwaySpec, rule: ImagingRule, labels: dict[str, str]) -> str:
    """An imaging rule's guard in words (generated from the guard that runs)."""
    return describe(rule.expr, spec.finding, labels)


def rule_effect(rule: ImagingRule) -> str:
    """What an imaging rule does to the order, in words (generated from its effect)."""
    words = _effect(rule)
    return f"{words}, if the order has {_either(rule.only_with)}" if rule.only_with else words


def _effect(rule: ImagingRule) -> str:
    if rule.effect is Effect.ADD:
        return f"add {rule.value.words}"
    if rule.effect is Effect.BECOMES:
        keeps = " (with contrast where the MRI was)" if rule.value is Imaging.CT else ""
        return f"every MRI becomes {rule.value.words}{keeps}"
    if rule.effect is Effect.CONTRAST:
        return "every MRI and CT is done with contrast"
    return f"every MRI and CT covers the {REGION_NAMES[rule.value]}"


def _either(kinds: tuple[Imaging, ...]) -> str:
    return " or ".join(k.words for k in kinds)


@attrs.frozen
class PurposeText:
    """An imaging purpose as the reader sees it: what it starts from, and who orders it."""

    id: str
    label: str
    studies: str  # the studies before the rules, in words
    states: tuple[str, ...]  # the labels of the states that order it, in file order
    citations: tuple[str, ...]


@attrs.frozen
class RuleText:
    """An imaging rule in words: when it applies (generated from its guard) and what it does."""

    number: int  # the order rules are applied in, from 1
    id: str
    label: str  # as written in imaging.yaml
    when: str
    then: str
    citations: tuple[str, ...]


def purposes_text(spec: PathwaySpec) -> tuple[PurposeText, ...]:
    return tuple(
        PurposeText(p.id, p.label, starting_studies(p), tuple(s.label for s in spec.states if s.purpose == p.id),
                    p.citations)
        for p in spec.purposes
    )


def rules_text(spec: PathwaySpec, labels: dict[str, str]) -> tuple[RuleText, ...]:
    """The imaging rules in the order they are applied; ``labels`` names the conditions a guard reads."""
    return tuple(RuleText(n, r.id, r.label, rule_when(spec, r, labels), rule_effect(r), r.citations)
                 for n, r in enumerate(spec.imaging_rules, 1))
