"""Words shared by the exports, so the FHIR PlanDefinition, the BPMN process and the Questionnaire
say the same thing: guards in words, the order tag, what a state orders and who an exit hands over to.
"""

from __future__ import annotations

from diagrams.words import handover_words, imaging_words, rules_text, starting_studies, timescale
from pathway.guards import describe
from pathway.spec import PathwaySpec, Reference, State, Transition


def guard_words(spec: PathwaySpec, t: Transition) -> str:
    """The guard in words, named conditions by their full labels (as `sciatica assess` words them)."""
    return describe(t.expr, spec.finding, {c.name: c.label for c in spec.conditions})


def guard_text(t: Transition) -> str:
    """The guard as written, on one line (a folded YAML guard may carry line breaks)."""
    return " ".join(t.text.split())


def tag(t: Transition) -> str:
    """The order as the diagrams print it: R1, R2, ... for red flags, then 1, 2, ..."""
    return f"R{t.priority}" if t.escalation else str(t.priority)


def state_words(spec: PathwaySpec, state: State) -> list[str]:
    """How soon (urgent and emergency work-up) and what imaging the state orders, as sentences."""
    words = [sentence(f"Work-up {timescale(state)}")] if timescale(state) else []
    if state.purpose in spec.purpose:
        purpose = spec.purpose[state.purpose]
        words.append(sentence(f"Orders imaging: {imaging_words(spec, state)} (starts from "
                              f"{starting_studies(purpose)}; the imaging rules fit it to the findings)"))
    return words


def exit_words(spec: PathwaySpec, state: State) -> str:
    """An exit in words: who it hands over to, and what a later visit does."""
    return (f"Ends this pathway: {handover_words(state)}; a later visit starts a new episode at "
            f"{spec.state[spec.initial].label}")


def imaging_rules_words(spec: PathwaySpec) -> str:
    """The imaging rules in words, numbered in the order they are applied, with their sources."""
    rules = rules_text(spec, {c.name: c.label for c in spec.conditions})
    return "Imaging rules, applied wherever imaging is ordered, in this order, each to the order as the rules " \
           "before it left it: " + " ".join(
               f"{r.number}. {r.label}: when {r.when}, {r.then} [{', '.join(r.citations)}]." for r in rules)


def sentence(text: str) -> str:
    return f"{text[0].upper()}{text[1:]}."


def citation(ref: Reference) -> dict:
    """A FHIR RelatedArtifact citing a reference."""
    return {"type": "citation", "label": ref.id, "display": f"{ref.source} [{ref.status}]: {ref.detail}"}
