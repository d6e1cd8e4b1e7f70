"""Review diagrams and decision tables: structure, not pixels.

What a clinician signs must be exactly what runs: every state and transition of the spec appears
once (the red-flag escalations once per declaration), in the phase it belongs to, styled by its
urgency; and the same pathway gives the same bytes.
"""

import builtins
import html
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
from edits import broken_copy, replace

import diagrams
import diagrams.render
import pathway.files
from diagrams import Emphasis, RendererMissing, build_model, diagram, to_dot, to_mermaid, write_atomic
from diagrams.model import CARE_ORDER, SCREEN, short_labels
from diagrams.render import render
from diagrams.tables import build_tables, to_html
from pathway import Urgency, load_pathway, shipped_pathway
from pathway.cli import main
from pathway.guards import describe

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
    assert len(declarations(spec)) == 9 and len(model.edges) == len(own) + 9


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
    assert not any(spec.state[s].terminal for s in guarded) and "discharged" in guarded  # exits hand over
    for edge in (e for e in model.edges if e.escalation):
        assert edge.source == SCREEN and edge.tag == f"R{edge.priority}"
        tried = [s for s in spec.states if f"{edge.id}@{s.id}" in edge.transitions]
        where = edge.tooltip.split("Tried first, at every visit, in ")[1]  # the tooltip says where from
        assert where == f"{len(tried)} states: " + ", ".join(s.label for s in tried) + "."
    assert [e.priority for e in model.edges if e.escalation] == list(range(1, 10))


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
    state = spec.state["lumbar_imaging"]
    tooltip = model.node("lumbar_imaging").tooltip
    assert state.description in tooltip
    assert all(spec.reference[r].source in tooltip for r in state.citations)


def words_of(label: str) -> str:
    """A DOT HTML-like label as the reader sees it: tags dropped, lines joined, entities read."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", label)).split())


def test_each_state_shows_its_imaging_purpose_timescale_and_handover(spec, model, graph):
    assert {s.within_hours for s in spec.states if s.urgency >= Urgency.URGENT and not s.terminal} >= {4, 24, 168}
    for state in spec.states:
        node, shown = model.node(state.id), words_of(graph.get_node(state.id).attr["label"])
        purpose = spec.purpose[state.purpose].label if state.purpose else "no imaging"
        assert node.imaging == purpose and purpose in shown, state.id
        if state.within_hours is not None:  # urgent and emergency work-up: how soon
            hours = {1: "within 1 hour", 4: "within 4 hours", 12: "within 12 hours", 24: "within 24 hours",
                     168: "within 7 days"}[state.within_hours]
            assert node.timescale == hours and f"{state.urgency.value.upper()} \u00b7 {hours}" in shown, state.id
        else:
            assert node.timescale == "" and "within" not in shown, state.id
        if state.terminal:  # an exit hands over to a named service, drawn with a double border
            assert state.receiving_service and f"handed over to {state.receiving_service}" in shown, state.id
            assert graph.get_node(state.id).attr["peripheries"] == "2"
        else:
            assert "handed over" not in shown, state.id
    assert "waits for the urgent work-up result" in words_of(graph.get_node("emergency_ces").attr["label"])
    assert "waits for the patient's return" in words_of(graph.get_node("discharged").attr["label"])


def test_the_screen_lists_every_escalation_and_where_it_is_tried(spec, model, graph):
    screen = model.node(SCREEN)
    shown = words_of(graph.get_node(SCREEN).attr["label"])
    screening = [s.id for s in spec.states if any(t.escalation for t in spec.outgoing(s.id))]
    escalations = [e for e in model.edges if e.escalation]
    assert [row[0].split(" ")[0] for row in screen.rows] == [f"R{i}" for i in range(1, 10)]
    for edge, (what, where) in zip(escalations, screen.rows):
        tried = [s for s in screening if f"{edge.id}@{s}" in edge.transitions]
        assert what == f"{edge.tag} {edge.guard} \u2192 {spec.state[edge.dest].label}"
        assert where.startswith(f"tried in every \u2691 state ({len(tried)})" if len(tried) == len(screening)
                                else f"tried in {len(tried)} of the {len(screening)} \u2691 states; not in ")
        assert what in shown and where in shown
        # the tooltip names the states it is tried in
        assert f"{edge.tag} ({edge.guard}) is tried in: " + ", ".join(spec.state[s].label for s in tried) in screen.tooltip
    # R2 skips only its own destination, which is named; R9 skips the urgent states and the X-ray under way, which are counted
    assert screen.rows[1][1].endswith("not in Emergency - suspected cauda equina syndrome")
    assert screen.rows[8][1].endswith("not in 10 states that already give as much")


def test_the_imaging_rules_box_gives_each_rule_in_words_with_its_sources(spec, graph):
    heading = words_of(graph.graph_attr["label"])
    assert "Imaging rules - applied wherever imaging is ordered, in this order" in heading
    labels = short_labels(spec)
    for number, rule in enumerate(spec.imaging_rules, 1):
        when = describe(rule.expr, spec.finding, labels)  # generated from the guard that runs
        assert f"{number}. {rule.label} when {when} then " in heading, rule.id
        assert "[" + ", ".join(rule.citations) + "]" in heading, rule.id
    assert "then every MRI becomes CT (with contrast where the MRI was)" in heading
    assert "then add MRI without contrast, if the order has CT" in heading
    assert "then every MRI and CT covers the whole spine" in heading
    assert "Imaging purposes - what a state orders, before the imaging rules" in heading
    for purpose in spec.purposes:
        assert f"{purpose.label}: starts from " in heading, purpose.id
    assert "whole-spine MRI for suspected spinal cord compression: starts from MRI without contrast, whole spine" in heading


def test_the_imaging_rules_box_follows_the_rule_that_runs(tmp_path):
    """Reviewers sign the words: change a rule's guard and the box says the new guard, not the label."""
    folder = broken_copy(tmp_path, replace("imaging.yaml", "when: cancer_history or spinal_cord_compression\n",
                                           "when: cancer_history and age > 40\n"))
    edited = pygraphviz.AGraph(string=to_dot(build_model(load_pathway(folder))))  # kept: its views die with it
    heading = words_of(edited.graph_attr["label"])
    assert "4. known or suspected cancer with spinal symptoms - the whole spine when history of cancer, age " \
           "over 40 then every MRI and CT covers the whole spine" in heading


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
    assert "\nflowchart TD\n" in text and "    useMaxWidth: false" in text  # drawn at its natural size
    for state in spec.states:
        assert len(re.findall(rf'^    {state.id}\["<b>.*"\]$', text, re.M)) == 1
    arrows = [line for line in text.splitlines() if " -->|" in line]
    assert len(arrows) == len(model.edges)
    labels = [re.sub(r"#\w+;", "", line.split('|"', 1)[1].rsplit('"|', 1)[0]) for line in arrows]
    assert not [label for label in labels if set(label) & set('#"<>%|')]  # all escaped
    comments = [line for line in text.splitlines() if line.startswith("    %% ") and (" " in line[7:])]
    for edge in model.edges:  # every guard in full words, in the comment above its arrow
        assert f"    %% {edge.tag}. {edge.guard}" in comments or f"    %% {edge.tag}. {edge.guard}: stays" in comments


