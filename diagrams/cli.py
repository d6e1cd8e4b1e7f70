"""`sciatica diagram` and `sciatica tables`, registered through the `sciatica.commands` entry point
(the core CLI never imports this package)."""

from __future__ import annotations

from pathlib import Path

import click

from pathway.cli import PATHWAY_ARG, assess_or_exit, load_or_exit
from pathway.files import check_folder, fail, write_or_exit

from .diagram import FORMAT_BY_SUFFIX, TEXT_FORMATS, Diagram
from .model import build_model
from .overlay import diff_overlay, trace_overlay
from .render import FORMATS, RendererMissing
from .tables import to_html, to_markdown


@click.command()
@PATHWAY_ARG
@click.option("--format", "fmt", type=click.Choice(FORMATS + TEXT_FORMATS),
              help="svg (default), png, pdf, dot or mermaid; without it, the suffix of --out decides "
                   "(.svg .png .pdf .dot .gv .mmd), else svg.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="File to write (atomically). Default: dot and mermaid text go to standard output; "
                   "svg, png and pdf go to pathway.<format> in the current folder.")
@click.option("--trace", "patient", type=click.Path(path_type=Path, dir_okay=False),
              help="Highlight the path `sciatica assess` takes for this patient (visits numbered); dim the rest.")
@click.option("--diff", "old", type=click.Path(path_type=Path),
              help="Mark what changed since pathway OLD: added (green), removed (grey, dashed), changed (cyan); "
                   "what did not change is greyed.")
@click.option("--pages/--one-page", default=None,
              help="Pages: the key, then one page per group of phases, each within a laptop screen's width "
                   "at 100% (PNG and SVG: one file each, OUT-1.svg, OUT-2.svg, ...; PDF: one file, A4 or A3 "
                   "sheets, text at 8 points or more). One page: the whole pathway in one drawing. "
                   "Default: pages for PDF, one page otherwise.")
def diagram(pathway: Path | None, fmt: str | None, out: Path | None, patient: Path | None, old: Path | None,
            pages: bool | None) -> None:
    """Draw a pathway (default: the shipped one) for clinical review.

    States are grouped by phase in care order; urgent and emergency states are octagons (orange,
    dark red); every edge carries its guard in words and its priority. Red-flag escalations are
    drawn once each, from a single red-flag screen, and every state it guards carries a red flag.
    SVG, PNG and PDF are laid out by pygraphviz (pip install pygraphviz); DOT and Mermaid need
    no renderer. A PDF comes in pages to print (--one-page for one large sheet); --pages splits
    SVG and PNG too, for reading on a laptop.
    """
    fmt = fmt or (FORMAT_BY_SUFFIX.get(out.suffix.lower(), "svg") if out else "svg")
    if patient and old:
        fail("use --trace or --diff, not both")
    if pages and fmt in TEXT_FORMATS:
        fail(f"--pages draws pictures (svg, png or pdf); {fmt} is text, always one page")
    spec = load_or_exit(pathway)
    model = build_model(spec)
    if patient:
        model = trace_overlay(model, assess_or_exit(spec, patient))
    if old:
        model = diff_overlay(load_or_exit(old), spec)
    picture = Diagram(model)
    if out is None and fmt in TEXT_FORMATS:
        click.echo(picture.render(fmt).decode(), nl=False)
        return
    out = out or Path(f"pathway.{fmt}")
    check_folder(out)
    if pages is None:
        pages = fmt == "pdf"
    if pages and fmt == "pdf":
        write_or_exit(out, _rendered(picture.pages_pdf))
    elif pages:
        for n, page in enumerate(picture.pages(), start=1):
            numbered = out.with_name(f"{out.stem}-{n}{out.suffix}")
            _write_picture(numbered, page, fmt)
            click.echo(f"wrote {numbered}")
        return
    else:
        _write_picture(out, picture, fmt)
    click.echo(f"wrote {out}")


@click.command()
@PATHWAY_ARG
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True,
              help="Markdown, or one self-contained HTML page to print and initial.")
def tables(pathway: Path | None, fmt: str) -> None:
    """Decision tables: for each state that decides, its transitions in the order they are tried
    (guard in words, destination, urgency, imaging, why, sources, a column for initials); the
    red flags once, R1, R2, ..., in a table of their own, with where each is tried; then the
    imaging purposes and rules, the named conditions, and the safety requirements (safety.yaml)."""
    spec = load_or_exit(pathway)
    click.echo(to_html(spec) if fmt == "html" else to_markdown(spec), nl=False)


def draw_trace(spec, trace, out: Path) -> None:
    """One patient's path on the pathway diagram, written atomically (used by `sciatica check --diagram`)."""
    check_folder(out)
    _write_picture(out, Diagram(trace_overlay(build_model(spec), trace)), FORMAT_BY_SUFFIX.get(out.suffix.lower(), "svg"))


def _write_picture(out: Path, picture: Diagram, fmt: str) -> None:
    write_or_exit(out, _rendered(lambda: picture.render(fmt)))


def _rendered(draw) -> bytes:
    try:
        return draw()
    except RendererMissing as err:
        fail(str(err))
