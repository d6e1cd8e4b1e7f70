"""The review diagram as pages that a laptop screen or a sheet of paper holds: the key first
(legend, what the named conditions mean, the imaging purposes and rules), then one page for each
group of phases, in care order.

A page draws its phases' states and every arrow that leaves or enters them, guards and all. A
state on another page is drawn as a small dashed stand-in that names its page, so no arrow ends
in mid-air. The red-flag work-ups come two to a page (side by side, nine are wider than any
screen), each page with the red-flag screen; every other page lists the screen's escalations at
its top, since they are tried first in every state marked with a flag, whatever page it is on. A
state with many transitions of its own (the clinical correlation of imaging) has a page to itself.
"""

from __future__ import annotations

import attrs

from pathway.spec import Phase, Urgency

from .elements import Cluster, DiagramModel, Edge, Emphasis, Node
from .model import SCREEN
from .words import NO_IMAGING


@attrs.frozen
class PageGroup:
    """What a page draws: its title and its states."""

    title: str
    states: tuple[str, ...]


# The pages after the key, by phase (a busy state on a page of its own); then the red-flag
# work-ups, two to a page (nine side by side are wider than any screen), each with the states it
# leads to (handovers).
PHASE_PAGES = (
    ("Onset, assessment and conservative care", (Phase.ONSET, Phase.ASSESSMENT, Phase.CONSERVATIVE_CARE)),
    ("Reassessment", (Phase.REASSESSMENT,)),
    ("Imaging", (Phase.IMAGING,)),
    ("Intervention", (Phase.INTERVENTION,)),
    ("Re-routing to another diagnosis, and discharge", (Phase.REROUTING, Phase.EXIT)),
)
KEYS = ("Key - legend and what the named conditions mean", "Key - imaging purposes and rules")
WORK_UPS_PER_PAGE = 2
BUSY = 8  # a state with more transitions than this (stays aside) gets a page of its own


@attrs.frozen
class Page:
    number: int
    title: str
    model: DiagramModel


def paginate(model: DiagramModel) -> tuple[Page, ...]:
    """The key, then a page for each group of states; overlays (a patient's path, a version's
    changes) are kept, since a page is cut from the model they have already marked."""
    groups = _groups(model)
    count = len(groups) + len(KEYS)
    first = len(KEYS) + 1
    page_of: dict[str, tuple[int, ...]] = {}
    for n, group in enumerate(groups, start=first):
        for state in group.states:
            page_of[state] = page_of.get(state, ()) + (n,)
    keys = tuple(Page(n, title, attrs.evolve(_key(model, n), title=_title(n, count, title), subtitle=model.title))
                 for n, title in enumerate(KEYS, start=1))
    return keys + tuple(Page(n, g.title, _page(model, n, page_of, _title(n, count, g.title)))
                        for n, g in enumerate(groups, start=first))


def _key(model: DiagramModel, n: int) -> DiagramModel:
    """The key's pages: the legend and what the named conditions mean; the imaging purposes and rules."""
    blank = attrs.evolve(model, nodes=(), edges=(), clusters=())
    if n == 1:
        return attrs.evolve(blank, purposes=(), imaging_rules=())
    return attrs.evolve(blank, legend=(), definitions=())


def _groups(model: DiagramModel) -> list[PageGroup]:
    """The states of each page: by phase, then the red-flag work-ups a few to a page, the screen
    drawn on each of those; states of the urgent phase that no escalation leads to go on the last."""
    in_phase = {c.phase: c.nodes for c in model.clusters}
    groups = []
    for title, phases in PHASE_PAGES:
        states = [n for p in phases for n in in_phase.get(p, ())]
        busy = [n for n in states if sum(e.source == n and not e.stay for e in model.edges) > BUSY]
        groups.append(PageGroup(title, tuple(n for n in states if n not in busy)))
        groups += [PageGroup(model.node(n).label, (n,)) for n in busy]
    urgent = [n for n in in_phase.get(Phase.URGENT, ()) if n != SCREEN]
    escalations = [e for e in model.edges if e.escalation]
    work_ups = list(dict.fromkeys(e.dest for e in escalations if e.dest in urgent))
    claimed: set[str] = set()
    for start in range(0, len(work_ups), WORK_UPS_PER_PAGE):
        chunk = work_ups[start:start + WORK_UPS_PER_PAGE]
        states = [n for n in chunk + _led_to(model, chunk, urgent) if n not in claimed]
        claimed |= set(states)
        tags = [e.tag for e in escalations if e.dest in chunk]
        groups.append(PageGroup(f"Red flags {tags[0]}-{tags[-1]}: work-up and handover", (SCREEN, *states)))
    if rest := [n for n in urgent if n not in claimed]:
        groups.append(PageGroup("Urgent work-up after a result, and handover", tuple(rest)))
    return [g for g in groups if g.states]


