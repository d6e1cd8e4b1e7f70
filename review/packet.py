"""Everything a reviewer signs off, gathered as plain data before any HTML is written: the
clickable diagram, the decision tables, the exhaustive check with its counterexample stories,
optionally a simulated cohort and the changes since an older version, and how to reproduce it.

Nothing here depends on the clock or on timing, so the same inputs give the same packet, and
the page made from it is byte-identical.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

import attrs

from diagrams.model import build_model
from diagrams.overlay import diff_overlay, flow_overlay, trace_overlay
from diagrams.tables import Table, decision_tables
from pathway.compare import PathwayDiff, diff_pathways
from pathway.spec import PathwaySpec
from pathway.verify import Report, check_pathway, find_story, story_text
from simulations.model.parameters import Parameters

from .diagrams import Picture, picture
from .safety import SafetySection, safety_section

STORIES_PER_PROPERTY = 3
LIBRARIES = ("attrs", "transitions", "dd", "numpy", "scipy", "matplotlib", "pygraphviz", "pyarrow",
             "ruamel.yaml", "jinja2")


@attrs.frozen
class SimulationRequest:
    patients: int
    seed: int
    weeks: int
    params: Parameters
    capacity: object = None  # simulations.capacity.file.Capacity: waits from queues (None: fixed waits)


@attrs.frozen
class Story:
    property: str
    text: str
    path: Picture | None  # the counterexample's path drawn on the pathway, when the engine ran it


@attrs.frozen
class Verification:
    report: Report
    stories: tuple[Story, ...]


@attrs.frozen
class Simulation:
    request: SimulationRequest
    sections: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...]  # section -> (label, value, unit)
    flow: Picture
    plots: dict[str, str]  # name -> PNG data URI
    calibration: tuple  # simulations.analyses.calibrate.Row, one per target


@attrs.frozen
class Changes:
    old: PathwaySpec
    diff: PathwayDiff
    picture: Picture
    impact: object = None  # review.impact_section.ImpactSection: who the change routes differently


@attrs.frozen
class SafetyCase:
    """The hazard log with each control's evidence read live, and the traceability matrix."""

    log: object  # pathway.hazards.HazardLog
    evidence: tuple  # review.evidence.HazardEvidence, one per hazard
    traces: tuple  # review.traceability.Trace, one per cited recommendation

    @property
    def holds(self) -> bool:
        return all(c.holds for h in self.evidence for c in h.controls)


@attrs.frozen
class Packet:
    spec: PathwaySpec
    pathway: Picture
    tables: tuple[Table, ...]  # the decision tables (the safety requirements have a section of their own)
    safety: SafetySection
    verification: Verification
    simulation: Simulation | None
    changes: Changes | None
    reproducibility: tuple[tuple[str, str], ...]
    safety_case: SafetyCase | None = None  # None: the pathway's folder has no hazard log

    @property
    def safe_to_sign(self) -> bool:
        """Every property holds and every control's evidence holds."""
        return self.verification.report.holds and (self.safety_case is None or self.safety_case.holds)


def build_packet(spec: PathwaySpec, simulation: SimulationRequest | None = None, against: PathwaySpec | None = None,
                 progress: Callable[[str], None] = lambda step: None) -> Packet:
    """Gather the packet. Raises whatever the simulation raises (SimulationError, WorkerLost)."""
    progress("drawing the pathway")
    pathway = picture("pathway", build_model(spec), (spec,))
    progress("checking every property exhaustively")
    verification = _verify(spec)
    changes = None
    if against is not None:
        progress(f"comparing with {against.name} {against.version}")
        from .impact_section import impact_section

        changes = Changes(against, diff_pathways(against, spec), picture("changes", diff_overlay(against, spec),
                                                                          (spec, against)), impact_section(against, spec))
    cohort = None
    if simulation is not None:
        progress(f"simulating {simulation.patients:,} patients over {simulation.weeks} weeks")
        cohort = _simulate(spec, simulation)
    safety = safety_section(spec, verification.report, changes.diff if changes else None, against)
    progress("reading the hazard log's evidence")
    return Packet(spec, pathway, decision_tables(spec), safety, verification, cohort, changes,
                  reproducibility(spec, simulation, against), _safety_case(spec, verification.report))


