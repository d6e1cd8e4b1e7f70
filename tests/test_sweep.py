"""Sensitivity sweeps: parameter sets in the order promised, overrides that really reach the
simulation, reproducible samples, every bad sweep file refused at once by `file:line` with
nothing written, and the same bytes for the same inputs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from edits import line_of
from pathway.loader import load_pathway
from pathway.shipped import shipped_pathway
from simulations import ParameterError, load_parameters
from simulations.running.cohort import CohortSettings, simulate
from simulations.engines.course import SimulationError
from simulations.results.summary import summarise
from simulations.analyses.sweep import SweepError, load_plan
from simulations.analyses.sweep_figures import FIGURES, figure_keys
from simulations.analyses.sweep_vary import MAX_SETS
from simulations.analyses.sweep_results import run_sweep, sweep_csv, sweep_text, write_sweep
from simulations.sweep_cli import sweep

SPEC = load_pathway(shipped_pathway())
BASE = load_parameters()
SWEEPS = Path(__file__).resolve().parent.parent / "simulations" / "sweeps"
FILE = "<file>"

GRID = """\
# a 2 x 2 grid
kind: grid
patients: 200
weeks: 52
seed: 3
vary:
  red_flags.cauda_equina: [0.0008, 0.2]
  waits.routine_mri_median_weeks: [2, 5]
report: [patients_with_red_flag, weeks_to_mri_median, improved_week_52]
"""

SAMPLE = """\
kind: sample
patients: 100
weeks: 26
seed: 1
samples: 3
sample_seed: 7
vary:
  visits.red_flag_presents_weekly: {uniform: [0.5, 0.95]}
  course.disabling_when_persisting: {triangular: [0.4, 0.6, 0.8]}
  treatment.epidural_relief: {beta: [5, 5]}
  treatment.surgery_recovery_ratio: {lognormal: [1.72, 2.22]}