def _led_to(model: DiagramModel, sources: list[str], within: list[str]) -> list[str]:
    """The states of ``within`` that ``sources`` lead to directly, in model order."""
    reached = {e.dest for e in model.edges if e.source in sources and not e.escalation}
    return [n for n in within if n in reached and n not in sources]


def _title(n: int, count: int, title: str) -> str:
    return f"Page {n} of {count}: {title}"


def _page(model: DiagramModel, number: int, page_of: dict[str, tuple[int, ...]], title: str) -> DiagramModel:
    here = {n for n, pages in page_of.items() if number in pages}
    leaving = tuple(e for e in model.edges if e.source in here and _drawn_here(e, here, number, page_of))
    incoming = [e for e in model.edges if e.dest in here and e.source not in here]
    arriving = _arrivals(model, incoming)
    elsewhere = {e.dest for e in leaving if e.dest not in here}
    clusters, stand_ins = [], []
    for cluster in model.clusters:
        if mine := tuple(n for n in cluster.nodes if n in here):
            clusters.append(attrs.evolve(cluster, nodes=mine))
        others = tuple(n for n in cluster.nodes if n in elsewhere)
        came_from = tuple(n for n in cluster.nodes if any(e.source == n for e in incoming))
        stand_ins += [attrs.evolve(model.node(n), page=_pages(page_of, [n])) for n in others]
        if came_from:
            stand_ins.append(_from_node(cluster, _pages(page_of, came_from)))
        if others or came_from:
            clusters.append(attrs.evolve(cluster, nodes=others + ((_from(cluster.phase),) if came_from else ()),
                                         page="elsewhere"))
    nodes = tuple(n for n in model.nodes if n.id in here) + tuple(stand_ins)
    screen = () if SCREEN in here else tuple(
        f"{e.tag} {e.guard} \u2192 {model.node(e.dest).label} ({_pages(page_of, [e.dest])})"
        for e in model.edges if e.escalation)
    return attrs.evolve(model, title=title, subtitle=f"{model.title} - the key on pages 1 and 2",
                        nodes=nodes, edges=leaving + arriving, clusters=tuple(clusters), legend=(),
                        definitions=(), purposes=(), imaging_rules=(), screen_rows=screen)


def _drawn_here(edge: Edge, here: set[str], number: int, page_of: dict[str, tuple[int, ...]]) -> bool:
    """An edge leaving this page's states; an escalation only to a work-up here, or, from the last
    page that draws the screen, to a state on a page without it (R9: a routine X-ray)."""
    if not edge.escalation or edge.dest in here:
        return True
    screens = page_of[SCREEN]
    return number == screens[-1] and not set(page_of[edge.dest]) & set(screens)


def _pages(page_of: dict[str, tuple[int, ...]], states) -> str:
    numbers = sorted({page_of[s][0] for s in states})
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    return f"pages {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}"


def _from(phase: Phase) -> str:
    return f"from_{phase.value}"


def _arrivals(model: DiagramModel, edges: list[Edge]) -> tuple[Edge, ...]:
    """Arrows from other pages: one for each phase they come from and state they reach, its guards
    in the tooltip (the page they leave from draws them in full): nine urgent work-ups that all
    return to the reassessment when excluded draw one arrow."""
    phase_of = {n: c.phase for c in model.clusters for n in c.nodes}
    groups: dict[tuple, list[Edge]] = {}
    for e in edges:
        groups.setdefault((_from(phase_of[e.source]), e.dest), []).append(e)
    merged = []
    for (source, dest), same in groups.items():
        emphasis = next((e.emphasis for e in same if e.emphasis is not Emphasis.NORMAL), Emphasis.NORMAL)
        merged.append(Edge(
            id=f"{source}-{dest}", source=source, dest=dest, guard="", priority=0, show_priority=False,
            tooltip="\n".join(dict.fromkeys(f"When: {e.guard}." for e in same)),
            transitions=tuple(t for e in same for t in e.transitions), emphasis=emphasis,
            note=", ".join(e.note for e in same if e.note), arrival=True,
        ))
    return tuple(merged)


def _from_node(cluster: Cluster, pages: str) -> Node:
    """Where the arrows from another page's states of one phase come in."""
    return Node(id=_from(cluster.phase), label=f"From {cluster.title}", urgency=Urgency.NONE, imaging=NO_IMAGING,
                terminal=False, waits="", tooltip=f"Arrows from {cluster.title}, drawn in full on {pages}.", page=pages)
