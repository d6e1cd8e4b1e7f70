"""`sciatica export`, registered through the `sciatica.commands` entry point."""

from __future__ import annotations

from pathlib import Path

import click

from pathway.cli import PATHWAY_ARG, load_or_exit
from pathway.files import check_folder, fail, write_or_exit

from . import FORMATS
from . import export as render
from .fhir_meta import BASE_VARIABLE, DEFAULT_BASE, DEFAULT_PUBLISHER, PUBLISHER_VARIABLE

FORMAT_BY_SUFFIX = {".mmd": "mermaid", ".mermaid": "mermaid", ".json": "fhir", ".bpmn": "bpmn"}


@click.command()
@PATHWAY_ARG
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="mermaid (flowchart), fhir (R4 PlanDefinition, CPG pathway profile, JSON), questionnaire "
                   "(the R4 SDC Questionnaire a visit is recorded with, JSON) or bpmn (BPMN 2.0 XML with its "
                   "diagram); without it, the suffix of --out decides (.mmd .json .bpmn).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="File to write (atomically). Default: standard output.")
@click.option("--url", "base", metavar="BASE",
              help=f"Canonical base of the FHIR resources' URLs (default: ${BASE_VARIABLE}, else {DEFAULT_BASE}).")
@click.option("--publisher", metavar="NAME",
              help=f"Who publishes the FHIR resources (default: ${PUBLISHER_VARIABLE}, else {DEFAULT_PUBLISHER}).")
def export(pathway: Path | None, fmt: str | None, out: Path | None, base: str | None, publisher: str | None) -> None:
    """Export a pathway (default: the shipped one) for other tools: Mermaid for Markdown
    viewers, a FHIR PlanDefinition for clinical decision support and the Questionnaire a visit is
    recorded with (`sciatica assess` reads its responses), BPMN for workflow engines and modellers.
    Generated from the validated spec; the same pathway gives the same bytes."""
    fmt = fmt or (FORMAT_BY_SUFFIX.get(out.suffix.lower()) if out else None)
    if fmt is None:
        fail(f"say which format: --format {' | '.join(FORMATS)}"
              + (f" (cannot tell from the suffix of {out})" if out else ""))
    spec = load_or_exit(pathway)
    if out is not None:
        check_folder(out)  # before the work, and no file is left behind
    try:
        text = render(spec, fmt, base, publisher)
    except ValueError as err:  # ids the target format cannot hold, a base that is not a URL, a blank publisher
        fail(str(err))
    if out is None:
        click.echo(text, nl=False)
        return
    write_or_exit(out, text.encode("utf-8"))
    click.echo(f"wrote {out}")

