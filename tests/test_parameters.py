"""Natural-history parameters: the shipped file loads with every figure cited, and broken copies
report every problem at once as the exact `file:line: message` (the copy is shown as `<file>`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from edits import line_of
from simulations import SCHEMA, Kind, ParameterError, load_parameters, shipped_parameters

FILE = "<file>"


def broken(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    """A copy of the shipped file with each (old, new) replacement made; old must occur once."""
    path = tmp_path / "parameters.yaml"
    text = shipped_parameters().read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ParameterError) as caught:
        load_parameters(path)
    return [str(p).replace(str(path), FILE) for p in caught.value.problems]


def test_shipped_file_loads_and_cites_known_references():
    params = load_parameters()
    assert set(params.parameters) == {f"{s}.{n}" for s, names in SCHEMA.items() for n in names}
    for param in params.parameters.values():
        assert param.citations and set(param.citations) <= set(params.references), param.name
    assert sorted(t.week for t in params.calibration) == [2, 4, 12, 52]
    assert all(set(t.citations) <= set(params.references) for t in params.calibration)
    assert {b.name for b in params.free} <= set(params.parameters)
    assert params.value("presentation.pain_below_knee") == 0.675


def test_distributions_sum_to_one_and_tables_are_ordered():
    params = load_parameters()
    for param in params.parameters.values():
        if param.kind is Kind.DISTRIBUTION:
            assert sum(param.value.values()) == pytest.approx(1.0, abs=1e-9)
        if param.kind is Kind.TABLE:
            assert list(param.value) == sorted(param.value)


# (old, new, needle on the reported line, message)
CASES = {
    "probability above one": (
        "value: 0.675", "value: 1.5", "value: 1.5",
        "`value` of parameter `presentation.pain_below_knee` must be a probability from 0 to 1, not `1.5`"),
    "negative weeks": (
        "    value: 52\n    citation: henschke-2009", "    value: -2\n    citation: henschke-2009", "value: -2",
        "`value` of parameter `red_flags.onset_window_weeks` must be weeks, 0 or more, not `-2`"),
    "distribution not summing to one": (
        "leg_dominant: 0.742", "leg_dominant: 0.642", "leg_dominant: 0.642",
        "`value` of parameter `presentation.pain_distribution` must sum to 1, not 0.9"),
    "unknown outcome": (
        "{none: 0.75,", "{nil: 0.75,", "{nil: 0.75,",
        "`value` of parameter `presentation.weakness` has unknown outcome `nil`; allowed: none, mild"),
    "weakness from an earlier version (stable)": (
        "{none: 0.75, mild: 0.25}", "{none: 0.75, mild: 0.20, stable: 0.05}", "{none: 0.75, mild: 0.20, stable",
        "`value` of parameter `presentation.weakness` has unknown outcome `stable`; allowed: none, mild"),
    "table key not a number": (
        "{16: 0.0, 50: 0.03,", "{sixteen: 0.0, 50: 0.03,", "sixteen",
        "`value` of parameter `presentation.neurogenic_claudication_by_age` must map numbers to probabilities; "
        "`sixteen` is not a number"),
    "misspelt parameter": (
        "  pain_below_knee:", "  pain_below_kne:", "pain_below_kne:",
        "unknown parameter `pain_below_kne` in `presentation`; did you mean `pain_below_knee`?"),
    "unknown citation": (
        "    citation: [vroomen-1999, koes-2007]\n", "    citation: [vromen-1999, koes-2007]\n", "vromen-1999",
        "unknown citation `vromen-1999` in parameter `recovery.slow_weekly_rate`; did you mean `vroomen-1999`?"),
    "wrong kind": (
        "    kind: hours", "    kind: weeks", "kind: weeks\n    value: 4\n    citation: girft",
        "`kind` of parameter `waits.emergency_mri_hours` is `weeks`; this parameter's kind is `hours`"),
    "zero tolerance": (
        "    week: 52\n    value: 0.75\n    tolerance: 0.05", "    week: 52\n    value: 0.75\n    tolerance: 0", "tolerance: 0\n",
        "`tolerance` of target `improved_by_week_52` must be a number more than 0, not `0`"),
    "free bounds reversed": (
        "{low: 0.4, high: 0.95}", "{low: 0.95, high: 0.4}", "{low: 0.95, high: 0.4}",
        "free parameter `recovery.fast_fraction` has low 0.95 above high 0.4"),
    "free value outside bounds": (
        "{low: 0.2, high: 2.0}", "{low: 0.2, high: 0.5}", "{low: 0.2, high: 0.5}",
        "free parameter `recovery.fast_weekly_rate` is 1.165, outside its bounds 0.2 to 0.5"),
    "unknown free parameter": (
        "  recovery.fast_fraction:", "  recovery.fast_fractio:", "recovery.fast_fractio:",
        "unknown free parameter `recovery.fast_fractio`; calibration can fit a single-number parameter, "
        "named `section.name`; did you mean `recovery.fast_fraction`?"),
    "bad status": (
        "    status: NOT CONFIRMED\n  konstantinou", "    status: UNSURE\n  konstantinou", "status: UNSURE",
        "`status` of reference `project-assumption` is `UNSURE`; allowed: CONFIRMED, SECONDARY, NOT CONFIRMED"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_broken_copy(tmp_path, case):
    old, new, needle, message = CASES[case]
    path = broken(tmp_path, (old, new))
    line = line_of(path, needle)
    assert problems_of(path) == [f"{FILE}:{line}: {message}"]


def test_unknown_section_lists_the_allowed_ones(tmp_path):
    path = broken(tmp_path, ("\nharm:\n", "\nharms:\n"))
    first = line_of(path, "references:\n")
    allowed = "references, presentation, recovery, red_flags, confirmed, course, visits, mimics, imaging, treatment, waits, harm, calibration, free"
    assert problems_of(path) == [
        f"{FILE}:{first}: parameters.yaml is missing `harm`",
        f"{FILE}:{line_of(path, 'harms:')}: unknown key `harms` in parameters.yaml; allowed: {allowed}",
    ]


def test_every_problem_is_reported_together(tmp_path):
    path = broken(
        tmp_path,
        ("value: 0.675", "value: -0.1"),
        ("    value: 0.0008\n", "    value: 0.0008\n    source: x\n"),
        ("{low: 0.4, high: 0.95}", "{low: 0.95, high: 0.4}"),
        ("    week: 12\n", "    week: 12.5\n"),
    )
    assert problems_of(path) == [
        f"{FILE}:{line_of(path, 'value: -0.1')}: `value` of parameter `presentation.pain_below_knee` must be "
        "a probability from 0 to 1, not `-0.1`",
        f"{FILE}:{line_of(path, 'source: x')}: unknown key `source` in parameter `red_flags.cauda_equina`; "
        "allowed: kind, value, citation, note",
        f"{FILE}:{line_of(path, 'week: 12.5')}: `week` of target `improved_by_week_12` must be a whole number "
        "from 0 to 520, not `12.5`",
        f"{FILE}:{line_of(path, '{low: 0.95, high: 0.4}')}: free parameter `recovery.fast_fraction` has low 0.95 above high 0.4",
    ]


@pytest.mark.parametrize("text", ["0.5%", '"0.5"', "'0.675'", "yes", "half", ".nan"])
def test_values_are_never_read_as_text(tmp_path, text):
    path = broken(tmp_path, ("value: 0.675", f"value: {text}"))
    [problem] = problems_of(path)
    assert problem.startswith(f"{FILE}:{line_of(path, f'value: {text}')}: `value` of parameter "
                              "`presentation.pain_below_knee` must be a probability from 0 to 1, not ")


def test_text_in_a_distribution_is_an_error(tmp_path):
    path = broken(tmp_path, ("leg_dominant: 0.742", "leg_dominant: 74.2%"))
    assert problems_of(path) == [
        f"{FILE}:{line_of(path, 'leg_dominant: 74.2%')}: `leg_dominant` in `value` of parameter `presentation.pain_distribution` "
        "must be a probability from 0 to 1, not the text `74.2%`"]


def test_missing_file_and_malformed_yaml(tmp_path):
    assert problems_of(tmp_path / "absent.yaml") == [f"{FILE}: no such parameter file"]
    path = broken(tmp_path, ("  pain_below_knee:\n", "  pain_below_knee: [\n"))
    assert problems_of(path)[0].startswith(f"{FILE}:")
