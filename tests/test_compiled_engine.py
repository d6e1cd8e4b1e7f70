"""Differential tests: the compiled cohort engine gives exactly the reference engine's per-patient
traces (every outcome, the resting state each week, every visit and every transition fired) on
the shipped pathway, on every mutant the checker uses, on Hypothesis-drawn cohorts with the
natural history pushed to its corners, and on small generated pathways."""

from __future__ import annotations

import os

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathway import load_pathway, shipped_pathway
from pathway.guards import names_in, parse_guard
from pathway.spec import CareStep, State, Transition, Urgency, Waits
from pathway.verify.mutants import mutants
from simulations import load_parameters
from simulations.engines.booking import PRODUCED
from simulations.running.chunk import from_runs
from simulations.engines.compiled import CompiledSimulator
from simulations.engines.course import CourseSimulator, SimulationError
from simulations.model.history import RED_FLAGS, RISK_FACTORS, NaturalHistory


def with_values(params, **values):
    """Parameters with some values replaced, distributions too (names with `__` for the section
    dot); unchecked, unlike Parameters.with_values, which takes single numbers only."""
    changed = {name.replace("__", "."): value for name, value in values.items()}
    return attrs.evolve(params, parameters={
        name: attrs.evolve(p, value=changed[name]) if name in changed else p for name, p in params.parameters.items()
    })


PARAMS = load_parameters()
# Red flags in a third of patients, presenting slowly: every escalation path gets exercised.
FLAGGED = with_values(PARAMS, **{f"red_flags__{c}": 0.06 for c in RED_FLAGS}, visits__red_flag_presents_weekly=0.5)


def both(spec, params, seed, first, last, weeks=52):
    """The same patients through both engines, as chunks (or the error each raised)."""
    history = NaturalHistory(params)
    outcome = []
    for build in (_reference, _compiled):
        try:
            outcome.append(build(spec, history, weeks, seed, first, last))
        except SimulationError as err:
            outcome.append(err)
    return outcome


def _reference(spec, history, weeks, seed, first, last):
    simulator = CourseSimulator(spec, history, weeks)
    return from_runs(spec, first, [simulator.run(seed, i) for i in range(first, last)])


def _compiled(spec, history, weeks, seed, first, last):
    return CompiledSimulator(spec, history, weeks).run(seed, first, last)


def assert_identical(spec, params, seed, first, last, weeks=52):
    reference, compiled = both(spec, params, seed, first, last, weeks)
    if isinstance(reference, Exception) or isinstance(compiled, Exception):
        assert type(reference) is type(compiled), f"reference: {reference!r}\ncompiled: {compiled!r}"
        return
    differences = reference.differences(compiled, spec)
    assert not differences, "the engines disagree:\n" + "\n".join(differences)
    return reference


@pytest.mark.parametrize("seed", [1, 2])
def test_the_shipped_pathway_gives_identical_traces(spec, seed):
    chunk = assert_identical(spec, PARAMS, seed, 0, 800)
    assert len(chunk.visits["patient"]) > 2000  # a real workload: thousands of visits compared


def test_identical_with_red_flags_common(spec):
    chunk = assert_identical(spec, FLAGGED, 5, 1000, 1600)
    assert (chunk.patients["urgent_care_week"] >= 0).sum() > 100


@pytest.mark.parametrize("sensitivity, worsening", [(0.0, 0.05), (0.45, 0.2)])
def test_identical_when_red_flags_present_atypically(spec, sensitivity, worsening):
    """Hidden red flags (the screen's answers no until they worsen), missed at visits, then showing."""
    params = with_values(FLAGGED, red_flags__screen_sensitivity=sensitivity, harm__unescalated_weekly_worsening=worsening)
    chunk = assert_identical(spec, params, 8, 2000, 2500)
    missed, seen = (chunk.patients[name] >= 0 for name in ("red_flag_missed_week", "red_flag_seen_week"))
    assert missed.sum() > 15 and (missed & seen).sum() > 10  # missed, and later seen once worse


def test_identical_with_standing_risk_factors_common(spec):
    """Risk factors without the disease (a known cancer re-escalated at every visit among them)."""
    params = with_values(FLAGGED, risk_factors__osteoporosis=0.2, risk_factors__chronic_steroid_use=0.1,
                         risk_factors__cancer_history=0.05)
    chunk = assert_identical(spec, params, 9, 3000, 3300)
    assert chunk.patients["xray"].sum() > 100 and chunk.patients["urgent_work_ups"].sum() > 100


def _engine_mutants(every: int) -> list:
    """The checker's mutants of the pathway, `every`-th of each kind (its method and what it does,
    e.g. work-up/hasten: a kind's mutants differ only in the state or transition they touch; each
    costs a third of a second in both engines). Mutants of the safety requirements are left out:
    they change the oracle, which neither engine reads."""
    kinds: dict[tuple[str, str], list] = {}
    for m in mutants(load_pathway(shipped_pathway())):
        if m.method != "requirement":
            kinds.setdefault((m.method, m.id.split()[0]), []).append(m)
    return [m for group in kinds.values() for m in group[::every]]


