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
        "`value` of parameter `red_flags.onset_window_weeks` must be weeks, more than 0 and at most 520 "
        "(the longest follow-up), not `-2`"),
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
        "`value` of parameter `presentation.neurogenic_claudication_by_age` must map ages to probabilities; "
        "`sixteen` is not a number"),
    # -- degenerate values (issue 17): each kind's range, checked when the file is loaded -------------
    "median wait of 0 weeks (was a math domain error)": (
        "  routine_mri_median_weeks:\n    kind: weeks\n    value: 3", "  routine_mri_median_weeks:\n    kind: weeks\n    value: 0",
        "value: 0\n    citation: [nhs-dm01",
        "`value` of parameter `waits.routine_mri_median_weeks` must be weeks, more than 0 and at most 520 "
        "(the longest follow-up), not `0`"),
    "a wait beyond the longest follow-up": (
        "    value: 109\n", "    value: 1e6\n", "value: 1e6",
        "`value` of parameter `waits.specialist_longest_weeks` must be weeks, more than 0 and at most 520 "
        "(the longest follow-up), not `1000000.0`"),
    "table age of 1e20 years (was accepted)": (
        "{16: 0.0, 50: 0.03,", "{16: 0.0, 1e20: 0.03,", "1e20",
        "`value` of parameter `presentation.neurogenic_claudication_by_age` has the age `1e+20`; allowed: an age "
        "in years from 16 to 120"),
    "table age below 16": (
        "{20: 0.30, 30: 0.40,", "{2: 0.30, 30: 0.40,", "{2: 0.30",
        "`value` of parameter `imaging.disc_bulge_by_age` has the age `2`; allowed: an age in years from 16 to 120"),
    "age band that is not one": (
        '"16-29": 0.10', '"sixteen": 0.10', '"sixteen"',
        "`value` of parameter `presentation.age_distribution` has the outcome `sixteen`, which is not an age band "
        "such as `16-29`"),
    "age band beyond 120": (
        '"80-95": 0.02', '"80-950": 0.02', '"80-950"',
        "`value` of parameter `presentation.age_distribution` has the outcome `80-950`, which is not an age band "
        "within 16-120, youngest first"),
    "emergency scan in 0 hours": (
        "    kind: hours\n    value: 4", "    kind: hours\n    value: 0", "value: 0\n    citation: girft",
        "`value` of parameter `waits.emergency_mri_hours` must be hours, more than 0 and at most 168 (a week; give "
        "longer waits in weeks), not `0`"),
    "a hazard ratio of 0": (
        "    value: 1.97", "    value: 0", "value: 0\n    citation: peul-2007\n    note: Hazard",
        "`value` of parameter `treatment.surgery_recovery_ratio` must be a ratio, more than 0 and at most 100, not `0`"),
    "a weekly rate beyond 10": (
        "    value: 1.165", "    value: 1e300", "value: 1e300",
        "`value` of parameter `recovery.fast_weekly_rate` must be a weekly rate from 0 to 10, not `1e+300`"),
    "a wait the log-normal cannot go through": (
        "    value: 0.22\n", "    value: 0\n", "  routine_mri_median_weeks:",
        "`waits.routine_mri_median_weeks` 3 with `waits.routine_mri_over_6_weeks` 0 cannot be simulated: the "
        "routine MRI wait is log-normal through its median and the share over 6 weeks, so a median under 6 weeks "
        "needs a share under 0.5, and a median over 6 weeks a share over 0.5 (the share strictly between 0 and 1, "
        "the median above 0)"),
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
        "`tolerance` of target `improved_by_week_52` must be a share more than 0 and at most 1, not `0`"),
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
    allowed = ("references, presentation, recovery, red_flags, risk_factors, confirmed, course, visits, mimics, imaging, "
               "treatment, waits, harm, costs, quality_of_life, calibration, free")
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
    assert problems_of(tmp_path / "absent.yaml") == [f"no such parameter file: {FILE}"]
    path = broken(tmp_path, ("  pain_below_knee:\n", "  pain_below_knee: [\n"))
    assert problems_of(path)[0].startswith(f"{FILE}:")


def test_simulate_with_a_median_wait_of_0_weeks_says_so_and_exits_1(tmp_path):
    """Before: `math domain error` and a traceback, from the log-normal wait."""
    from click.testing import CliRunner

    from pathway.cli import main
    from said import problems

    path = broken(tmp_path, ("  routine_mri_median_weeks:\n    kind: weeks\n    value: 3",
                             "  routine_mri_median_weeks:\n    kind: weeks\n    value: 0"))
    result = CliRunner().invoke(main, ["simulate", "--patients", "10", "--parameters", str(path),
                                       "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    line = line_of(path, "value: 0\n    citation: [nhs-dm01")
    assert problems(result) == [
        f"{path}:{line}: `value` of parameter `waits.routine_mri_median_weeks` must be weeks, more than 0 and at most "
        "520 (the longest follow-up), not `0`",
        "1 problem found; the parameter file is not valid.",
    ]
    assert not (tmp_path / "out").exists()


def test_plots_name_their_sources_as_readers_know_them():
    """The recovery plot's legend named targets by citation ids ("vroomen-1999")."""
    from simulations import load_parameters
    from simulations.results.pictures import cited

    assert cited(load_parameters(), ["vroomen-1999", "koes-2007"]) == "Vroomen et al. NEJM 1999, Koes, van Tulder, Peul. BMJ 2007"
