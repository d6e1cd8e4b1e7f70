"""`sciatica diff`: what changed between two pathway versions, and nothing else."""

import attrs
from click.testing import CliRunner

from pathway import Urgency
from pathway.cli import main
from pathway.compare import diff_pathways
from pathway.guards import parse_guard


def _edit_transition(spec, tid, **changes):
    return attrs.evolve(spec, transitions=tuple(attrs.evolve(t, **changes) if t.id == tid else t for t in spec.transitions))


def test_a_pathway_has_no_changes_against_itself(spec):
    diff = diff_pathways(spec, spec)
    assert diff.changes == ()
    assert diff.text().endswith(": no changes\n")


def test_a_changed_guard_shows_old_and_new_wording(spec):
    new = _edit_transition(spec, "improving_continue", expr=parse_guard('trend != "worse"'), text='trend != "worse"')
    [change] = diff_pathways(spec, new).changes
    assert (change.kind, change.what, change.id) == ("changed", "transition", "improving_continue")
    assert change.details == ('guard: "trend is improving" -> "trend is not worse"',)


def test_added_and_removed_states_and_transitions(spec):
    dropped = attrs.evolve(
        spec,
        states=tuple(s for s in spec.states if s.id != "urgent_abnormal_xray"),
        transitions=tuple(t for t in spec.transitions if t.id.split("@")[0] != "xray_abnormal"),
    )
    diff = diff_pathways(spec, dropped)
    assert diff.of("state") == {"urgent_abnormal_xray": "removed"}
    # A transition declared from several states is compared once per source state.
    assert diff.of("transition") == dict.fromkeys(
        ["xray_abnormal@xray_fracture_risk", "xray_abnormal@xray_risk_factors"], "removed")
    assert diff_pathways(dropped, spec).of("state") == {"urgent_abnormal_xray": "added"}


def test_an_escalation_is_compared_once_not_per_state(spec):
    moved = attrs.evolve(spec, transitions=tuple(
        attrs.evolve(t, priority=10) if t.id.startswith("escalate_suspected_fracture@") else t for t in spec.transitions))
    [change] = diff_pathways(spec, moved).changes
    assert (change.what, change.id, change.details) == ("escalation", "escalate_suspected_fracture", ("priority: `8` -> `10`",))


def test_a_changed_condition_changes_every_transition_that_reads_it(spec):
    conditions = tuple(
        attrs.evolve(c, expr=parse_guard("conservative_care_weeks >= 8"), text="conservative_care_weeks >= 8")
        if c.name == "persisting_despite_care" else c for c in spec.conditions)
    diff = diff_pathways(spec, attrs.evolve(spec, conditions=conditions))
    assert diff.of("condition") == {"persisting_despite_care": "changed"}
    assert diff.of("transition") == {"scan_would_change_management": "changed"}


def test_a_changed_state_lists_its_fields(spec):
    states = tuple(attrs.evolve(s, urgency=Urgency.URGENT) if s.id == "lumbar_imaging" else s for s in spec.states)
    [change] = diff_pathways(spec, attrs.evolve(spec, states=states)).changes
    assert change.details == ("urgency: `routine` -> `urgent`",)


def test_diff_command_compares_the_shipped_pathway_to_an_edited_copy(tmp_path):
    import shutil

    from pathway import shipped_pathway

    old = tmp_path / "old"
    shutil.copytree(shipped_pathway(), old)
    path = old / "transitions.yaml"
    block = "  - id: improving_continue\n    from: reassessment\n    to: conservative_care\n    when: trend == \"improving\""
    text = path.read_text()
    assert text.count(block) == 1
    path.write_text(text.replace(block, block.replace('trend == "improving"', 'trend != "worse"')))
    result = CliRunner().invoke(main, ["diff", str(old)])
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.stdout.splitlines()[0]
    # One pathway given: the shipped pathway is OLD and the edited copy NEW.
    assert 'guard: "trend is improving" -> "trend is not worse"' in result.stdout