# SCIATICA_ALL_MUTANTS=1 compares every one (about 3 minutes); by default one in three of each kind.
MUTANTS = _engine_mutants(1 if os.environ.get("SCIATICA_ALL_MUTANTS") == "1" else 3)


@pytest.mark.parametrize("index", range(len(MUTANTS)), ids=[m.id for m in MUTANTS])
def test_mutants_give_identical_traces(index):
    spec = MUTANTS[index].spec
    assert_identical(spec, FLAGGED, 11, 0, 60)


def test_the_comparison_would_catch_a_different_engine(spec):
    """Not vacuous: a mutant's traces differ from the pathway's, and `differences` says where."""
    mutant = next(m.spec for m in MUTANTS if m.method == "demote")
    history = NaturalHistory(FLAGGED)
    original = _compiled(spec, history, 52, 11, 0, 300)
    broken = _compiled(mutant, history, 52, 11, 0, 300)
    differences = original.differences(broken, spec)
    assert differences and differences[0].startswith("P0000") and "\n  " in differences[0]  # the patient, the lines


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32),
    first=st.integers(0, 10**9),
    size=st.integers(1, 40),
    weeks=st.integers(1, 80),
    red_flag=st.sampled_from([0.0, 0.02, 0.3]),
    typical=st.sampled_from([0.0, 0.45, 1.0]),
    risk=st.sampled_from([0.0, 0.1]),
    presents=st.sampled_from([0.1, 0.8, 1.0]),
    relief=st.sampled_from([0.0, 0.5, 1.0]),
    surgery=st.sampled_from([0.0, 0.5, 1.0]),
    review=st.sampled_from([{"2": 1.0}, {"2": 0.3, "3": 0.3, "4": 0.4}, {"4": 1.0}]),
)
def test_identical_on_drawn_cohorts(spec, seed, first, size, weeks, red_flag, typical, risk, presents, relief, surgery,
                                    review):
    params = with_values(
        PARAMS, **{f"red_flags__{c}": red_flag for c in RED_FLAGS}, red_flags__screen_sensitivity=typical,
        **{f"risk_factors__{name}": risk for name in RISK_FACTORS},
        visits__red_flag_presents_weekly=presents,
        treatment__epidural_relief=relief, treatment__surgery_after_referral=surgery, visits__review_after_weeks=review,
    )
    assert_identical(spec, params, seed, first, first + size, weeks)


# -- small generated pathways ----------------------------------------------------------------------
GUARDS = (
    "true", "false", "trend == 'worse'", "trend != 'improving'", "week >= 4", "conservative_care_weeks >= 6",
    "disabling", "not symptoms_resolved", "symptoms_resolved", "intervention_considered and disabling",
    "mri_result == 'concordant'", "mri_result in ['discordant', 'normal']", "xray_result == 'abnormal'",
    "epidural_response in ['no_relief', 'temporary_relief']", "age >= 50 and trend != 'improving'",
    "pain_below_knee or weakness == 'progressive'", "hip_or_si_signs", "suspected_cauda_equina",
    "bladder_dysfunction or saddle_anaesthesia", "fever and recent_infection", "minor_trauma and osteoporosis",
    "unexplained_weight_loss", "not (night_pain or major_trauma)", "urgent_result == 'confirmed'",
    "urgent_result == 'excluded'", "specialist_opinion == 'surgery'", "specialist_opinion != 'none'",
    "prior_lumbar_surgery", "mri_contraindicated or fever", "not symptoms_resolved and trend != 'worse'",
)


@st.composite
def small_pathways(draw, base):
    """A pathway of 2-7 states with random waits (for a visit, for any result the simulator
    produces, for the patient's return, or deciding at once), urgencies, imaging purposes (the
    shipped pathway's, with its imaging rules) and care steps, exits that name a receiving
    service, and random guarded transitions from the shipped vocabulary. Like the validator,
    every state that is not an exit has a transition, and states that decide at once only lead to
    later states (or stay), so no visit can loop; anything else goes, gaps where no guard holds
    included."""
    n = draw(st.integers(2, 7))
    purposes = [None, *(p.id for p in base.purposes)]
    states = []
    for j in range(n):
        terminal = j > 0 and draw(st.booleans())
        waits = Waits.VISIT if terminal else draw(st.sampled_from(list(Waits)))
        states.append(State(
            id=f"s{j}", label=f"state {j}", phase=base.states[0].phase, urgency=draw(st.sampled_from(list(Urgency))),
            purpose=draw(st.sampled_from(purposes)), care_step=draw(st.sampled_from(list(CareStep))),
            terminal=terminal, waits=waits, description="", citations=(),
            review_within_weeks=draw(st.sampled_from([None, 0, 1, 3, 6])),
            awaits=draw(st.sampled_from(list(PRODUCED))) if waits is Waits.RESULT else None,
            receiving_service="the next service" if terminal else "",
        ))
    transitions = []
    for j, state in enumerate(states):
        if state.terminal:
            continue
        later = list(range(j, n)) if state.waits is Waits.DECIDES else list(range(n))
        for k in range(draw(st.integers(1, 4))):  # the validator requires one at least
            text = draw(st.sampled_from(GUARDS))
            transitions.append(Transition(
                id=f"t{j}_{k}", source=state.id, dest=states[draw(st.sampled_from(later))].id,
                expr=parse_guard(text), text=text, priority=draw(st.integers(1, 5)) * 10 + k, rationale="",
                citations=(), escalation=draw(st.booleans()),
            ))
    return Generated(attrs.evolve(base, states=tuple(states), transitions=tuple(transitions), initial="s0"))