report: [mri_per_1000, improved_week_12]
"""


def write(tmp_path: Path, text: str, name: str = "sweep.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path, **overrides) -> list[str]:
    with pytest.raises(SweepError) as caught:
        load_plan(path, BASE, **overrides)
    return [str(p).replace(str(path), FILE) for p in caught.value.problems]


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    path = write(tmp_path_factory.mktemp("grid"), GRID)
    plan = load_plan(path, BASE)
    return run_sweep(plan, SPEC, BASE)


# -- parameter overrides ---------------------------------------------------------------------------

def test_with_values_replaces_checks_and_hashes_each_set_apart():
    varied = BASE.with_values({"red_flags.cauda_equina": 0.01, "waits.routine_mri_median_weeks": 4})
    assert varied.value("red_flags.cauda_equina") == 0.01
    assert varied.value("waits.routine_mri_median_weeks") == 4.0
    assert varied.value("red_flags.fracture") == BASE.value("red_flags.fracture")
    assert BASE.value("red_flags.cauda_equina") == 0.0008  # the base is untouched
    again = BASE.with_values({"waits.routine_mri_median_weeks": 4.0, "red_flags.cauda_equina": 0.01})
    assert varied.content_hash == again.content_hash != BASE.content_hash
    assert BASE.with_values({"red_flags.cauda_equina": 0.02}).content_hash != varied.content_hash
    assert BASE.with_values({"red_flags.cauda_equina": 0.0008}) is BASE  # nothing changed, same hash
    with pytest.raises(ParameterError) as caught:
        BASE.with_values({"red_flags.cauda_equina": 1.5, "waits.xray_weeks": -1, "presentation.weakness": 0.2,
                          "red_flags.cauda_equin": 0.1})
    assert [str(p) for p in caught.value.problems] == [
        "`red_flags.cauda_equina` must be a probability from 0 to 1, not `1.5`",
        "`waits.xray_weeks` must be weeks, more than 0 and at most 520 (the longest follow-up), not `-1`",
        "parameter `presentation.weakness` is a distribution, not one number; only probability, weeks, hours, "
        "rate, ratio, cost, utility parameters can be given a value",
        "unknown parameter `red_flags.cauda_equin`; a single-number parameter, named `section.name`, is expected; "
        "did you mean `red_flags.cauda_equina`?",
    ]


def test_every_figure_a_sweep_can_report_is_a_summary_figure():
    settings = CohortSettings(30, 1, 52)
    summary = summarise(simulate(SPEC, BASE, settings))
    assert sorted(f.key for f, _ in summary.values) == sorted(figure_keys(settings))  # catches a renamed figure
    assert all(isinstance(float(summary.value(key)), float) for key in figure_keys(settings))
    assert set(FIGURES) < set(figure_keys(settings))


# -- grids -----------------------------------------------------------------------------------------

def test_a_2x2_grid_gives_four_sets_in_file_order(grid):
    assert [r.number for r in grid.sets] == [1, 2, 3, 4]
    assert [r.values for r in grid.sets] == [(0.0008, 2.0), (0.0008, 5.0), (0.2, 2.0), (0.2, 5.0)]
    assert len({r.parameters_hash for r in grid.sets}) == 4
    table = rows(sweep_csv(grid))
    assert list(table[0]) == ["set", "red_flags.cauda_equina", "waits.routine_mri_median_weeks",
                              "patients_with_red_flag", "weeks_to_mri_median", "improved_week_52", "parameters_hash"]
    assert [(r["set"], r["red_flags.cauda_equina"], r["waits.routine_mri_median_weeks"]) for r in table] == [
        ("1", "0.0008", "2"), ("2", "0.0008", "5"), ("3", "0.2", "2"), ("4", "0.2", "5")]
    assert [r["parameters_hash"] for r in table] == [r.parameters_hash for r in grid.sets]


def test_a_figure_moves_with_its_parameter(grid):
    # The same patients in every set (common random numbers), so a higher chance of cauda equina can
    # only add red flags: this fails if the override never reached the simulation.
    red_flags = {r.values: r.figures[0] for r in grid.sets}
    assert red_flags[(0.2, 2.0)] > red_flags[(0.0008, 2.0)] + 20
    assert red_flags[(0.2, 5.0)] > red_flags[(0.0008, 5.0)] + 20
    # A red flag does not depend on the scan wait; the time to MRI does. Its direction is not fixed:
    # a longer wait also cancels the scans of more patients who recover before it (they are
    # discharged at a look-again visit), which changes who is scanned.
    assert red_flags[(0.0008, 2.0)] == red_flags[(0.0008, 5.0)]
    to_mri = {r.values: r.figures[1] for r in grid.sets}
    assert to_mri[(0.0008, 5.0)] != to_mri[(0.0008, 2.0)]


def test_simulate_keywords_pass_through_unchanged(tmp_path):
    path = write(tmp_path, GRID.replace("patients: 200", "patients: 40"))
    plan = load_plan(path, BASE)
    assert run_sweep(plan, SPEC, BASE, chunk_size=7) == run_sweep(plan, SPEC, BASE)
    with pytest.raises(SimulationError, match="chunk size must be 1 or more, not 0"):
        run_sweep(plan, SPEC, BASE, chunk_size=0)


def test_the_text_names_what_was_run(grid):
    text = sweep_text(grid)
    assert text.startswith("Sensitivity sweep: sweep.yaml\n")
    assert f"pathway:    {SPEC.name} {SPEC.version} (sha256 {SPEC.content_hash})" in text
    assert f"parameters: parameters.yaml (sha256 {BASE.content_hash})" in text
    assert "grid of 2 x 2 = 4 parameter sets" in text
    assert "200 patients per set, 52 weeks, seed 3" in text
    assert "Across the" not in text  # a grid has no spread


# -- samples ---------------------------------------------------------------------------------------

def test_a_sample_is_reproducible_and_changes_with_its_seed(tmp_path):
    path = write(tmp_path, SAMPLE)
    first, again = load_plan(path, BASE), load_plan(path, BASE)
    assert first.sets == again.sets and len(first.sets) == 3
    other = load_plan(write(tmp_path, SAMPLE.replace("sample_seed: 7", "sample_seed: 8"), "other.yaml"), BASE)
    assert other.sets != first.sets
    # The patients' seed does not move the parameter draws, and more samples keep the first ones.
    assert load_plan(path, BASE, seed=9).sets == first.sets
    more = load_plan(write(tmp_path, SAMPLE.replace("samples: 3", "samples: 5"), "more.yaml"), BASE)
    assert more.sets[:3] == first.sets
    for presents, disabling, relief, ratio in more.sets:
        assert 0.5 <= presents <= 0.95 and 0.4 <= disabling <= 0.8 and 0 < relief < 1 and ratio > 0
    assert len({s for s in more.sets}) == 5


def test_a_sample_reports_the_spread_across_sets(tmp_path):
    result = run_sweep(load_plan(write(tmp_path, SAMPLE), BASE), SPEC, BASE)
    text = sweep_text(result)
    assert "sample of 3 parameter sets (values drawn with sample_seed 7)" in text
    assert "Across the 3 sets:" in text
    spread = text.split("Across the 3 sets:\n")[1].splitlines()
    assert spread[0].split() == ["figure", "mean", "2.5%", "97.5%", "unit"]
    assert spread[1].split()[0] == "mri_per_1000" and spread[2].split()[0] == "improved_week_12"


# -- bad sweep files -------------------------------------------------------------------------------

BAD = [
    ("unknown parameter", "  red_flags.cauda_equina: [0.0008, 0.2]", "  waits.routine_mri_median_week: [2, 3]",
     "median_week:",
     "in `vary`: unknown parameter `waits.routine_mri_median_week`; a single-number parameter, named "
     "`section.name`, is expected; did you mean `waits.routine_mri_median_weeks`?"),
    ("probability above 1", "[0.0008, 0.2]", "[0.0008,\n    1.5]", "1.5]",
     "in `vary`, `red_flags.cauda_equina` must be a probability from 0 to 1, not `1.5`"),
    ("negative weeks", "[2, 5]", "[2, -1]", "-1]",
     "in `vary`, `waits.routine_mri_median_weeks` must be weeks, more than 0 and at most 520 (the longest follow-up), not `-1`"),
    ("a distribution varied as a number", "  red_flags.cauda_equina: [0.0008, 0.2]",
     "  presentation.weakness: [0.1, 0.2]", "presentation.weakness",
     "in `vary`: parameter `presentation.weakness` is a distribution, not one number; only probability, weeks, "
     "hours, rate, ratio, cost, utility parameters can be given a value"),
    ("a table varied as a number", "  red_flags.cauda_equina: [0.0008, 0.2]",
     "  imaging.disc_bulge_by_age: [0.1, 0.2]", "imaging.disc_bulge_by_age",
     "in `vary`: parameter `imaging.disc_bulge_by_age` is a table, not one number; only probability, weeks, "
     "hours, rate, ratio, cost, utility parameters can be given a value"),
    ("unknown figure", "report: [patients_with_red_flag,", "report: [patients_with_red_flags,", "report:",
     "unknown figure `patients_with_red_flags` in `report`; did you mean `patients_with_red_flag`?"),
    ("samples on a grid", "seed: 3\n", "seed: 3\nsamples: 20\n", "samples:",
     "`samples` is `20`, but `samples` is for kind: sample only; a grid runs every combination of the listed "
     "values (remove it, or use kind: sample)"),
    ("missing vary", "vary:\n  red_flags.cauda_equina: [0.0008, 0.2]\n  waits.routine_mri_median_weeks: [2, 5]\n",
     "", "kind:", "the sweep file is missing `vary`"),
    ("unknown kind", "kind: grid", "kind: latin", "kind:",
     "`kind` of the sweep file is `latin`; allowed: grid (every combination of the listed values) or sample "
     "(values drawn at random from distributions)"),
    ("unknown key", "weeks: 52", "weeks: 52\nweek: 26", "week:",
     "unknown key `week` in the sweep file; allowed: kind, vary, question, patients, weeks, seed, samples, "
     "sample_seed, report, strategies"),
    ("a distribution in a grid", "[2, 5]", "{uniform: [2, 5]}", "uniform",
     "in `vary`, `waits.routine_mri_median_weeks` is a mapping; a grid takes a list of values to try, e.g. "
     "[2, 3, 5]; a distribution such as {uniform: [low, high]} is for kind: sample"),
    ("a value given twice", "[2, 5]", "[2, 5,\n    2.0]", "2.0]",
     "in `vary`, `waits.routine_mri_median_weeks` lists 2 twice; each value is tried once"),
    ("too few weeks for a figure", "weeks: 52", "weeks: 26", "improved_week_52",
     "`report` asks for `improved_week_52`, which needs at least 52 weeks of follow-up; `weeks` is 26"),
    ("patients out of range", "patients: 200", "patients: 0", "patients:",
     "`patients` of the sweep file must be a whole number from 1 to 1000000, not `0`"),
    ("a wait the natural history cannot draw", "[2, 5]", "[2, 8]", "waits.routine_mri_median_weeks",
     "in `vary`, 2 of 4 parameter sets have such values (the first, set 2, has `waits.routine_mri_median_weeks` 8 "
     "with `waits.routine_mri_over_6_weeks` 0.22 (base)), which cannot be simulated: the routine MRI wait is "
     "log-normal through its median and the share over 6 weeks, so a median under 6 weeks needs a share under "
     "0.5, and a median over 6 weeks a share over 0.5 (the share strictly between 0 and 1, the median above 0)"),
]


@pytest.mark.parametrize("old, new, needle, message", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_each_bad_grid_is_reported_by_file_and_line(tmp_path, old, new, needle, message):
    assert GRID.count(old) == 1, old
    path = write(tmp_path, GRID.replace(old, new))
    assert problems_of(path) == [f"{FILE}:{line_of(path, needle)}: {message}"]


def test_a_grid_over_the_limit_is_refused(tmp_path):
    values = "[" + ", ".join(f"0.{i:02d}" for i in range(1, 12)) + "]"
    names = ["red_flags.fracture", "red_flags.malignancy", "red_flags.infection", "course.intervention_wanted"]
    path = write(tmp_path, "kind: grid\nvary:\n" + "".join(f"  {n}: {values}\n" for n in names))
    assert problems_of(path) == [
        f"{FILE}:2: `vary` makes a grid of 11 x 11 x 11 x 11 = 14,641 parameter sets; at most {MAX_SETS:,} are allowed "
        "(each is a whole cohort): try fewer values, or kind: sample"]


BAD_SAMPLE = [
    ("missing samples", "samples: 3\n", "", "kind:",
     "the sweep file is missing `samples`: kind: sample needs the number of parameter sets to draw, from 1 to 1,000"),
    ("a list in a sample", "{uniform: [0.5, 0.95]}", "[0.5, 0.95]", "visits.red_flag_presents_weekly",
     "in `vary`, `visits.red_flag_presents_weekly` is a list; a sample takes one distribution to draw from: "
     "{uniform: [low, high]}, {triangular: [low, most likely, high]}, {beta: [a, b], a probability with mean "
     "a / (a + b)}, {lognormal: [low, high], the 2.5th and 97.5th centiles of a value above 0}, {gamma: [mean, "
     "standard deviation] of a value above 0, e.g. a cost}; a list of values is for kind: grid"),
    ("unknown distribution", "{uniform: [0.5, 0.95]}", "{unifrom: [0.5, 0.95]}", "visits.red_flag_presents_weekly",
     "in `vary`, `visits.red_flag_presents_weekly` has unknown distribution `unifrom`; did you mean `uniform`?; "
     "allowed: {uniform: [low, high]}, {triangular: [low, most likely, high]}, {beta: [a, b], a probability with "
     "mean a / (a + b)}, {lognormal: [low, high], the 2.5th and 97.5th centiles of a value above 0}, {gamma: [mean, "
     "standard deviation] of a value above 0, e.g. a cost}"),
    ("a bound outside the kind", "{uniform: [0.5, 0.95]}", "{uniform: [0.5, 1.2]}", "visits.red_flag_presents_weekly",
     "in `vary`, uniform [0.5, 1.2]: `visits.red_flag_presents_weekly` must be a probability from 0 to 1, not `1.2`"),
    ("low above high", "{uniform: [0.5, 0.95]}", "{uniform: [0.95, 0.5]}", "visits.red_flag_presents_weekly",
     "in `vary`, `visits.red_flag_presents_weekly` has uniform [0.95, 0.5]; low must be below high"),
    ("beta for a ratio", "{lognormal: [1.72, 2.22]}", "{beta: [5, 5]}", "treatment.surgery_recovery_ratio",
     "in `vary`, `treatment.surgery_recovery_ratio` is ratio, not a probability or utility, so it cannot be drawn "
     "from beta (values from 0 to 1); allowed: uniform, triangular, lognormal or gamma"),
    ("gamma for a probability", "{beta: [5, 5]}", "{gamma: [0.5, 0.1]}", "treatment.epidural_relief",
     "in `vary`, `treatment.epidural_relief` is a probability, which a gamma can push above 1; allowed for a "
     "probability: uniform, triangular or beta"),
    ("gamma with no spread", "{lognormal: [1.72, 2.22]}", "{gamma: [1.97, 0]}", "treatment.surgery_recovery_ratio",
     "in `vary`, `treatment.surgery_recovery_ratio` has gamma [1.97, 0]; the mean and the standard deviation must "
     "both be above 0"),
    ("lognormal for a probability", "{beta: [5, 5]}", "{lognormal: [0.3, 0.7]}", "treatment.epidural_relief",
     "in `vary`, `treatment.epidural_relief` is a probability, which a lognormal can push above 1; allowed for a "
     "probability: uniform, triangular or beta"),
    ("wrong number of arguments", "{triangular: [0.4, 0.6, 0.8]}", "{triangular: [0.4, 0.8]}",
     "course.disabling_when_persisting",
     "in `vary`, `course.disabling_when_persisting` has triangular [0.4, 0.8]; triangular takes 3 numbers: "
     "[low, most likely, high]"),
]


@pytest.mark.parametrize("old, new, needle, message", [case[1:] for case in BAD_SAMPLE],
                         ids=[case[0] for case in BAD_SAMPLE])
def test_each_bad_sample_is_reported_by_file_and_line(tmp_path, old, new, needle, message):
    assert SAMPLE.count(old) == 1, old
    path = write(tmp_path, SAMPLE.replace(old, new))
    assert problems_of(path) == [f"{FILE}:{line_of(path, needle)}: {message}"]


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, """\
kind: grid
samples: 5
vary:
  red_flags.cauda_equina: [0.001, 1.5]
  presentation.weakness: [0.2]
  waits.routine_mri_median_week: [2, 3]
