"""The pathway as a BPMN process graph (plain data): flow nodes and sequence flows, before XML.

- a start event into the initial state; a user task per state (a clinician acts in each);
- where a state's task is entered by several flows, a converging exclusive gateway in front of it
  (`enter_x`), so no task joins flows by itself;
- after a state's task, its transitions **in the order the engine tries them**, as a ladder of
  exclusive gateways (`try_<transition>`), each asking one guard: its conditional flow leads to the
  destination, its default flow ("no") to the next gateway. First match, whatever order an engine
  evaluates a gateway's flows in (SpiffWorkflow sorts them by the drawn height of their targets;
  others take document order): each gateway has one condition, so there is nothing to reorder.
  A last guard of `true` is the default flow of the gateway before it ("otherwise"). A gateway
  is named by its tag ("R1?", "2?"); the guard in words names its conditional flow and is its
  documentation. A state that
  waits stays when no guard holds: the ladder's last default leads back to its own task;
- an end event after every exit, named for the service it hands over to. A later visit starts a new
  episode: a new instance of the process (BPMN cannot go on from an end event).

Conditions are Python expressions over the findings (`exports.python_guards`), which SpiffWorkflow
evaluates over the task data. Deterministic: spec order; ids from state and transition ids.
"""

from __future__ import annotations

import re
from collections import Counter

import attrs

from diagrams.words import handover_words, sources_text, waits_words
from pathway.guards import Literal
from pathway.spec import PathwaySpec, State, Transition, Waits

from .python_guards import to_python
from .wording import exit_words, guard_words, imaging_rules_words, state_words, tag


@attrs.frozen
class FlowNode:
    id: str
    kind: str  # startEvent | userTask | exclusiveGateway | endEvent
    name: str
    doc: str = ""
    default: str | None = None  # a gateway's default flow
    joins: bool = False  # a converging gateway


@attrs.frozen
class Flow:
    id: str
    source: str
    target: str
    name: str = ""
    doc: str = ""
    condition: str | None = None  # Python expression text
    escalation: bool = False  # a red-flag escalation (laid out without pulling the page about)
    back: bool = False  # back to the state's own task (a stay)


@attrs.frozen
class Process:
    id: str
    name: str
    doc: str
    nodes: tuple[FlowNode, ...]
    flows: tuple[Flow, ...]


def bpmn_id(raw: str) -> str:
    """An id as an XML NCName: letters, digits, `_`, `-`, `.` (`@` -> `.`), not starting with a digit."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", raw.replace("@", "."))
    return safe if re.match(r"[A-Za-z_]", safe) else f"_{safe}"


def task_id(state_id: str) -> str:
    return f"state_{bpmn_id(state_id)}"


def try_id(transition_id: str) -> str:
    return f"try_{bpmn_id(transition_id)}"


def flow_id(transition_id: str) -> str:
    return f"flow_{bpmn_id(transition_id)}"


def build_process(spec: PathwaySpec) -> Process:
    conditions = {c.name: c.expr for c in spec.conditions}
    nodes = [FlowNode("start", "startEvent", "Patient seen (a new episode)")]
    flows = [Flow("flow_start", "start", task_id(spec.initial))]
    for state in spec.states:
        more_nodes, more_flows = _state(spec, state, conditions)
        nodes += more_nodes
        flows += more_flows
    nodes, flows = _joins(nodes, flows)
    rules = [imaging_rules_words(spec)] if spec.imaging_rules else []
    doc = "\n".join([spec.description, *rules, f"Content hash (SHA-256): {spec.content_hash}"])
    return Process(bpmn_id(spec.name.replace(" ", "_")), f"{spec.name} {spec.version}", doc, tuple(nodes), tuple(flows))


def _state(spec: PathwaySpec, state: State, conditions) -> tuple[list[FlowNode], list[Flow]]:
    """The state's task, then its end event or its ladder of gateways."""
    sid, task = bpmn_id(state.id), task_id(state.id)
    nodes = [FlowNode(task, "userTask", state.label, _task_doc(spec, state))]
    outgoing = list(spec.outgoing(state.id))
    if not outgoing:
        name = handover_words(state) if state.terminal else "ends this pathway"
        nodes.append(FlowNode(f"end_{sid}", "endEvent", f"{name[0].upper()}{name[1:]}"))
        return nodes, [Flow(f"flow_{sid}_ends", task, f"end_{sid}")]
    otherwise = outgoing.pop() if outgoing[-1].expr == Literal(True) else None
    flows: list[Flow] = []
    here, into = task, f"flow_{sid}_decides"
    for t in outgoing:
        flows.append(Flow(into, here, try_id(t.id), name="no" if here != task else ""))
        if here != task:  # the gateway before: when its guard does not hold, try this one
            nodes[-1] = attrs.evolve(nodes[-1], default=into)
        # The question is short on the drawing ("R1?"); its words are on the flow it opens, and here.
        nodes.append(FlowNode(try_id(t.id), "exclusiveGateway", f"{tag(t)}?",
                              doc=f"{tag(t)}. {guard_words(spec, t)}? As written: {' '.join(t.text.split())}"))
        flows.append(_transition_flow(spec, t, conditions))
        here, into = try_id(t.id), f"{flow_id(t.id)}_no"
    last = _last_flow(spec, state, here, otherwise, named=here != task)
    if last is not None:
        flows.append(last)
        if here != task:  # the ladder's last gateway takes it when no condition holds
            nodes[-1] = attrs.evolve(nodes[-1], default=last.id)
    return nodes, flows


