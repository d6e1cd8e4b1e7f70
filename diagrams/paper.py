"""Pages on paper: each page of the diagram laid out by Graphviz at its natural size, then
placed, shrunk where it must be, on an A4 sheet (or A3 where A4 would make the smallest text
smaller than 8 points), portrait or landscape, whichever shrinks it least; one PDF.

pypdf assembles the sheets. Graphviz's own PDF carries a creation date; the assembled file does
not, so the same pathway gives the same bytes.
"""

from __future__ import annotations

import io

import attrs
from pypdf import PageObject, PdfReader, PdfWriter, Transformation

from .dot import to_dot
from .labels import SMALL_POINTS
from .pages import Page
from .render import render

MM = 72 / 25.4
PAPERS = (("A4", 210 * MM, 297 * MM), ("A3", 297 * MM, 420 * MM))
LEGIBLE = 8.0  # points: the smallest text printed
MARGIN = 5 * MM


@attrs.frozen
class Sheet:
    paper: str  # "A4 landscape"
    width: float  # points
    height: float
    scale: float  # the drawing's size on the sheet, 1 at most

    @property
    def smallest_text(self) -> float:
        return SMALL_POINTS * self.scale


def sheet_for(width: float, height: float) -> Sheet:
    """The smallest paper that holds a drawing of this size (points) with its text legible."""
    best = None
    for name, short, long in PAPERS:
        for orientation, w, h in (("portrait", short, long), ("landscape", long, short)):
            scale = min(1.0, (w - 2 * MARGIN) / width, (h - 2 * MARGIN) / height)
            sheet = Sheet(f"{name} {orientation}", w, h, scale)
            if best is None or sheet.scale > best.scale:
                best = sheet
        if best.smallest_text >= LEGIBLE:
            return best
    return best


def pages_pdf(pages: tuple[Page, ...], title: str) -> bytes:
    """Every page on its sheet, in order, as one PDF."""
    writer = PdfWriter()
    for page in pages:
        drawn = PdfReader(io.BytesIO(render(to_dot(page.model), "pdf"))).pages[0]
        width, height = float(drawn.mediabox.width), float(drawn.mediabox.height)
        sheet = sheet_for(width, height)
        blank = PageObject.create_blank_page(width=sheet.width, height=sheet.height)
        left = (sheet.width - width * sheet.scale) / 2
        top = (sheet.height - height * sheet.scale) / 2
        blank.merge_transformed_page(drawn, Transformation().scale(sheet.scale).translate(left, top))
        writer.add_page(blank)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