def _safety_case(spec: PathwaySpec, report: Report) -> SafetyCase | None:
    """The hazard log beside the pathway, its evidence read from this packet's check and the vignettes."""
    from pathlib import Path

    from pathway.hazards import load_hazards
    from pathway.vignettes import run_vignettes

    from .evidence import gather, live
    from .traceability import traceability

    if not (Path(spec.source) / "hazards.yaml").is_file():
        return None
    log = load_hazards(spec)
    outcomes = run_vignettes(spec)
    return SafetyCase(log, gather(spec, log, live(report, outcomes)), traceability(spec, log, outcomes))


def _verify(spec: PathwaySpec) -> Verification:
    report = check_pathway(spec)
    stories = []
    for verdict in report.verdicts:
        for number, failure in enumerate(verdict.failures[:STORIES_PER_PROPERTY], 1):
            story = find_story(report.model, failure)
            path = None
            if story is not None and story.trace is not None:
                path = picture(f"story-{verdict.number}-{number}", trace_overlay(build_model(spec), story.trace), (spec,))
            stories.append(Story(f"{verdict.number}. {verdict.title}", story_text(report.model, failure, story), path))
    return Verification(report, tuple(stories))


def _simulate(spec: PathwaySpec, request: SimulationRequest) -> Simulation:
    # Imported here: a report without --simulate never loads the simulator or scipy's survival code.
    from simulations.analyses.calibrate import calibration_table
    from simulations.running.cohort import CohortSettings, simulate
    from simulations.results.summary import shown, summarise

    from .figures import cohort_figures

    settings = CohortSettings(request.patients, seed=request.seed, weeks=request.weeks)
    capacity = request.capacity
    result = simulate(spec, request.params, settings, capacity=capacity, catchments=getattr(capacity, "catchments", 1))
    sections: dict[str, list[tuple[str, str, str]]] = {}
    if capacity is not None:  # the safety verdict under this capacity leads
        from simulations.capacity.report import packet_sections

        sections.update(packet_sections(result))
    for figure, value in summarise(result).values:
        sections.setdefault(figure.section, []).append((figure.label, shown(value, figure.unit), figure.unit))
    flow = picture("flow", flow_overlay(build_model(spec), result.patients_by_edge, result.patients_by_state,
                                        settings.patients), (spec,))
    calibration = calibration_table(request.params, patients=request.patients, seed=request.seed)
    return Simulation(request, tuple((k, tuple(v)) for k, v in sections.items()), flow, cohort_figures(result),
                      tuple(calibration))


def reproducibility(spec: PathwaySpec, simulation: SimulationRequest | None,
                    against: PathwaySpec | None) -> tuple[tuple[str, str], ...]:
    rows = [("Pathway", f"{spec.name} {spec.version}"), ("Pathway content hash (SHA-256)", spec.content_hash),
            ("Safety requirements content hash (SHA-256)", spec.safety.content_hash)]
    if against is not None:
        rows += [("Compared with", f"{against.name} {against.version}"),
                 ("Its content hash (SHA-256)", against.content_hash),
                 ("Its safety requirements content hash (SHA-256)",
                  against.safety.content_hash if against.safety else "none")]
    if simulation is not None:
        params = simulation.params
        rows += [("Parameters hash (SHA-256)", params.content_hash),
                 ("Simulated cohort", f"{simulation.patients:,} patients, {simulation.weeks} weeks, seed {simulation.seed}")]
        if simulation.capacity is not None:
            rows += [("Capacity file hash (SHA-256)", simulation.capacity.content_hash),
                     ("Catchments", f"{simulation.capacity.catchments:,}")]
    rows += [("sciatica-pathway", _version("sciatica-pathway")), ("Python", platform.python_version())]
    rows += [(name, _version(name)) for name in LIBRARIES]
    return tuple(rows)


def _version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"
