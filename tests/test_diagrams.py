"""Review diagrams and decision tables: structure, not pixels.

What a clinician signs must be exactly what runs: every state and transition of the spec appears
once (the red-flag escalations once per declaration), in the phase it belongs to, styled by its
urgency; and the same pathway gives the same bytes.
"""

import builtins
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import attrs
import pygraphviz
import pytest
from click.testing import CliRunner

import diagrams
import diagrams.render
import pathway.files
from diagrams import Emphasis, RendererMissing, build_model, diagram, to_dot, to_mermaid, write_atomic
from diagrams.model import CARE_ORDER, SCREEN
from diagrams.render import render
from diagrams.tables import build_tables, to_html
from pathway import Urgency, load_pathway, shipped_pathway
from pathway.cli import main

REPO = Path(__file__).resolve().parent.parent
XLINK = "{http://www.w3.org/1999/xlink}title"


@pytest.fixture(scope="module")
def dot(model):
    return to_dot(model)


@pytest.fixture(scope="module")
def graph(dot):
    """The DOT as Graphviz itself reads it."""
    return pygraphviz.AGraph(string=dot)


@pytest.fixture(scope="module")
def svg(dot):
    return render(dot, "svg")


def declarations(spec):
    return sorted({t.id.partition("@")[0] for t in spec.transitions if t.escalation})


# -- the model ------------------------------------------------------------------------------------


def test_every_state_is_one_node_and_the_screen_one_more(spec, model):
    ids = Counter(n.id for n in model.nodes)
    assert ids == Counter([s.id for s in spec.states] + [SCREEN])


def test_every_transition_is_drawn_once_and_each_escalation_declaration_once(spec, model):
    drawn = Counter(t for e in model.edges for t in e.transitions)
    assert drawn == Counter(t.id for t in spec.transitions)  # nothing lost, nothing twice
    own = [e for e in model.edges if not e.escalation]
    assert sorted(e.id for e in own) == sorted(t.id for t in spec.transitions if not t.escalation)
    assert sorted(e.id for e in model.edges if e.escalation) == declarations(spec)
    assert len(declarations(spec)) == 7 and len(model.edges) == len(own) + 7


def test_edges_match_the_engine_machine(spec, model, engine):
    """(source, dest) pairs the Machine tries, per state and in order, are the model's edges expanded."""
    by_id = {t.id: t for t in spec.transitions}
    drawn = Counter((by_id[t].source, by_id[t].dest) for e in model.edges for t in e.transitions)
    machine = Counter(
        (t.source, t.dest or t.source)  # dest None: an internal stay
        for ts in engine.machine.events["advance"].transitions.values() for t in ts
    )
    assert drawn == machine


def test_escalations_leave_the_screen_and_every_guarded_state_is_flagged(spec, model):
    guarded = {t.source for t in spec.transitions if t.escalation}
    assert {n.id for n in model.nodes if n.red_flags} == guarded
    for edge in (e for e in model.edges if e.escalation):
        assert edge.source == SCREEN and edge.tag == f"R{edge.priority}"
        assert all(spec.state[s].label in edge.tooltip for s in guarded)  # the tooltip says where from
    assert [e.priority for e in model.edges if e.escalation] == list(range(1, 8))


def test_clusters_follow_the_phases_in_care_order(spec, model):
    assert [c.phase for c in model.clusters] == [p for p in CARE_ORDER if any(s.phase is p for s in spec.states)]
    for cluster in model.clusters:
        assert {n for n in cluster.nodes if n != SCREEN} == {s.id for s in spec.states if s.phase is cluster.phase}


def test_priority_shown_where_several_transitions_leave_a_state(spec, model):
    for edge in (e for e in model.edges if not e.escalation):
        several = sum(not t.escalation for t in spec.outgoing(edge.source)) > 1
        assert edge.show_priority == several, edge.id