@attrs.frozen(repr=False)
class Generated:
    """A generated pathway, shown in a few lines when Hypothesis reports a failing example."""

    spec: object

    def __repr__(self) -> str:
        states = [f"{s.id}: {s.waits.value} {s.awaits or ''}{' exit' if s.terminal else ''} {s.urgency.value} "
                  f"{s.purpose} {s.care_step.value} review {s.review_within_weeks}" for s in self.spec.states]
        moves = [f"{t.id}: {t.source} -> {t.dest} if {t.text} (priority {t.priority}"
                 f"{', escalation' if t.escalation else ''})" for t in self.spec.transitions]
        return "\n".join(["pathway:", *states, *moves])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 2**32))
def test_identical_on_small_generated_pathways(spec, data, seed):
    pathway = data.draw(small_pathways(spec)).spec
    assert_identical(pathway, FLAGGED, seed, 0, 25, weeks=30)


def test_both_engines_refuse_a_finding_the_pathway_does_not_know(spec):
    """A pathway without `trend` cannot take the simulator's findings: both engines say so."""
    findings = tuple(f for f in spec.findings if f.name != "trend")
    reduced = attrs.evolve(spec, findings=findings,
                           transitions=tuple(t for t in spec.transitions if "trend" not in t.text),
                           contradictions=tuple(c for c in spec.contradictions if "trend" not in names_in(c.expr)))
    reference, compiled = both(reduced, PARAMS, 1, 0, 5)
    assert isinstance(reference, SimulationError) and isinstance(compiled, SimulationError)
    assert "trend" in str(compiled.problems)


def test_chunks_of_any_size_join_to_the_same_patients(spec):
    simulator = CompiledSimulator(spec, NaturalHistory(PARAMS), 52)
    whole = simulator.run(3, 0, 90)
    for start, stop in ((0, 1), (1, 50), (50, 90)):
        part = simulator.run(3, start, stop)
        assert np.array_equal(part.states, whole.states[:, start:stop])
        assert all(np.array_equal(part.patients[k], whole.patients[k][start:stop]) for k in part.patients)


# -- the routes remembered by key, and the routing without them ---------------------------------------

def _routed_without(change):
    """A `_compiled` whose simulator has been changed by `change` before it runs."""
    def build(spec, history, weeks, seed, first, last):
        simulator = CompiledSimulator(spec, history, weeks)
        change(simulator)
        return simulator.run(seed, first, last)

    return build


@pytest.mark.parametrize("change", [
    lambda sim: setattr(sim.router, "columns", None),  # visits not keyed: every visit routed
    lambda sim: setattr(sim, "plain_keys", False),  # every visit keyed by every column
    lambda sim: setattr(sim, "flag_keys", False),  # a visit with a red flag showing keyed by every column
    lambda sim: setattr(sim, "rule_changing", None),  # imaging rules worked out at every visit
], ids=["unkeyed", "full-keys", "full-keys-with-red-flags", "rules-every-visit"])
def test_routing_without_the_remembered_routes_is_identical(spec, change):
    history = NaturalHistory(FLAGGED)
    reference = _reference(spec, history, 52, 4, 300, 700)
    assert not reference.differences(_routed_without(change)(spec, history, 52, 4, 300, 700), spec)


def test_routes_remembered_in_one_chunk_route_the_next_alike(spec):
    """The routes a simulator remembers carry over from chunk to chunk (as in a worker process):
    later chunks, routed mostly from memory, are still the reference engine's."""
    history = NaturalHistory(FLAGGED)
    simulator = CompiledSimulator(spec, history, 40)
    for first in (0, 250, 500):
        simulator.run(7, first, first + 250)
    assert len(simulator.router.known) > 0
    reference = _reference(spec, history, 40, 7, 750, 1000)
    assert not reference.differences(simulator.run(7, 750, 1000), spec)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), seed=st.integers(0, 2**32))
def test_generated_pathways_route_alike_with_and_without_keys(spec, data, seed):
    pathway = data.draw(small_pathways(spec)).spec
    history = NaturalHistory(FLAGGED)
    try:
        keyed = _compiled(pathway, history, 30, seed, 0, 40)
    except SimulationError:
        return  # refused alike: test_identical_on_small_generated_pathways
    unkeyed = _routed_without(lambda sim: setattr(sim.router, "columns", None))(pathway, history, 30, seed, 0, 40)
    assert not keyed.differences(unkeyed, pathway)
