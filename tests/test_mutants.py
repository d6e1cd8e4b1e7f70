"""Mutants: broken pathways derived from the shipped one, and weakened safety requirements. The
exhaustive check must kill every safety-relevant one; each survivor must be proved equivalent
(exactly, or in the care it gives) or proved to only widen an escalation; the Hypothesis search
must kill the blatant ones too (it is the weaker method, and the report says by how much)."""

from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner

from pathway.cli import main
from pathway.verify.mutants import METHODS, mutants
from pathway.verify.mutation import equivalent, equivalent_in_care, run_mutant, run_mutants


@pytest.fixture(scope="module")
def derived(spec):
    return list(mutants(spec))


@pytest.fixture(scope="module")
def exhaustive_results(spec, derived):
    return list(run_mutants(spec, derived, workers=2))


def test_every_method_makes_mutants(derived):
    counts = Counter(m.method for m in derived)
    assert set(counts) == set(METHODS)
    assert counts["negate"] == counts["demote"] == 9  # one per escalation
    assert counts["unscreen"] == 19  # one per state that screens: every state but an exit
    assert counts["consent"] >= 4 and counts["work-up"] >= 18 and counts["requirement"] >= 30
    assert len({m.id for m in derived}) == len(derived)


def test_the_exhaustive_check_kills_every_safety_relevant_mutant(exhaustive_results):
    verdicts = Counter(r.verdict for r in exhaustive_results)
    assert verdicts["SURVIVED"] == 0, [r.mutant.id for r in exhaustive_results if r.verdict == "SURVIVED"]
    assert set(verdicts) <= {"killed", "equivalent", "equivalent in care", "widens only"}


@pytest.mark.parametrize("method", ["negate", "demote", "unscreen", "consent", "requirement"])
def test_every_mutant_of_the_sharpest_methods_is_killed(exhaustive_results, method):
    group = [r for r in exhaustive_results if r.mutant.method == method]
    survivors = [r.mutant.id for r in group if r.verdict != "killed"]
    assert group and survivors in ([], ["consent imaging_would_not_change_plan"]), survivors


def test_a_screen_removed_from_a_state_that_was_terminal_is_killed(exhaustive_results):
    # The states the audit found ignoring red flags: urgent care, the wait for a surgeon, discharge.
    for state in ("urgent_motor_deficit", "emergency_ces", "surgical_referral", "discharged"):
        result = next(r for r in exhaustive_results if r.mutant.id == f"unscreen {state}")
        assert result.exhaustive and result.exhaustive.split(".")[0] in {"1", "8"}, (state, result.exhaustive)


def test_weakened_requirements_are_refused_by_property_10(exhaustive_results):
    group = [r for r in exhaustive_results if r.mutant.method == "requirement"]
    assert group and all(r.exhaustive == "10. Safety requirements not weakened" for r in group)


def test_each_killed_mutant_names_the_property_that_killed_it(exhaustive_results):
    killers = Counter(r.exhaustive.split(".")[0] for r in exhaustive_results if r.exhaustive)
    assert killers["1"] > 200  # red flags get the care they need does most of the work
    assert {"1", "6", "9", "10"} <= set(killers) <= {str(n) for n in range(1, 11)}


def test_equivalence_is_not_vacuous(spec, derived):
    assert equivalent(spec, spec) and equivalent_in_care(spec, spec)
    negated = next(m for m in derived if m.id == "negate suspected_cauda_equina")
    assert not equivalent(spec, negated.spec) and not equivalent_in_care(spec, negated.spec)


def test_parallel_and_serial_runs_agree(spec, derived, exhaustive_results):
    sample = derived[::37]
    serial = [(r.exhaustive, r.verdict) for r in run_mutants(spec, sample, workers=1)]
    assert serial == [(r.exhaustive, r.verdict) for r in exhaustive_results[::37]]


@pytest.mark.parametrize("method", ["negate", "demote", "retarget"])
def test_the_hypothesis_search_kills_blatant_mutants(spec, derived, method):
    chosen = [m for m in derived if m.method == method][:7]
    results = [run_mutant(spec, m, hypothesis_examples=50) for m in chosen]
    assert all(r.hypothesis for r in results), [r.mutant.id for r in results if not r.hypothesis]


def test_cli_reports_mutants_by_method(monkeypatch, derived):
    # The whole set runs in the fixture above; here, every method's first few, as the CLI shows them.
    few = [m for method in METHODS for m in [d for d in derived if d.method == method][:3]]
    monkeypatch.setattr("pathway.verify.cli.mutants", lambda spec: iter(few))
    result = CliRunner().invoke(main, ["check", "--mutants", "--hypothesis-examples", "0", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "0 safety-relevant mutant(s) survive the exhaustive check." in result.output
    assert "requirement" in result.output and "unscreen" in result.output
    assert max(len(line) for line in result.output.splitlines() if line.startswith(tuple(METHODS))) <= 100