def test_title_and_tooltips_resolve_citations(spec, model):
    assert model.title == f"{spec.name} {spec.version} - content {spec.content_hash[:12]}"
    state = spec.state["mri_scan"]
    tooltip = model.node("mri_scan").tooltip
    assert state.description in tooltip
    assert all(spec.reference[r].source in tooltip for r in state.citations)


# -- the DOT --------------------------------------------------------------------------------------


def test_dot_has_every_node_and_edge_once_in_its_cluster(spec, model, graph):
    ids = Counter(e.attr["id"] for e in graph.edges() if e.attr.get("style") != "invis")
    assert ids == Counter(f"edge-{e.id.replace('@', '.')}" for e in model.edges)
    clusters = {sub.name: {str(n) for n in sub.nodes()} for sub in graph.subgraphs() if sub.name.startswith("cluster")}
    for state in spec.states:
        homes = [name for name, members in clusters.items() if state.id in members]
        assert homes == [next(n for n in clusters if n.endswith("_" + state.phase.value))], state.id


def test_dot_edges_join_the_right_states(model, graph):
    by_id = {f"edge-{e.id.replace('@', '.')}": e for e in model.edges}
    for e in graph.edges():
        u, v, attr = str(e[0]), str(e[1]), e.attr
        if attr.get("style") == "invis":
            continue
        edge = by_id[attr["id"]]
        # A step back in care order is laid out forwards and drawn with its arrow reversed.
        assert (u, v) == ((edge.dest, edge.source) if attr.get("dir") == "back" else (edge.source, edge.dest))


def test_urgent_styling_follows_urgency(spec, graph):
    for state in spec.states:
        attr = graph.get_node(state.id).attr
        urgent = state.urgency in (Urgency.URGENT, Urgency.EMERGENCY)
        assert (attr["shape"] == "octagon") == urgent, state.id
        if state.urgency is Urgency.EMERGENCY:
            assert attr["fillcolor"] == "#8b0000" and "EMERGENCY" in attr["label"]
        if state.urgency is Urgency.URGENT:
            assert attr["fillcolor"] == "#f57c00" and "URGENT" in attr["label"]
        assert (attr.get("peripheries") == "2") == state.terminal, state.id


def test_dot_is_byte_identical_across_builds(dot):
    again = to_dot(build_model(load_pathway(shipped_pathway())))
    assert again == dot


def test_an_overlay_is_a_pure_function_of_the_model(model, dot):
    """How a trace or diff overlay will work: change `emphasis`, and only that element's drawing changes."""
    node = model.node("reassessment")
    marked = attrs.evolve(model, nodes=tuple(attrs.evolve(n, emphasis=Emphasis.HIGHLIGHTED) if n is node else n
                                             for n in model.nodes))
    changed = set(to_dot(marked).splitlines()) ^ set(dot.splitlines())
    assert changed and all(line.lstrip().startswith("reassessment [") for line in changed)


# -- rendering ------------------------------------------------------------------------------------


def test_svg_carries_ids_and_tooltips_and_is_deterministic(spec, dot, svg):
    assert render(dot, "svg") == svg
    tree = ET.fromstring(svg)
    groups = {g.get("id"): g for g in tree.iter("{http://www.w3.org/2000/svg}g")}
    for state in spec.states:
        group = groups[f"state-{state.id}"]
        titles = [a.get(XLINK) for a in group.iter() if a.get(XLINK)]
        assert any(state.description in t for t in titles), state.id
    for decl in declarations(spec):
        assert f"edge-{decl}" in groups


def test_png_and_pdf_are_valid_files(tmp_path):
    picture = diagram()
    assert picture.save(tmp_path / "p.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert picture.save(tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.pdf", "p.png"]  # no temporary files left