def test_mermaid_states_show_timescale_imaging_and_handover(model):
    text = to_mermaid(model)
    box = lambda state: re.sub(r"<br/>|</?b>", " ", re.search(rf'^    {state}\["(.*)"\]$', text, re.M)[1])  # noqa: E731
    words = lambda state: " ".join(box(state).split())  # noqa: E731
    assert "EMERGENCY · within 4 hours" in words("emergency_ces")
    assert "emergency MRI of the lumbosacral spine" in words("emergency_ces")
    assert "handed over to the major trauma team" in words("handover_trauma_team")
    assert all(f"R{i} " in words(SCREEN) for i in range(1, 10))


def test_tables_list_every_deciding_state_in_priority_order(spec):
    tables = {t.title: t for t in build_tables(spec)}
    screen = tables["Red-flag screen - checked first at every visit"]
    assert [r[0] for r in screen.rows] == [f"R{i}" for i in range(1, 10)]
    for state in spec.states:
        own = [t for t in spec.outgoing(state.id) if not t.escalation]
        title = f"{state.label} ({state.id})"
        if not own:
            assert title not in tables
            continue
        rows = tables[title].rows
        escalates = any(t.escalation for t in spec.outgoing(state.id))
        assert [r[0] for r in rows] == ["R1-R9"] * escalates + [str(t.priority) for t in own]
        assert [int(r[0]) for r in rows[escalates:]] == sorted(int(r[0]) for r in rows[escalates:])


