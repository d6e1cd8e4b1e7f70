"""Mutants: broken pathways derived from the shipped one. The exhaustive check must kill every
safety-relevant one; the survivors must be proved equivalent; the Hypothesis search must kill
the blatant ones too (it is the weaker method, and the report says by how much)."""

from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner

from pathway.cli import main
from pathway.verify.mutants import METHODS, mutants
from pathway.verify.mutation import equivalent, run_mutant


@pytest.fixture(scope="module")
def derived(spec):
    return list(mutants(spec))


@pytest.fixture(scope="module")
def exhaustive_results(spec, derived):
    return [run_mutant(spec, m) for m in derived]


def test_every_method_makes_mutants(derived):
    counts = Counter(m.method for m in derived)
    assert set(counts) == set(METHODS)
    assert counts["remove"] == 70 and counts["negate"] == 7 and counts["demote"] == 7
    assert len({m.id for m in derived}) == len(derived)


def test_the_exhaustive_check_kills_every_safety_relevant_mutant(exhaustive_results):
    survivors = {r.mutant.id: r.verdict for r in exhaustive_results if r.verdict != "killed"}
    # Removing the fracture escalation (tried last) from onset or conservative care changes nothing a
    # patient sees: the next state in the same visit escalates every such patient. Proved, not assumed.
    assert survivors == {
        "remove escalate_fracture@onset": "equivalent",
        "remove escalate_fracture@conservative_care": "equivalent",
    }


def test_each_killed_mutant_names_the_property_that_killed_it(exhaustive_results):
    killers = Counter(r.exhaustive.split(".")[0] for r in exhaustive_results if r.exhaustive)
    assert killers["1"] > 150  # red flags reach urgent care does most of the work
    assert set(killers) <= {"1", "2", "3", "4", "5", "6", "7"}


def test_equivalence_is_not_vacuous(spec, derived):
    assert equivalent(spec, spec)
    negated = next(m for m in derived if m.id == "negate suspected_cauda_equina")
    assert not equivalent(spec, negated.spec)


@pytest.mark.parametrize("method", ["negate", "demote", "retarget"])
def test_the_hypothesis_search_kills_blatant_mutants(spec, derived, method):
    chosen = [m for m in derived if m.method == method][:7]
    results = [run_mutant(spec, m, hypothesis_examples=50) for m in chosen]
    assert all(r.hypothesis for r in results), [r.mutant.id for r in results if not r.hypothesis]


def test_cli_reports_mutants_by_method(tmp_path):
    result = CliRunner().invoke(main, ["check", "--mutants", "--hypothesis-examples", "0"])
    assert result.exit_code == 0, result.output
    assert "remove              70                   68            (not run)  2 equivalent" in result.output
    assert "0 safety-relevant mutant(s) survive the exhaustive check." in result.output
