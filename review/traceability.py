"""From each guideline recommendation to what enforces it: the safety requirements that cite it,
the transitions that cite it, the properties that prove them, and the vignettes that exercise
them; and which recommendations are only cited, never exercised by a vignette or a property."""

from __future__ import annotations

import attrs

from pathway.hazards import HazardLog
from pathway.spec import PathwaySpec

REQUIREMENT_PROPERTIES = ("1", "8", "10")  # what proves every red-flag safety requirement


@attrs.frozen
class Trace:
    reference: str
    requirements: tuple[str, ...]
    transitions: tuple[str, ...]
    properties: tuple[str, ...]
    vignettes: tuple[str, ...]

    @property
    def exercised(self) -> bool:
        return bool(self.properties or self.vignettes)


def traceability(spec: PathwaySpec, log: HazardLog, vignette_outcomes) -> tuple[Trace, ...]:
    """One row per reference the pathway or its requirements cite, in references.yaml order."""
    safety = spec.safety
    transitions = {t.base_id: t for t in spec.transitions}
    fired = {o.vignette.id: set(o.fired) for o in vignette_outcomes if o.passed}
    linked = _linked_properties(log)
    rows = []
    for ref in spec.references:
        requirements = tuple(c.name for c in (*safety.categories, *safety.every_order) if ref.id in c.citations)
        citing = tuple(sorted(name for name, t in transitions.items() if ref.id in t.citations))
        properties = set(REQUIREMENT_PROPERTIES if requirements else ())
        properties |= {p for name in citing for p in linked.get(name, ())}
        vignettes = tuple(sorted(v for v, names in fired.items() if names & set(citing))
                          + [o.vignette.id for o in vignette_outcomes if o.vignette.citation == ref.id and o.passed])
        if requirements or citing or _cited_elsewhere(spec, ref.id):
            rows.append(Trace(ref.id, requirements, citing, tuple(sorted(properties, key=int)),
                              tuple(dict.fromkeys(vignettes))))
    return tuple(rows)


def _linked_properties(log: HazardLog) -> dict[str, set[str]]:
    """The properties the hazard log says prove each transition's control."""
    found: dict[str, set[str]] = {}
    for hazard in log.hazards:
        for control in hazard.controls:
            for name in control.links["transitions"]:
                found.setdefault(name, set()).update(control.links["properties"])
    return found


def _cited_elsewhere(spec: PathwaySpec, ref: str) -> bool:
    owners = [*spec.states, *spec.conditions, *spec.purposes, *spec.imaging_rules]
    return any(ref in o.citations for o in owners)
