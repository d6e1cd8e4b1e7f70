"""The hazard log's evidence, read live: each control's links checked against this run of the
check, the vignettes and (when run) the mutants. A control whose evidence no longer holds - a
property fails, a mutant survives, a vignette breaks - is open, whatever the log says."""

from __future__ import annotations

from pathlib import Path

import attrs

from pathway.hazards import Control, Hazard, HazardLog
from pathway.spec import PathwaySpec

HOLDS, BROKEN, NOT_RUN, LISTED = "holds", "BROKEN", "not run", "listed"
REPO = Path(__file__).resolve().parent.parent


@attrs.frozen
class Item:
    kind: str  # one of pathway.hazards.LINKS
    name: str
    verdict: str  # HOLDS, BROKEN, NOT_RUN or LISTED (a test named, not run here)
    detail: str = ""


@attrs.frozen
class ControlEvidence:
    control: Control
    items: tuple[Item, ...]

    @property
    def holds(self) -> bool:
        return all(i.verdict != BROKEN for i in self.items)


@attrs.frozen
class HazardEvidence:
    hazard: Hazard
    controls: tuple[ControlEvidence, ...]

    @property
    def status(self) -> str:
        """The log's status, unless evidence broke: then the hazard is open again."""
        return self.hazard.status if all(c.holds for c in self.controls) else "open (evidence broken)"


@attrs.frozen
class Live:
    """What this run found: the check's verdicts, the vignettes' outcomes, the mutants' (if run)."""

    properties: dict  # number (str) -> (holds, failures)
    vignettes: dict  # id -> passed
    mutants: dict | None = None  # method -> survivors (ids); None: not run
    certificate: str = ""


def live(report, vignette_outcomes, mutant_results=None) -> Live:
    properties = {str(v.number): (v.holds, len(v.failures)) for v in report.verdicts}
    vignettes = {o.vignette.id: o.passed for o in vignette_outcomes}
    mutants = None
    if mutant_results is not None:
        mutants = {}
        for r in mutant_results:
            mutants.setdefault(r.mutant.method, [])
            if r.safety_relevant_survivor:
                mutants[r.mutant.method].append(r.mutant.id)
    return Live(properties, vignettes, mutants, report.certificate())


def gather(spec: PathwaySpec, log: HazardLog, found: Live) -> tuple[HazardEvidence, ...]:
    return tuple(HazardEvidence(h, tuple(ControlEvidence(c, _items(spec, c, found)) for c in h.controls))
                 for h in log.hazards)


def _items(spec: PathwaySpec, control: Control, found: Live) -> tuple[Item, ...]:
    items = [Item(kind, name, HOLDS, where) for kind, where in (
        ("requirements", f"safety.yaml sha256:{spec.safety.content_hash[:12]}"),
        ("transitions", f"pathway sha256:{spec.content_hash[:12]}"), ("imaging_rules", "imaging.yaml"))
        for name in control.links[kind]]
    for number in control.links["properties"]:
        holds, failures = found.properties[number]
        items.append(Item("properties", number, HOLDS if holds else BROKEN,
                          "proved" if holds else f"{failures} failure(s)"))
    for method in control.links["mutants"]:
        items.append(_mutants(method, found.mutants))
    for vignette in control.links["vignettes"]:
        passed = found.vignettes.get(vignette)
        items.append(Item("vignettes", vignette, HOLDS if passed else BROKEN, "routes as its guideline says"
                          if passed else "no longer routes as expected"))
    items += [_test(name) for name in control.links["tests"]]
    return tuple(items)


def _mutants(method: str, results: dict | None) -> Item:
    if results is None:
        return Item("mutants", method, NOT_RUN, "run with --mutants")
    survivors = results.get(method, [])
    return Item("mutants", method, BROKEN if survivors else HOLDS,
                f"survived: {', '.join(survivors)}" if survivors else "every mutant killed or proved equivalent")


def _test(name: str) -> Item:
    """A test named as evidence: it exists in this checkout (it runs with the test suite)."""
    file, _, function = name.partition("::")
    path = REPO / file
    if not path.is_file():
        return Item("tests", name, LISTED, "the tests are not installed here")
    exists = not function or f"def {function}(" in path.read_text(encoding="utf-8") or f"{function} =" in path.read_text(encoding="utf-8")
    return Item("tests", name, LISTED if exists else BROKEN, "runs with the test suite" if exists else "no such test")
