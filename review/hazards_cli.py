"""`sciatica hazards`: the hazard log and traceability matrix, with its evidence read live."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pathway.cli import PATHWAY_ARG, exit_with_problems, load_or_exit
from pathway.errors import PathwayError
from pathway.files import check_folder, write_or_exit
from pathway.hazards import load_hazards
from pathway.vignettes import run_vignettes
from pathway.verify import check_pathway

from .evidence import gather, live
from .hazard_log import LOG_COLUMNS, TRACE_COLUMNS, as_csv, as_markdown, log_rows, trace_rows
from .traceability import traceability

FORMATS = ("md", "html", "csv")


@click.command()
@PATHWAY_ARG
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True,
              help="Markdown, a self-contained HTML page, or CSV (the log, or with --table the traceability matrix).")
@click.option("--table", type=click.Choice(("log", "traceability")), default="log", show_default=True,
              help="With --format csv: which table.")
@click.option("--mutants", "with_mutants", is_flag=True, help="Also run the mutants the controls cite (slower).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write here (default: standard output).")
def hazards(pathway: Path | None, fmt: str, table: str, with_mutants: bool, out: Path | None) -> None:
    """The hazard log (hazards.yaml in the pathway's folder) with each control's evidence read live
    - the safety requirement it enforces, the transitions that implement it, the properties that
    prove it, the mutants that show the proof would catch its removal, the vignettes that exercise
    it - and the traceability matrix from each guideline recommendation to its evidence. Exits 1
    when a control's evidence no longer holds."""
    if out is not None:
        check_folder(out)
    spec = load_or_exit(pathway)
    try:
        log = load_hazards(spec)
    except PathwayError as err:
        exit_with_problems(err, "the hazard log")
    evidence, traces = gather_all(spec, log, with_mutants)
    text = render(spec, log, evidence, traces, fmt, table)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_or_exit(out, text.encode("utf-8"))
        click.echo(f"wrote {out}", err=True)
    broken = [c.control.id for h in evidence for c in h.controls if not c.holds]
    if broken:
        click.echo(f"evidence broken for control(s) {', '.join(broken)}: the hazard log shows them open", err=True)
        sys.exit(1)


def gather_all(spec, log, with_mutants: bool = False):
    outcomes = run_vignettes(spec)
    mutant_results = _mutants(spec, log) if with_mutants else None
    evidence = gather(spec, log, live(check_pathway(spec), outcomes, mutant_results))
    return evidence, traceability(spec, log, outcomes)


def _mutants(spec, log):
    from pathway.verify.mutants import mutants
    from pathway.verify.mutation import run_mutants

    methods = {m for h in log.hazards for c in h.controls for m in c.links["mutants"]}
    chosen = [m for m in mutants(spec) if m.method in methods]
    with click.progressbar(run_mutants(spec, chosen, workers=2), length=len(chosen), file=sys.stderr,
                           label=f"Running {len(chosen)} mutants") as bar:
        return list(bar)


def render(spec, log, evidence, traces, fmt: str, table: str = "log") -> str:
    if fmt == "csv":
        return (as_csv(LOG_COLUMNS, log_rows(log, evidence)) if table == "log"
                else as_csv(TRACE_COLUMNS, trace_rows(spec, traces)))
    if fmt == "html":
        from .page import render_hazards

        return render_hazards(spec, log, evidence, traces)
    return as_markdown(spec, log, evidence, traces)
