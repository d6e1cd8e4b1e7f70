"""Probabilistic sensitivity analysis: sweep files with strategies refused by `file:line` when
wrong, the tidy table read by pandas and polars with the right types, acceptability that adds to
1, EVPI that is never negative and zero when one strategy always wins, plots that are the same
bytes each time, the same results on 1 or 2 workers, and strategies written as changes to a
pathway, each change found exactly once."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from edits import line_of
from pathway.loader import load_pathway
from pathway.shipped import shipped_pathway
from simulations import load_parameters
from simulations.analyses.sweep import SweepError, load_plan
from simulations.sweep_cli import sweep
from simulations.analyses.sweep_psa import Psa, acceptability, evpi, wtp_grid
from simulations.analyses.sweep_run import compiled_simulator

BASE = load_parameters()
REPO = Path(__file__).resolve().parent.parent
# The strategy the shipped psa.yaml compares: the shipped pathway, imaging considered at 4 weeks.
VARIANT = ('{from: shipped, change: ['
           '{file: conditions.yaml, replace: "conservative_care_weeks >= 6 and", with: "conservative_care_weeks >= 4 and"}, '
           '{file: conditions.yaml, replace: "persisting after 6 weeks", with: "persisting after 4 weeks"}, '
           '{file: transitions.yaml, replace: "persisting after 6 weeks", with: "persisting after 4 weeks"}]}')

PSA = """\
kind: sample
patients: 60
weeks: 52
seed: 2
samples: 6
sample_seed: 3
strategies:
  current: shipped
  mri_at_4_weeks: {variant}
vary:
  course.disabling_when_persisting: {{triangular: [0.4, 0.6, 0.8]}}
  costs.mri: {{gamma: [150, 37.5]}}
  quality_of_life.utility_not_improved: {{beta: [39.3, 56.5]}}
report: [mri_per_1000, weeks_to_mri_median, cost_per_patient]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "psa.yaml"
    path.write_text(text.format(variant=VARIANT), encoding="utf-8")
    return path


def run(tmp_path: Path, *args: str, text: str = PSA, out: str = "out") -> Path:
    result = CliRunner().invoke(sweep, [str(write(tmp_path, text)), "--out", str(tmp_path / out), "--quiet", *args])
    assert result.exit_code == 0, result.output + result.stderr
    return tmp_path / out


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return run(tmp_path_factory.mktemp("psa"))


def test_the_tidy_table_reads_with_the_right_types_in_pandas_and_polars(folder):
    import pandas as pd
    import polars as pl

    frame = pd.read_parquet(folder / "psa.parquet")
    assert len(frame) == 12 and list(frame["strategy"].cat.categories) == ["current", "mri_at_4_weeks"]
    assert str(frame["draw"].dtype) == "int64" and str(frame["cost_per_patient"].dtype) == "float64"
    assert list(frame["draw"]) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]
    assert np.allclose(frame["cost_per_1000_patients"], 1000 * frame["cost_per_patient"])
    csv = pd.read_csv(folder / "psa.csv")
    assert str(csv["draw"].dtype) == "int64" and str(csv["qalys_per_patient"].dtype) == "float64"
    assert (csv["costs.mri"].to_numpy() == frame["costs.mri"].to_numpy()).all()  # the same values, to the bit
    polars = pl.read_parquet(folder / "psa.parquet")
    assert polars.schema["strategy"] == pl.Categorical and polars.schema["draw"] == pl.Int64
    assert polars.schema["weeks_to_mri_median"] == pl.Float64
    assert pl.read_csv(folder / "psa.csv").schema["draw"] == pl.Int64
    # each draw's two rows share its parameter values: the same draw, two strategies
    assert (frame.groupby("draw")["costs.mri"].nunique() == 1).all()


def test_the_codebook_describes_every_column(folder):
    import json

    import pandas as pd

    book = json.loads((folder / "codebook.json").read_text())
    columns = [c["column"] for c in book["tables"][0]["columns"]]
    assert columns == list(pd.read_csv(folder / "psa.csv").columns)
    assert [v["value"] for v in book["values"]["strategies"]] == ["current", "mri_at_4_weeks"]


def test_the_outputs_are_the_same_bytes_on_one_or_two_workers(folder, tmp_path):
    again = run(tmp_path, "--workers", "2")
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    assert {"ce-plane.png", "ceac.png", "psa.json", "psa.csv", "psa.parquet", "codebook.json"} <= set(names)
    for name in names:
        assert (folder / name).read_bytes() == (again / name).read_bytes(), name


def test_the_json_gives_evpi_and_acceptability(folder):
    import json

    doc = json.loads((folder / "psa.json").read_text())
    assert set(doc["evpi"]) == {"20000", "30000"}
    assert all(e["per_patient"] >= 0 and e["per_1000_patients"] == pytest.approx(1000 * e["per_patient"])
               for e in doc["evpi"].values())
    curve = doc["acceptability"]
    assert curve["wtp"][0] == 0 and curve["wtp"][-1] == 50_000
    assert np.allclose(np.array(curve["current"]) + np.array(curve["mri_at_4_weeks"]), 1.0)