def test_tables_give_the_imaging_purposes_and_rules_in_words(spec):
    tables = {t.title: t for t in build_tables(spec)}
    purposes = tables["Imaging purposes"]
    assert purposes.columns == ("purpose", "starts from", "ordered in", "sources", "initials")
    assert [r[0] for r in purposes.rows] == [p.label for p in spec.purposes]
    by_label = {r[0]: r for r in purposes.rows}
    assert by_label["X-ray of the pelvis and hip"][1:3] == ("X-ray of pelvis and hip", "Re-route - hip or sacroiliac joint")
    assert by_label["urgent MRI without and with contrast for suspected spinal infection"][2] == (
        "Emergency - suspected spinal infection with a deficit, Urgent - suspected spinal infection")
    rules = tables["Imaging rules - applied wherever imaging is ordered"]
    assert rules.columns == ("#", "rule", "when", "then", "sources", "initials")
    labels = {c.name: c.label for c in spec.conditions}
    for row, rule in zip(rules.rows, spec.imaging_rules, strict=True):
        assert row[:3] == (str(spec.imaging_rules.index(rule) + 1), rule.label, describe(rule.expr, spec.finding, labels))
        assert row[4] == "; ".join(spec.reference[r].source for r in rule.citations) and row[5] == ""
    assert [r[3] for r in rules.rows] == [
        "add MRI without contrast, if the order has CT or X-ray", "every MRI becomes CT (with contrast where the MRI was)",
        "every MRI and CT is done with contrast", "every MRI and CT covers the whole spine"]


def test_tables_give_the_safety_requirements_over_the_raw_findings(spec):
    tables = {t.title: t for t in build_tables(spec)}
    safety = tables["Safety requirements - red-flag categories"]
    assert safety.columns == ("category", "who", "minimum urgency", "timescale", "imaging", "why", "sources", "initials")
    assert spec.safety.content_hash in safety.note
    for row, category in zip(safety.rows, spec.safety.categories, strict=True):
        assert row[:5] == (category.label, describe(category.expr, spec.finding, {}), category.min_urgency.value,
                           category.timescale_words, category.imaging_words)
        assert row[6] == "; ".join(spec.reference[r].source for r in category.citations)
    by_label = {r[0]: r for r in safety.rows}
    assert by_label["major trauma"][2:5] == ("emergency", "within 1 hour", "CT or CT with contrast")
    assert by_label["severe or progressive motor deficit in the leg"][1] == "weakness is severe or progressive or foot drop"
    orders = tables["Safety requirements - every imaging order"]
    assert [r[:3] for r in orders.rows] == [
        ("no MRI when MRI is contraindicated", "MRI contraindicated", "never MRI without contrast or MRI without and with contrast"),
        ("after previous lumbar surgery, a lumbar MRI is done without and with contrast (disc or scar)",
         "previous lumbar surgery", "never MRI without contrast")]


def test_tables_name_the_service_an_exit_hands_over_to(spec):
    rows = {r[0]: r for t in build_tables(spec) if t.title == "Spinal surgical referral (surgical_referral)" for r in t.rows}
    [planned] = [r for r in rows.values() if r[2].startswith("Handed over - spinal surgery")]
    assert planned[2].endswith(", handed over to the spinal surgical team, for decompression")
    ces = next(t for t in build_tables(spec) if t.title == "Red-flag screen - checked first at every visit").rows[1]
    assert ces[3] == "emergency, within 4 hours" and ces[4] == "emergency MRI of the lumbosacral spine for suspected cauda equina"


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
    assert runner.invoke(main, ["diagram", "--format", "dot"]).stdout == dot
    result = runner.invoke(main, ["diagram"])
    assert result.exit_code == 0 and (tmp_path / "pathway.svg").read_bytes().lstrip().startswith(b"<?xml")
    result = runner.invoke(main, ["diagram", "--out", "review.mmd"])  # the suffix picks the format
    assert result.exit_code == 0 and (tmp_path / "review.mmd").read_text().startswith("---\ntitle:")
    result = runner.invoke(main, ["tables", "--format", "html"])
    assert result.exit_code == 0 and result.stdout.startswith("<!DOCTYPE html>")


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


def test_rendering_passes_on_graphviz_messages_but_not_fontconfig_notices(capfd):
    """The bundled Fontconfig's notice about newer system configuration is dropped at its source
    (the C library's stderr); anything else Graphviz says still reaches the user."""
    import os

    from diagrams.render import _without_fontconfig_notices

    with _without_fontconfig_notices():
        os.write(2, b'Fontconfig warning: "/usr/share/x.conf", line 6: unknown element "reset-dirs"\n')
        os.write(2, b"Warning: node a, position 1 is not a point\n")
    assert capfd.readouterr().err == "Warning: node a, position 1 is not a point\n"


def test_a_rendering_command_prints_no_fontconfig_notice(tmp_path):
    import subprocess
    import sys

    run = subprocess.run([str(Path(sys.executable).with_name("sciatica")), "diagram", "--format", "png", "--out",
                          str(tmp_path / "p.png")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Fontconfig" not in run.stderr
