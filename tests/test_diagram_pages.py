"""The diagram in pages (`sciatica diagram --pages`, and every PDF): each page small enough to read,
nothing lost between pages, and the PDF on A4 or A3 sheets with text at 8 points or more."""

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from diagrams import Emphasis, diagram
from diagrams.dot import to_dot
from diagrams.model import SCREEN
from diagrams.overlay import trace_overlay
from diagrams.pages import paginate
from diagrams.paper import LEGIBLE, PAPERS, sheet_for
from diagrams.render import render
from pathway import load_patient
from pathway.cli import main

REPO = Path(__file__).resolve().parent.parent

# The widest page, in points (a browser draws a point as 4/3 of a pixel: 1,520 points are 2,027
# pixels). What keeps every page on A3 with text at 8 points or more; see paper.py.
WIDEST = 1520


@pytest.fixture(scope="module")
def pages(model):
    return paginate(model)


@pytest.fixture(scope="module")
def sizes(pages):
    """Each page's natural size in points, as Graphviz lays it out."""
    found = []
    for page in pages:
        svg = render(to_dot(page.model), "svg").decode()
        found.append(tuple(map(float, re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())))
    return found


def test_every_state_is_drawn_on_exactly_one_page_and_the_screen_with_its_work_ups(spec, pages):
    drawn = Counter(n.id for p in pages for n in p.model.nodes if not n.page and n.id != SCREEN)
    assert drawn == Counter(s.id for s in spec.states)
    # the screen is drawn on each red-flag page, with the escalations to that page's work-ups
    screens = [p for p in pages if any(n.id == SCREEN for n in p.model.nodes)]
    escalations = [e for p in screens for e in p.model.edges if e.escalation]
    assert Counter(e.dest for e in escalations) == Counter({t.dest for t in spec.transitions if t.escalation})


def test_every_transition_is_drawn_with_its_guard_on_the_page_of_the_state_it_leaves(model, pages):
    page_of = {n.id: p.number for p in pages for n in p.model.nodes if not n.page and n.id != SCREEN}
    for edge in (e for e in model.edges if not e.escalation):
        page = next(p for p in pages if p.number == page_of[edge.source])
        assert edge in page.model.edges
        dest = next(n for n in page.model.nodes if n.id == edge.dest)
        # a destination on another page is a stand-in that names it
        assert dest.page == ("" if page_of[edge.dest] == page.number else f"page {page_of[edge.dest]}")


def test_pages_without_the_screen_list_every_escalation_and_its_page(spec, pages):
    escalations = len({t.base_id for t in spec.transitions if t.escalation})
    for page in pages[2:]:
        if not any(n.id == SCREEN for n in page.model.nodes):
            assert len(page.model.screen_rows) == escalations
            assert all(re.search(r"\(page \d+\)$", row) for row in page.model.screen_rows)


def test_every_page_fits_an_a3_sheet_with_legible_text(pages, sizes):
    for page, (width, height) in zip(pages, sizes):
        assert width <= WIDEST, page.title
        assert sheet_for(width, height).smallest_text >= LEGIBLE, page.title


def test_a_drawing_too_big_for_a4_goes_on_a3_and_a_huge_one_is_shrunk():
    assert sheet_for(500, 700).paper == "A4 portrait" and sheet_for(500, 700).scale == 1
    assert sheet_for(1400, 900).paper == "A3 landscape"
    huge = sheet_for(5670, 3488)  # the whole pathway on one sheet
    assert huge.paper.startswith("A3") and huge.smallest_text < LEGIBLE


def test_the_pdf_has_a_sheet_per_page_and_the_same_bytes_each_time(pages):
    picture = diagram()
    data = picture.pages_pdf()
    assert data == picture.pages_pdf()
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == len(pages)
    sheets = {(round(w), round(h)) for _, short, long in PAPERS for w, h in ((short, long), (long, short))}
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages} <= sheets
    assert "Reassessment" in reader.pages[3].extract_text()


def test_cli_writes_pages(tmp_path, monkeypatch, pages):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["diagram", "--pages", "--out", "review.svg"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"review-{n}.svg" for n in range(1, len(pages) + 1))
    assert runner.invoke(main, ["diagram", "--out", "review.pdf"]).exit_code == 0  # PDF: pages by default
    assert len(PdfReader(tmp_path / "review.pdf").pages) == len(pages)
    assert runner.invoke(main, ["diagram", "--one-page", "--out", "whole.pdf"]).exit_code == 0
    assert len(PdfReader(tmp_path / "whole.pdf").pages) == 1
    refused = runner.invoke(main, ["diagram", "--pages", "--format", "dot"])
    assert refused.exit_code != 0 and "--pages draws pictures" in refused.output


def test_a_patients_path_is_kept_on_the_pages(spec, engine, model):
    patient = REPO / "examples/patients/04-concordant-mri-epidural-then-surgery.json"
    traced = trace_overlay(model, engine.run(load_patient(patient, spec)))
    marked = {e.id for e in traced.edges if e.emphasis is Emphasis.HIGHLIGHTED}
    assert marked
    on_pages = {e.id for p in paginate(traced) for e in p.model.edges if e.emphasis is Emphasis.HIGHLIGHTED}
    assert marked <= on_pages