def random_psa(draws: int = 200, strategies: int = 3, seed: int = 0) -> Psa:
    rng = np.random.default_rng(seed)
    return Psa(tuple(f"s{j}" for j in range(strategies)), rng.normal(300, 50, (draws, strategies)),
               rng.normal(0.74, 0.01, (draws, strategies)), (20_000.0, 30_000.0))


def test_acceptability_adds_to_one_at_every_threshold():
    curve = acceptability(random_psa(), wtp_grid())
    assert curve.shape == (51, 3)
    assert np.allclose(curve.sum(axis=1), 1.0)
    assert 0 < curve[:, 1].max() < 1  # not a degenerate curve: each strategy wins some draws


def test_evpi_is_positive_under_uncertainty_and_zero_when_one_strategy_always_wins():
    uncertain = random_psa()
    assert evpi(uncertain, 20_000) > 0
    # strategy 1 costs less and gains more than the others in every draw: nothing to learn
    cost = uncertain.cost.copy()
    qalys = uncertain.qalys.copy()
    cost[:, 1] = cost.min(axis=1) - 1.0
    qalys[:, 1] = qalys.max(axis=1) + 0.001
    dominant = Psa(uncertain.strategies, cost, qalys, uncertain.thresholds)
    for wtp in (0.0, 20_000.0, 30_000.0, 50_000.0):
        assert evpi(dominant, wtp) == 0.0
        assert acceptability(dominant, np.array([wtp]))[0].tolist() == [0.0, 1.0, 0.0]


def test_the_plots_are_the_same_bytes_each_time(tmp_path):
    from simulations.results.plots import figure_bytes
    from simulations.analyses.sweep_psa_plots import ce_plane_figure, ceac_figure

    psa = random_psa(50, 2)
    for make in (ce_plane_figure, ceac_figure):
        first, second = (figure_bytes(make(psa), "png") for _ in range(2))
        assert first == second and first.startswith(b"\x89PNG")
    assert figure_bytes(ce_plane_figure(psa), "png") != figure_bytes(ce_plane_figure(random_psa(50, 2, 1)), "png")


BAD = [
    ("one strategy", "  mri_at_4_weeks: {variant}\n", "", "strategies:",
     "`strategies` of the sweep file must map 2 to 10 names to pathway folders (the first is the reference), e.g. "
     "{current: shipped, mri_at_4_weeks: strategies/mri-at-4-weeks}, not 1 strategy"),
    ("a bad name", "  mri_at_4_weeks: {variant}", "  MRI-4: {variant}", "MRI-4",
     "strategy name `MRI-4` in `strategies`: allowed, a lower-case letter then up to 39 lower-case letters, digits "
     "or underscores, e.g. mri_at_4_weeks"),
    ("a missing folder", "  mri_at_4_weeks: {variant}", "  mri_at_4_weeks: nowhere", "mri_at_4_weeks",
     "strategy `mri_at_4_weeks`: no pathway folder at nowhere (looked for {folder}/nowhere); a strategy is a pathway "
     "folder, relative to the sweep file, or `shipped`"),
    ("not a folder name", "  mri_at_4_weeks: {variant}", "  mri_at_4_weeks: [a, b]", "mri_at_4_weeks",
     "strategy `mri_at_4_weeks` is a list; a strategy is a pathway folder (relative to the sweep file) or "
     "`shipped` for the installed pathway"),
]


