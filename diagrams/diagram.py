"""The Python face of a diagram: one object that gives DOT, Mermaid, rendered bytes, a saved file,
and an SVG picture in Jupyter."""

from __future__ import annotations

import warnings
from pathlib import Path

import attrs

from pathway import PathwaySpec, load_pathway, shipped_pathway

from .dot import to_dot
from .mermaid import to_mermaid
from .model import DiagramModel, build_model
from .pages import paginate
from .render import FORMATS, RendererMissing, render, write_atomic

# What `save` and `sciatica diagram --out` write for each file suffix.
FORMAT_BY_SUFFIX = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot",
                    ".mmd": "mermaid", ".mermaid": "mermaid"}
TEXT_FORMATS = ("dot", "mermaid")


@attrs.frozen
class Diagram:
    """A pathway's review diagram: `dot` and `mermaid` text, `render(fmt)` bytes, `save(path)`;
    `model` is the plain data every drawing is made from."""

    model: DiagramModel

    @property
    def dot(self) -> str:
        return to_dot(self.model)

    @property
    def mermaid(self) -> str:
        return to_mermaid(self.model)

    def render(self, fmt: str = "svg") -> bytes:
        """The diagram as `svg`, `png`, `pdf`, `dot` or `mermaid` bytes."""
        if fmt == "dot":
            return self.dot.encode()
        if fmt == "mermaid":
            return self.mermaid.encode()
        if fmt not in FORMATS:
            raise ValueError(f"unknown format `{fmt}`; choose one of {', '.join(FORMATS + TEXT_FORMATS)}")
        return render(self.dot, fmt)

    def pages(self) -> tuple[Diagram, ...]:
        """The key, then a page per group of phases, each within a laptop screen's width (pages.py)."""
        return tuple(Diagram(page.model) for page in paginate(self.model))

    def pages_pdf(self) -> bytes:
        """Every page on an A4 or A3 sheet, text at 8 points or more, as one PDF (paper.py)."""
        from .paper import pages_pdf

        return pages_pdf(paginate(self.model), self.model.title)

    def save(self, path: str | Path, fmt: str | None = None) -> Path:
        """Write the diagram atomically; the format comes from the suffix unless given."""
        path = Path(path)
        if fmt is None:
            if path.suffix.lower() not in FORMAT_BY_SUFFIX:
                raise ValueError(f"cannot tell the format from `{path.name}`; use one of the suffixes "
                                 f"{', '.join(FORMAT_BY_SUFFIX)} or pass fmt=")
            fmt = FORMAT_BY_SUFFIX[path.suffix.lower()]
        write_atomic(path, self.render(fmt))
        return path

    def _repr_svg_(self) -> str | None:
        """Jupyter shows the SVG; without a renderer it falls back to the text repr, with a warning."""
        try:
            return self.render("svg").decode()
        except RendererMissing as err:
            warnings.warn(str(err), stacklevel=2)
            return None

    def __repr__(self) -> str:
        return f"<Diagram {self.model.title}: {len(self.model.nodes)} nodes, {len(self.model.edges)} edges>"


def diagram(pathway: PathwaySpec | str | Path | None = None) -> Diagram:
    """The diagram of a spec, or of a pathway folder (default: the shipped pathway)."""
    spec = pathway if isinstance(pathway, PathwaySpec) else load_pathway(pathway or shipped_pathway())
    return Diagram(build_model(spec))
