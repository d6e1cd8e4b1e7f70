"""Diagram interchange (BPMNDI) for the process: where each flow node is drawn and the waypoints of
each sequence flow.

One row per state, in the care order the review diagram draws them (its phase clusters, top to
bottom, `diagrams.build_model`): the state's converging gateway (if any), its task, then its ladder
of gateways left to right **in the order the guards are tried**, or its end event. A reader
follows a state's decisions along its row. A flow within a row runs straight to the right; one to
another row (or back to the row's start: a stay) leaves its shape at the bottom (going down) or
the top, runs along the corridor beside its row, down or up a lane just right of its source (lanes
fall between the ladder's columns, where no shape is drawn), along the corridor above its target's
row, and into the target from above. Whole-number coordinates: the same pathway, the same bytes.
Drawn positions decide nothing: every gateway asks one guard.
"""

from __future__ import annotations

from diagrams.model import SCREEN, build_model
from pathway.spec import PathwaySpec

from .bpmn_process import Process

# Shape sizes as bpmn-js draws them by default (pixels).
SIZES = {"startEvent": (36, 36), "endEvent": (36, 36), "userTask": (140, 80), "exclusiveGateway": (50, 50)}
ROW, STEP, LEFT, TOP = 190, 150, 60, 140  # row height, ladder step, the joins' x, the first row's y (centres)
TASK_X = LEFT + 140  # the tasks' column; the ladders start 140 further right
GAP = 30  # from a shape's right side to its lane

Bounds = tuple[int, int, int, int]  # x, y (top left), width, height
Point = tuple[int, int]


def layout(spec: PathwaySpec, process: Process) -> tuple[dict[str, Bounds], dict[str, list[Point]], dict[str, Bounds]]:
    """Bounds by flow node id, waypoints by sequence flow id, and label bounds by element id."""
    centres = _centres(spec, process)
    sizes = {n.id: SIZES[n.kind] for n in process.nodes}
    bounds = {i: (x - sizes[i][0] // 2, y - sizes[i][1] // 2, *sizes[i]) for i, (x, y) in centres.items()}
    rows = sorted({y for _, y in centres.values()})
    waypoints = {f.id: _route(centres[f.source], sizes[f.source], centres[f.target], sizes[f.target], rows.index)
                 for f in process.flows}
    return bounds, waypoints, _labels(process, centres)


def _labels(process: Process, centres: dict[str, Point]) -> dict[str, Bounds]:
    """Where the words go: a gateway's tag above it, its conditional flow's words beside the line
    leaving it, below or above the row (otherwise bpmn-js puts a flow's words at its middle, where
    the corridors gather many)."""
    labels: dict[str, Bounds] = {}
    for node in process.nodes:
        if node.kind == "exclusiveGateway" and not node.joins:
            x, y = centres[node.id]
            labels[node.id] = (x - 20, y - 25 - 20, 40, 16)
    for flow in process.flows:
        if flow.condition is not None:
            (x, y), ty = centres[flow.source], centres[flow.target][1]
            labels[flow.id] = (x + 6, y + 28, 136, 56) if ty > y else (x + 6, y - 25 - 60, 136, 56)
    return labels


def _centres(spec: PathwaySpec, process: Process) -> dict[str, Point]:
    """Each flow node's centre: a row per state in care order; join, task, then the rest in flow order."""
    rows = [n for cluster in build_model(spec).clusters for n in cluster.nodes if n != SCREEN]
    owner = _owners(process)
    centres: dict[str, Point] = {"start": (TASK_X, TOP - ROW // 2 - 10)}
    for r, state in enumerate(rows):
        members = [n for n in process.nodes if owner.get(n.id) == state]
        rest = [n.id for n in members if n.kind != "userTask" and not n.joins]
        for n in members:
            x = LEFT if n.joins else TASK_X if n.kind == "userTask" else TASK_X + 140 + rest.index(n.id) * STEP
            centres[n.id] = (x, TOP + r * ROW)
    return centres


def _owners(process: Process) -> dict[str, str]:
    """The state each flow node belongs to (its row), read off the ids `bpmn_process` gives."""
    owner = {}
    for node in process.nodes:
        if node.kind == "userTask" or node.joins:
            owner[node.id] = node.id.split("_", 1)[1]
    for flow in process.flows:  # ladders and end events follow their task, in flow order
        if flow.source in owner and flow.target not in owner and not flow.target.startswith("enter_"):
            owner[flow.target] = owner[flow.source]
    return owner


def _route(source: Point, s_size, target: Point, t_size, row_of) -> list[Point]:
    (sx, sy), (tx, ty) = source, target
    if sy == ty and tx > sx:  # along the row
        return [(sx + s_size[0] // 2, sy), (tx - t_size[0] // 2, ty)]
    if sx == tx:  # straight down (the start into the first row)
        return [(sx, sy + s_size[1] // 2), (tx, ty - t_size[1] // 2)]
    above_target = ty - ROW // 2 + 12 + 6 * (row_of(ty) % 4)  # a little apart for each target row
    if sy == ty:  # back along the row (a stay): over the top
        return [(sx, sy - s_size[1] // 2), (sx, above_target), (tx, above_target), (tx, ty - t_size[1] // 2)]
    lane = sx + s_size[0] // 2 + GAP
    if ty > sy:  # down: out of the bottom, along the corridor below the source's row
        out = [(sx, sy + s_size[1] // 2), (sx, sy + ROW // 2 - 6), (lane, sy + ROW // 2 - 6)]
    else:  # up: out of the top, along the corridor above the source's row
        out = [(sx, sy - s_size[1] // 2), (sx, sy - ROW // 2 + 6), (lane, sy - ROW // 2 + 6)]
    if out[-1][1] != above_target:
        out.append((lane, above_target))
    return out + [(tx, above_target), (tx, ty - t_size[1] // 2)]