@pytest.mark.parametrize("old, new, needle, message", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_each_bad_strategy_is_reported_by_file_and_line(tmp_path, old, new, needle, message):
    path = write(tmp_path, PSA.replace(old, new))
    with pytest.raises(SweepError) as err:
        load_plan(path, BASE)
    said = [str(p) for p in err.value.problems]
    expected = message.replace("{folder}", str(tmp_path))
    assert said == [f"{path}:{line_of(path, needle)}: {expected}"]


def test_a_strategy_that_does_not_load_names_its_line_and_the_pathways_problem(tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(shipped_pathway(), broken)
    (broken / "pathway.yaml").write_text((broken / "pathway.yaml").read_text().replace("initial: onset", "initial: x"))
    path = write(tmp_path, PSA.replace("  mri_at_4_weeks: {variant}", "  broken: broken"))
    result = CliRunner().invoke(sweep, [str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{line_of(path, 'broken: broken')}: strategy `broken`: the pathway at broken is "
                            f"not valid: {broken / 'pathway.yaml'}:")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_strategies_and_pathway_together_are_refused(tmp_path):
    result = CliRunner().invoke(sweep, [str(write(tmp_path, PSA)), "--pathway", "shipped", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "--pathway is for a sweep without them" in result.stderr


def test_an_engine_built_once_per_pathway_gives_the_chunks_of_a_fresh_one():
    """The sweep swaps each set's natural history into an engine built for the pathway: it must
    simulate exactly what an engine built for those parameters does."""
    from pathway.loader import load_pathway
    from simulations.engines.compiled import CompiledSimulator
    from simulations.model.history import NaturalHistory

    spec = load_pathway(shipped_pathway())
    compiled_simulator(spec, BASE, 52)  # the engine built for the base parameters
    for changes in ({"waits.urgent_mri_weeks": 2, "course.disabling_when_persisting": 0.8},
                    {"risk_factors.osteoporosis": 0.0, "treatment.epidural_relief": 0.2, "waits.epidural_weeks": 7}):
        params = BASE.with_values(changes)
        swapped = compiled_simulator(spec, params, 52).run(5, 0, 400)
        fresh = CompiledSimulator(spec, NaturalHistory(params), 52).run(5, 0, 400)
        assert not swapped.differences(fresh, spec), changes
        assert swapped.differences(compiled_simulator(spec, BASE, 52).run(5, 0, 400), spec)  # the change did matter


def test_the_shipped_strategy_is_the_shipped_pathway_with_its_changes():
    plan = load_plan(REPO / "simulations" / "sweeps" / "psa.yaml", BASE)
    current, changed = plan.strategies
    assert current.spec.content_hash == load_pathway(shipped_pathway()).content_hash
    assert changed.spec.content_hash != current.spec.content_hash
    assert "conservative_care_weeks >= 4" in changed.spec.condition["persisting_despite_care"].text


CHANGE = '      - file: conditions.yaml\n        replace: "{old}"\n        with: x\n'
BAD_CHANGES = [
    ("text not found", "conservative_care_weeks >= 9", "is found 0 times in conditions.yaml; a change's text must be "
     "found exactly once (quote more of the line to tell its places apart)"),
    ("text found twice", "conservative_care_weeks", "is found 2 times in conditions.yaml"),
]


@pytest.mark.parametrize("old, message", [c[1:] for c in BAD_CHANGES], ids=[c[0] for c in BAD_CHANGES])
def test_a_change_that_does_not_fit_the_pathway_is_reported_at_its_line(tmp_path, old, message):
    text = PSA.replace("  mri_at_4_weeks: {variant}\n", "  changed:\n    from: shipped\n    change:\n" + CHANGE.format(old=old))
    path = write(tmp_path, text)
    with pytest.raises(SweepError) as err:
        load_plan(path, BASE)
    said = [str(p) for p in err.value.problems]
    assert len(said) == 1 and said[0].startswith(f"{path}:{line_of(path, 'replace:')}: `{old}` {message}")


def test_a_change_to_a_file_the_pathway_lacks_or_that_breaks_it_is_reported(tmp_path):
    text = PSA.replace("{variant}", "{{from: shipped, change: [{{file: nowhere.yaml, replace: a, with: b}}]}}")
    with pytest.raises(SweepError) as err:
        load_plan(write(tmp_path, text), BASE)
    assert "`file` is `nowhere.yaml`: not a file of the pathway" in str(err.value.problems[0])
    outside = tmp_path / "outside.yaml"
    outside.write_text("a", encoding="utf-8")
    escape = f"{{{{from: shipped, change: [{{{{file: ../../../../../../..{outside}, replace: a, with: b}}}}]}}}}"
    with pytest.raises(SweepError) as err:
        load_plan(write(tmp_path, PSA.replace("{variant}", escape)), BASE)
    assert "not a file of the pathway" in str(err.value.problems[0])
    assert outside.read_text(encoding="utf-8") == "a"  # a change never reaches outside the pathway's copy
    broken = "{{from: shipped, change: [{{file: pathway.yaml, replace: 'initial: onset', with: 'initial: x'}}]}}"
    with pytest.raises(SweepError) as err:
        load_plan(write(tmp_path, PSA.replace("{variant}", broken)), BASE)
    assert "strategy `mri_at_4_weeks`: the changed pathway is not valid:" in str(err.value.problems[0])
    assert "(changed)" in str(err.value.problems[0]) and "sciatica-strategy-" not in str(err.value.problems[0])


def test_a_changed_pathway_is_made_again_when_its_base_changes(tmp_path):
    """The changed pathways a process keeps are keyed by the base's bytes and the changes."""
    base = tmp_path / "base"
    shutil.copytree(shipped_pathway(), base)
    path = tmp_path / "psa.yaml"
    path.write_text(PSA.format(variant=VARIANT.replace("from: shipped", f"from: {base}")), encoding="utf-8")
    first = load_plan(path, BASE).strategies[1].spec
    assert load_plan(path, BASE).strategies[1].spec is first  # kept
    pathway = base / "pathway.yaml"
    pathway.write_text(pathway.read_text(encoding="utf-8").replace("version: 2.1.1", "version: 2.1.2"), encoding="utf-8")
    again = load_plan(path, BASE).strategies[1].spec
    assert again is not first and again.content_hash != first.content_hash
