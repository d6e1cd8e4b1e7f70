"""How long rendering the shipped pathway takes (goal: under 2 s to SVG). Not a unit test.

    python benchmarks/bench_render.py [--repeats N] [--format svg|png|pdf]

Times, each as the median of N runs in this process: building the DOT from the spec (model +
DOT text), laying it out and rendering it, and the whole of `sciatica diagram` minus start-up
(load + model + DOT + render). Also a baseline: the same graph laid out with every label removed,
so the ratio says what the clinical wording costs over the bare structure.
"""

from __future__ import annotations

import argparse
import warnings

from timing import median_seconds

from diagrams import build_model, to_dot
from diagrams.render import render
from pathway import load_pathway, shipped_pathway


def bare(dot: str) -> str:
    """The same DOT with every label and tooltip emptied (read and written by Graphviz itself)."""
    import pygraphviz

    graph = pygraphviz.AGraph(string=dot)
    graph.graph_attr["label"] = ""
    for sub in graph.subgraphs():
        sub.graph_attr["label"] = ""
    for item in [*graph.nodes(), *graph.edges()]:
        for key in ("label", "tooltip", "labeltooltip"):
            if item.attr.get(key):
                item.attr[key] = ""
    return graph.string()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--format", default="svg", choices=["svg", "png", "pdf"])
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    spec = load_pathway(shipped_pathway())
    dot = to_dot(build_model(spec))
    render(dot, args.format)  # warm-up: loads Graphviz plug-ins and fonts once

    build = median_seconds(lambda: to_dot(build_model(spec)), args.repeats)
    draw = median_seconds(lambda: render(dot, args.format), args.repeats)
    whole = median_seconds(lambda: render(to_dot(build_model(load_pathway(shipped_pathway()))), args.format),
                           args.repeats)
    skeleton = bare(dot)
    baseline = median_seconds(lambda: render(skeleton, args.format), args.repeats)

    print(f"shipped pathway: {len(spec.states)} states, {len(spec.transitions)} transitions; "
          f"median of {args.repeats} runs")
    print(f"  model + DOT                      {build * 1000:8.1f} ms")
    print(f"  layout + render {args.format:4}             {draw * 1000:8.1f} ms")
    print(f"  load + model + DOT + render      {whole * 1000:8.1f} ms   (goal: under 2000 ms)")
    print(f"  baseline: layout, no labels      {baseline * 1000:8.1f} ms")
    print(f"  ratio render / baseline          {draw / baseline:8.2f} x")
    print(f"  {'PASS' if whole < 2 else 'SLOW'}: {whole:.2f} s")


if __name__ == "__main__":
    main()
