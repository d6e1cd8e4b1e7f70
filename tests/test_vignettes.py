"""Clinical vignettes (examples/vignettes.yaml) drawn from clinical-references.md: each routes as
its guideline says. Each names the reference it follows; the expected outcome is the decision at
the last visit: its urgency (of the states entered at that visit), the imaging it orders (study
ids), and where the patient rests."""

import pytest

from pathway.vignettes import load_vignettes, run_vignettes, shipped_vignettes

CALM, VIGNETTES = load_vignettes()


@pytest.fixture(scope="module")
def outcomes(spec):
    return {o.vignette.id: o for o in run_vignettes(spec)}


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v.id)
def test_vignette_routes_as_the_guidelines_say(spec, outcomes, vignette):
    assert vignette.citation in spec.reference
    outcome = outcomes[vignette.id]
    assert outcome.got == vignette.expect, outcome.problem


def test_every_state_is_reached_by_some_vignette(spec, engine):
    from pathway import parse_patient

    reached = {spec.initial}
    for v in VIGNETTES:
        data = {"age": v.age, "visits": [{"week": w, "findings": {**CALM, **c}} for w, c in v.visits]}
        reached |= {s for visit in engine.run(parse_patient(data, spec)).visits for s in visit.entered}
    assert {s.id for s in spec.states} - reached == set()


def test_every_theme_of_the_safety_audit_has_vignettes():
    themes = {v.theme for v in VIGNETTES}
    assert {"Continuity: every state screens; work-ups end in a handover or back on the routine pathway",
            "MRI contraindicated, honoured on every route",
            "Consent checked again at the epidural and the surgical referral",
            "Red flags together: the most urgent care, imaging that meets every one"} <= themes


def test_a_broken_vignette_is_reported_not_raised(spec, tmp_path):
    broken = tmp_path / "vignettes.yaml"
    text = shipped_vignettes().read_text()
    broken.write_text(text.replace("expect: {urgency: emergency, imaging: \"mri\", state: emergency_ces}",
                                   "expect: {urgency: urgent, imaging: \"mri\", state: emergency_ces}", 1))
    failed = [o for o in run_vignettes(spec, broken) if not o.passed]
    assert [o.vignette.id for o in failed] == ["new-bladder-dysfunction"]