def _transition_flow(spec: PathwaySpec, t: Transition, conditions) -> Flow:
    words = guard_words(spec, t)
    return Flow(flow_id(t.id), try_id(t.id), task_id(t.dest), name=f"{tag(t)}. {words}" + (": stays" if t.is_stay else ""),
                doc=_flow_doc(spec, t, words), condition=to_python(t.expr, conditions), escalation=t.escalation,
                back=t.is_stay)


def _last_flow(spec: PathwaySpec, state: State, here: str, otherwise: Transition | None, named: bool) -> Flow | None:
    """Where the ladder goes when no guard held: the `true` transition, a stay, or (a state that
    decides at once, whose guards `sciatica check` proves cover every case) nowhere."""
    if otherwise is not None:
        words = guard_words(spec, otherwise)
        return Flow(flow_id(otherwise.id), here, task_id(otherwise.dest),
                    name=f"{tag(otherwise)}. {words}" if named else "", doc=_flow_doc(spec, otherwise, words),
                    back=otherwise.is_stay)
    if state.waits is not Waits.DECIDES:
        return Flow(f"flow_{bpmn_id(state.id)}_waits", here, task_id(state.id),
                    name="otherwise (no transition applies): stays" if named else "", back=True)
    return None


def _joins(nodes: list[FlowNode], flows: list[Flow]) -> tuple[list[FlowNode], list[Flow]]:
    """A converging gateway in front of every task that several flows enter."""
    entering = Counter(f.target for f in flows)
    joined = {n.id for n in nodes if n.kind == "userTask" and entering[n.id] > 1}
    out_nodes: list[FlowNode] = []
    for node in nodes:
        if node.id in joined:
            out_nodes.append(FlowNode(f"enter_{node.id.removeprefix('state_')}", "exclusiveGateway",
                                      f"Enter {node.name}", joins=True))
        out_nodes.append(node)
    out_flows = [attrs.evolve(f, target=f"enter_{f.target.removeprefix('state_')}") if f.target in joined else f
                 for f in flows]
    out_flows += [Flow(f"flow_enter_{t.removeprefix('state_')}", f"enter_{t.removeprefix('state_')}", t)
                  for t in sorted(joined, key=[n.id for n in nodes].index)]
    return out_nodes, out_flows


def _task_doc(spec: PathwaySpec, state: State) -> str:
    waits = exit_words(spec, state) if state.terminal else waits_words(spec, state)
    facts = [f"Urgency: {state.urgency.value}.", *state_words(spec, state),
             f"Care step: {state.care_step.value.replace('_', ' ')}.", f"{waits[0].upper()}{waits[1:]}."]
    return "\n".join([state.description, " ".join(facts), "Sources:", *sources_text(spec, state.citations)])


def _flow_doc(spec: PathwaySpec, t: Transition, words: str) -> str:
    return "\n".join([f"When: {words}.", f"As written: {' '.join(t.text.split())}", t.rationale, "Sources:",
                      *sources_text(spec, t.citations)])