def test_a_missing_renderer_says_how_to_install_it(monkeypatch, dot):
    real_import = builtins.__import__

    def no_pygraphviz(name, *args, **kwargs):
        if name == "pygraphviz":
            raise ImportError("No module named 'pygraphviz'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pygraphviz)
    with pytest.raises(RendererMissing, match=r"pip install pygraphviz"):
        render(dot, "svg")
    result = CliRunner().invoke(main, ["diagram", "--out", "x.svg"])
    assert result.exit_code == 1 and "pip install pygraphviz" in result.output
    assert CliRunner().invoke(main, ["diagram", "--format", "dot"]).exit_code == 0  # text needs no renderer


def test_an_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "pathway.svg"
    target.write_bytes(b"old")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(pathway.files.os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["pathway.svg"]


# -- Mermaid and tables ---------------------------------------------------------------------------


def test_mermaid_has_every_state_and_edge(spec, model):
    text = to_mermaid(model)
    assert text == to_mermaid(build_model(spec))
    for state in spec.states:
        assert len(re.findall(rf'^    state ".*" as {state.id}$', text, re.M)) == 1
    arrows = [line for line in text.splitlines() if " --> " in line and "[*]" not in line]
    assert len(arrows) == len(model.edges)
    labels = [re.sub(r"#\w+;", "", line.split(" : ", 1)[1]) for line in arrows]
    assert not [label for label in labels if set(label) & set(':;#"<>%')]  # all escaped


def test_tables_list_every_deciding_state_in_priority_order(spec):
    tables = {t.title: t for t in build_tables(spec)}
    screen = tables["Red-flag screen - checked first at every visit"]
    assert [r[0] for r in screen.rows] == [f"R{i}" for i in range(1, 8)]
    for state in spec.states:
        own = [t for t in spec.outgoing(state.id) if not t.escalation]
        title = f"{state.label} ({state.id})"
        if not own:
            assert title not in tables
            continue
        rows = tables[title].rows
        escalates = any(t.escalation for t in spec.outgoing(state.id))
        assert [r[0] for r in rows] == ["R1-R7"] * escalates + [str(t.priority) for t in own]
        assert [int(r[0]) for r in rows[escalates:]] == sorted(int(r[0]) for r in rows[escalates:])


def test_html_tables_are_self_contained_and_escaped(spec):
    evil = attrs.evolve(spec, states=tuple(attrs.evolve(s, description="<script>x</script> & co")
                                           if s.id == "reassessment" else s for s in spec.states))
    page = to_html(evil)
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt; &amp; co" in page
    assert "http" not in page.split("<body>")[0]  # no external style sheets or scripts


# -- command line and Python API ------------------------------------------------------------------


def test_cli_diagram_writes_svg_by_default_and_prints_text_formats(tmp_path, monkeypatch, dot):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["diagram", "--format", "dot"]).output == dot
    result = runner.invoke(main, ["diagram"])
    assert result.exit_code == 0 and (tmp_path / "pathway.svg").read_bytes().lstrip().startswith(b"<?xml")
    result = runner.invoke(main, ["diagram", "--out", "review.mmd"])  # the suffix picks the format
    assert result.exit_code == 0 and (tmp_path / "review.mmd").read_text().startswith("---\ntitle:")
    result = runner.invoke(main, ["tables", "--format", "html"])
    assert result.exit_code == 0 and result.output.startswith("<!DOCTYPE html>")


def test_cli_diagram_reports_an_invalid_pathway(tmp_path):
    result = CliRunner().invoke(main, ["diagram", str(tmp_path / "nowhere"), "--format", "dot"])
    assert result.exit_code == 1 and result.output == f"no such folder: {tmp_path / 'nowhere'}\n"


def test_python_api_displays_in_jupyter_and_saves_by_suffix(tmp_path):
    picture = diagram()
    assert "<svg" in picture._repr_svg_()
    assert picture.save(tmp_path / "p.dot").read_text() == picture.dot
    with pytest.raises(ValueError, match="suffixes"):
        picture.save(tmp_path / "p.txt")
    assert set(diagrams.__all__) <= set(dir(diagrams))


def test_pathway_never_imports_diagrams_and_names_resolve_here():
    code = "import sys, pathway, pathway.cli; print('diagrams' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    assert Path(diagrams.__file__).resolve().parent == REPO / "diagrams"
