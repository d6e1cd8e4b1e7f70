"""Review diagrams and decision tables of a pathway, generated from the validated spec.

    >>> from diagrams import diagram
    >>> d = diagram()               # the shipped pathway; or diagram(spec), diagram("my/pathway")
    >>> d.save("pathway.svg")       # format from the suffix: .svg .png .pdf .dot .mmd
    >>> d                           # in Jupyter: the SVG

The model (plain data) is the single source for every drawing; overlays such as one patient's
path are meant as pure functions model -> model that set the `emphasis` of nodes and edges.
"""

from .diagram import Diagram, diagram
from .dot import to_dot
from .mermaid import to_mermaid
from .model import Cluster, Definition, DiagramModel, Edge, Emphasis, LegendEntry, Node, build_model
# `render` the function stays in diagrams.render (Diagram.render covers it), so that the name
# `diagrams.render` keeps meaning the module.
from .render import RendererMissing, write_atomic
from .tables import build_tables, to_html, to_markdown

__all__ = [
    "Cluster", "Definition", "Diagram", "DiagramModel", "Edge", "Emphasis", "LegendEntry", "Node",
    "RendererMissing", "build_model", "build_tables", "diagram", "to_dot", "to_html",
    "to_markdown", "to_mermaid", "write_atomic",
]
