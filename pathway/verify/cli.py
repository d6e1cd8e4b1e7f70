"""`sciatica check`: decide the safety properties exhaustively; optionally run the mutants."""

from __future__ import annotations

import json
import sys
from importlib.metadata import entry_points
from pathlib import Path

import click

from ..cli import PATHWAY_ARG, load_or_exit
from .check import Report, check_pathway
from .mutants import mutants
from .mutation import run_mutants
from .mutation_report import summary_text
from .report import report_text
from .stories import find_story


@click.command()
@PATHWAY_ARG
@click.option("--mutants", "with_mutants", is_flag=True,
              help="Also derive broken pathways (escalations removed, negated, weakened, demoted, retargeted; "
                   "a state's screen removed; imaging rules, work-up transitions and consent checks broken; "
                   "safety requirements weakened) and report which ones the checks kill.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="With --mutants: processes to run them in.")
@click.option("--hypothesis-examples", type=click.IntRange(min=0), default=100, show_default=True,
              help="With --mutants: courses the Hypothesis search tries per mutant (0: exhaustive check only).")
@click.option("--diagram", "diagram_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Draw the first counterexample's path on the pathway diagram (.svg .png .pdf .dot).")
@click.option("--stories", type=click.IntRange(min=0), default=3, show_default=True,
              help="Counterexample stories to tell per failing property (the rest are listed).")
@click.option("--overlaps", is_flag=True, help="List every overlapping guard pair with an example patient.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON instead of text.")
def check(pathway: Path | None, with_mutants: bool, workers: int, hypothesis_examples: int, diagram_file: Path | None,
          stories: int, overlaps: bool, as_json: bool) -> None:
    """Prove a pathway safe (default: the shipped one), or show the patient it fails.

    Every property is decided over every patient the pathway can tell apart: the findings have
    finite domains and integers matter only at the thresholds the guards mention, so nothing is
    sampled. Exits 1 if a property fails (or, with --mutants, if a safety-relevant mutant survives).
    """
    spec = load_or_exit(pathway)
    report = check_pathway(spec)
    click.echo(json.dumps(_json(report), indent=2) if as_json else report_text(report, stories, overlaps), nl=False)
    if diagram_file:
        _draw_counterexample(report, diagram_file)
    survivors = _run_mutants(spec, hypothesis_examples, workers) if with_mutants else 0
    sys.exit(0 if report.holds and not survivors else 1)


def _run_mutants(spec, hypothesis_examples: int, workers: int) -> int:
    derived = list(mutants(spec))
    results = []
    # A progress bar on a terminal (click draws nothing when stderr is not one).
    with click.progressbar(run_mutants(spec, derived, hypothesis_examples, workers), length=len(derived),
                           label=f"Running {len(derived)} mutants", file=sys.stderr) as bar:
        for result in bar:
            results.append(result)
    click.echo(f"\nMutants of {spec.name} {spec.version} (Hypothesis: {hypothesis_examples} courses per mutant)\n")
    click.echo(summary_text(results), nl=False)
    survivors = sum(r.safety_relevant_survivor for r in results)
    click.echo(f"\n{survivors} safety-relevant mutant(s) survive the exhaustive check.")
    return survivors


def _draw_counterexample(report: Report, out: Path) -> None:
    failure = next((f for v in report.verdicts for f in v.failures if f.region is not None), None)
    story = find_story(report.model, failure) if failure else None
    if story is None or story.trace is None:
        click.echo(f"no counterexample course to draw; {out} not written", err=True)
        return
    drawers = {ep.name: ep for ep in entry_points(group="sciatica.trace_drawers")}
    if "diagram" not in drawers:
        click.echo("drawing needs the diagrams package (pip install sciatica-pathway)", err=True)
        sys.exit(1)
    drawers["diagram"].load()(report.spec, story.trace, out)
    click.echo(f"wrote {out}: the counterexample's path on the pathway diagram")


def _json(report: Report) -> dict:
    return {
        "pathway": {"name": report.spec.name, "version": report.spec.version, "content_hash": report.spec.content_hash},
        "safety_requirements": {"content_hash": report.spec.safety.content_hash,
                                "baseline_hash": report.model.baseline.content_hash if report.model.baseline else None,
                                "changed": report.requirements_changed},
        "holds": report.holds,
        "cases": report.cases,
        "seconds": round(report.seconds, 3),
        "properties": [
            {"number": v.number, "name": v.name, "title": v.title, "holds": v.holds, "cases": v.cases,
             "seconds": round(v.seconds, 3), "failures": [f.message for f in v.failures], "notes": list(v.notes),
             "overlaps": [{"state": o.state, "first": o.first, "second": o.second, "cases": o.cases,
                           "status": o.status, "example": o.example} for o in v.overlaps]}
            for v in report.verdicts
        ],
        "certificate": report.certificate(),
    }