report: [mri_per_100]
""")
    assert problems_of(path) == [
        f"{FILE}:2: `samples` is `5`, but `samples` is for kind: sample only; a grid runs every combination of the "
        "listed values (remove it, or use kind: sample)",
        f"{FILE}:4: in `vary`, `red_flags.cauda_equina` must be a probability from 0 to 1, not `1.5`",
        f"{FILE}:5: in `vary`: parameter `presentation.weakness` is a distribution, not one number; only "
        "probability, weeks, hours, rate, ratio, cost, utility parameters can be given a value",
        f"{FILE}:6: in `vary`: unknown parameter `waits.routine_mri_median_week`; a single-number parameter, named "
        "`section.name`, is expected; did you mean `waits.routine_mri_median_weeks`?",
        f"{FILE}:7: unknown figure `mri_per_100` in `report`; did you mean `mri_per_1000`?",
    ]


def test_command_line_overrides_are_checked_too(tmp_path):
    path = write(tmp_path, GRID)
    assert problems_of(path, weeks=26, patients=0) == [
        "--patients must be a whole number from 1 to 1,000,000, not 0",
        f"{FILE}:9: `report` asks for `improved_week_52`, which needs at least 52 weeks of follow-up; --weeks is 26",
    ]


def test_a_missing_or_malformed_file(tmp_path):
    assert problems_of(tmp_path / "nothing.yaml") == [f"no such sweep file: {FILE}"]
    path = write(tmp_path, "kind: grid\nvary: [unclosed\n")
    assert len(problems_of(path)) == 1 and problems_of(path)[0].startswith(f"{FILE}:")


# -- outputs and the command -----------------------------------------------------------------------

def run_cli(*args):
    return CliRunner().invoke(sweep, [*map(str, args)], catch_exceptions=False)


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_command_runs_end_to_end_with_the_same_bytes_each_time(tmp_path):
    path = write(tmp_path, GRID)
    runs = []
    for name in ("one", "two"):
        result = run_cli(path, "--out", tmp_path / name, "--patients", 120, "--seed", 4, "--weeks", 52, "--quiet")
        assert result.exit_code == 0, result.output
        runs.append(folder_bytes(tmp_path / name))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {"sweep.csv", "sweep.txt", "sweep.png"}
    assert runs[0]["sweep.png"].startswith(b"\x89PNG")
    assert "120 patients per set, 52 weeks, seed 4" in runs[0]["sweep.txt"].decode()
    assert len(rows(runs[0]["sweep.csv"].decode())) == 4
    assert result.output.endswith(f"wrote {tmp_path / 'two'}/: sweep.csv, sweep.txt, sweep.png\n")
    assert "grid of 2 x 2 = 4 parameter sets" in result.output


def test_a_bad_sweep_file_writes_nothing(tmp_path):
    path = write(tmp_path, GRID.replace("[0.0008, 0.2]", "[0.0008, 1.5]").replace("improved_week_52", "improvd_week_52"))
    out = tmp_path / "out"
    result = CliRunner().invoke(sweep, [str(path), "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [  # before any pathway is loaded
        f"{path}:7: in `vary`, `red_flags.cauda_equina` must be a probability from 0 to 1, not `1.5`",
        f"{path}:9: unknown figure `improvd_week_52` in `report`; did you mean `improved_week_52`?",
        "2 problems found; the sweep file is not valid.",
    ]
    assert not out.exists()


def test_an_output_path_that_is_a_file_is_refused_before_any_work(tmp_path):
    path = write(tmp_path, GRID)
    (tmp_path / "taken").write_text("x")
    result = CliRunner().invoke(sweep, [str(path), "--out", str(tmp_path / "taken")])
    assert result.exit_code == 2  # click's own check of a folder option, as for `sciatica simulate`
    assert "is a file" in result.stderr
    assert (tmp_path / "taken").read_text() == "x"


def test_an_interrupted_sweep_leaves_no_files(tmp_path, monkeypatch):
    import simulations.analyses.sweep_results as module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "sweep_figure", interrupted)
    path = write(tmp_path, GRID.replace("patients: 200", "patients: 20"))
    result = load_plan(path, BASE)
    with pytest.raises(KeyboardInterrupt):
        write_sweep(run_sweep(result, SPEC, BASE), tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_ctrl_c_during_the_command_writes_nothing(tmp_path, monkeypatch):
    import simulations.sweep_cli as cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_sweep", interrupted)
    result = CliRunner().invoke(sweep, [str(write(tmp_path, GRID)), "--out", str(tmp_path / "out")])
    assert result.exit_code == 130
    assert result.stderr.splitlines()[1:] == ["interrupted: no files written"]  # after the pathway's name
    assert not any((tmp_path / "out").iterdir())


def test_empty_lists_are_named_as_such(tmp_path):
    path = write(tmp_path, "kind: grid\nvary:\n  waits.xray_weeks: []\nreport: []\n")
    assert problems_of(path) == [
        f"{FILE}:3: in `vary`, `waits.xray_weeks` is an empty list; a grid takes a list of values to try, e.g. [2, 3, 5]",
        f"{FILE}:4: `report` of the sweep file must be a list of figure keys, e.g. [mri_per_1000, weeks_to_mri_median], "
        f"not an empty list; known: {', '.join(figure_keys(CohortSettings(1, 1, 52)))}",
    ]


def test_the_shipped_examples_are_valid():
    grid = load_plan(SWEEPS / "mri_waits.yaml", BASE)
    assert grid.kind == "grid" and len(grid.sets) == 9
    assert grid.names == ("waits.routine_mri_median_weeks", "visits.red_flag_presents_weekly")
    sample = load_plan(SWEEPS / "psa.yaml", BASE)
    assert sample.kind == "sample" and len(sample.sets) == 40 and sample.sample_seed == 7
    assumed = [n for n in sample.names if "project-assumption" in BASE[n].citations]
    assert len(assumed) >= 5


def test_a_draw_that_leaves_the_parameters_range_is_refused_when_the_plan_is_read(tmp_path):
    """A lognormal between 400 and 510 weeks draws waits beyond the 520-week limit: said when the
    file is read, not found by the set that draws one, after the sets before it have run."""
    text = SAMPLE.replace("samples: 3", "samples: 200").replace(
        "  treatment.epidural_relief: {beta: [5, 5]}", "  waits.specialist_longest_weeks: {lognormal: [400, 510]}")
    path = write(tmp_path, text)
    [problem] = problems_of(path)
    line = text.splitlines().index("  waits.specialist_longest_weeks: {lognormal: [400, 510]}") + 1
    assert problem.startswith(f"{FILE}:{line}: in `vary`, ")
    assert problem.endswith("which cannot be simulated: `waits.specialist_longest_weeks` must be weeks, more than 0 "
                            "and at most 520 (the longest follow-up)")


def test_the_plot_shows_a_tiny_difference_at_its_size():
    """73.84% against 73.86% must not fill the axis (autoscaling made it look large)."""
    import numpy as np

    from simulations.analyses.sweep_picture import _honest_range

    low, high = _honest_range(np.array([73.84, 73.86]), "%")
    assert high - low >= 10 and low <= 73.84 and high >= 73.86
    assert _honest_range(np.array([98.0, 99.5]), "%")[1] == 100.0
    assert _honest_range(np.array([0.0, 0.0]), "scans")[0] == 0.0
