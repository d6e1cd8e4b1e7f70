"""The cohort flow overlay: every edge as wide as the number of simulated patients who took it."""

import re
import xml.etree.ElementTree as ET

import pygraphviz
import pytest

from diagrams import Diagram, to_dot, to_mermaid
from diagrams.dot import svg_id
from diagrams.model import SCREEN, Emphasis
from diagrams.overlay import flow_overlay

PATIENTS = 1000
BY_EDGE = {
    "first_assessment": 1000,
    "start_conservative_care": 800,
    "scheduled_review": 500,
    "escalate_cauda_equina": 30,  # an escalation, by its declaration id
    "escalate_major_trauma": 10,
}
BY_STATE = {"onset": 1000, "initial_assessment": 1000, "conservative_care": 800, "reassessment": 500,
            "emergency_ces": 30, "emergency_trauma": 10}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def flow(model):
    return flow_overlay(model, BY_EDGE, BY_STATE, PATIENTS)


@pytest.fixture(scope="module")
def graph(flow):
    """The DOT as Graphviz reads it: edge and node attributes by the model's id."""
    g = pygraphviz.AGraph(string=to_dot(flow))
    # plain dicts: pygraphviz's attribute views die with the graph
    edges = {e.attr["id"]: dict(e.attr) for e in g.edges() if e.attr.get("id")}
    nodes = {n.attr["id"]: dict(n.attr) for n in g.nodes() if n.attr.get("id")}
    return edges, nodes


def edge_attrs(graph, edge_id):
    return graph[0][svg_id("edge", edge_id)]


def node_attrs(graph, node_id):
    return graph[1][svg_id("state", node_id)]


def test_widths_follow_the_counts(flow, graph):
    widths = [float(edge_attrs(graph, e)["penwidth"]) for e in sorted(BY_EDGE, key=BY_EDGE.get, reverse=True)]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == len(widths)
    assert widths[0] == 10.0  # the busiest edge is the thickest
    assert edge_attrs(graph, "first_assessment")["penwidth"] == "10.00"  # fixed decimals
    assert edge_attrs(graph, "escalate_cauda_equina")["penwidth"] == f"{0.5 + 9.5 * 30 / 1000:.2f}"


def test_labels_give_patients_and_share(graph):
    assert "1,000 (100.0%)" in edge_attrs(graph, "first_assessment")["label"]
    assert "500 (50.0%)" in edge_attrs(graph, "scheduled_review")["label"]
    assert "30 (3.0%)" in edge_attrs(graph, "escalate_cauda_equina")["label"]
    assert "800 (80.0%)" in node_attrs(graph, "conservative_care")["label"]
    assert "10 (1.0%)" in node_attrs(graph, "emergency_trauma")["label"]
    # the screen, not told how many were escalated: a patient may be escalated twice (urgent care, then an
    # emergency), so between the busiest escalation's patients and the sum of them all
    assert "30 to 40 (3.0% to 4.0%)" in node_attrs(graph, SCREEN)["label"]


def test_what_nobody_reached_is_dimmed(flow, graph):
    untaken = [e for e in flow.edges if e.id not in BY_EDGE]
    assert untaken and all(e.emphasis is Emphasis.DIMMED and e.note == "0" and e.width == 0 for e in untaken)
    assert all(e.emphasis is Emphasis.NORMAL for e in flow.edges if e.id in BY_EDGE)
    mri = edge_attrs(graph, "scan_would_change_management")
    assert (mri["penwidth"], mri["color"]) == ("0.50", "#cfd8dc")
    unvisited = {n.id for n in flow.nodes if n.emphasis is Emphasis.DIMMED}
    assert unvisited == {n.id for n in flow.nodes} - set(BY_STATE) - {SCREEN}
    assert flow.node("urgent_fracture").note == "0"


def test_the_overlay_changes_only_emphasis_notes_and_widths(model, flow):
    assert [(e.id, e.source, e.dest, e.guard) for e in flow.edges] == [(e.id, e.source, e.dest, e.guard) for e in model.edges]
    assert [n.id for n in flow.nodes] == [n.id for n in model.nodes]
    assert flow.clusters == model.clusters
    assert all(e.width is None for e in model.edges)  # the plain pathway is untouched
    assert flow.title == f"{model.title} - cohort flow of 1,000 simulated patients"
    assert flow.legend[0].key == "width" and flow.legend[len(flow.legend) - len(model.legend):] == model.legend


def test_the_screen_count_can_be_given(model):
    flow = flow_overlay(model, BY_EDGE, {**BY_STATE, SCREEN: 39}, PATIENTS)
    assert flow.node(SCREEN).note == "39 (3.9%)"
    one = flow_overlay(model, {"escalate_major_trauma": 10}, BY_STATE, PATIENTS)  # one escalation: exact
    assert one.node(SCREEN).note == "10 (1.0%)"
    nobody = flow_overlay(model, {"first_assessment": 5}, {}, PATIENTS)
    assert (nobody.node(SCREEN).note, nobody.node(SCREEN).emphasis) == ("0", Emphasis.DIMMED)


@pytest.mark.parametrize("edges, states, patients", [
    ({"escalate_cauda_equina@onset": 1}, {}, 10),  # a copy of an escalation, not its declaration
    ({}, {"nowhere": 1}, 10),
    ({}, {}, 0),
])
def test_bad_counts_are_refused(model, edges, states, patients):
    with pytest.raises(ValueError):
        flow_overlay(model, edges, states, patients)


def test_renders_to_svg_deterministically(flow):
    first, second = Diagram(flow).render("svg"), Diagram(flow).render("svg")
    assert first == second
    root = ET.fromstring(first)
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g")}
    path = groups[svg_id("edge", "first_assessment")].find(f".//{SVG}path")
    assert path.get("stroke-width") == "10"
    assert "cohort flow of 1,000 simulated patients" in first.decode()


def test_mermaid_still_draws(flow):
    text = to_mermaid(flow)
    assert "cohort flow of 1,000 simulated patients" in text
    assert re.search(r"^    onset -->\|\"[^\"]*\"\| initial_assessment$", text, re.M)
