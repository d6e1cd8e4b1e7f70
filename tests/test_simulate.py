"""Simulated cohorts: reproducible to the byte, every patient accounted for every week, missed
red flags visible, and bad input refused before any work."""

from __future__ import annotations

import itertools
import json

import attrs
import numpy as np
import pytest
from click.testing import CliRunner

from pathway.cli import main
from pathway.loader import load_pathway
from pathway.shipped import shipped_pathway
from simulations import load_parameters
from simulations.running.cohort import CohortSettings, check_fits_in_memory, chunk_ranges, simulate
from simulations.analyses.comparison import compare_cohorts
from simulations.engines.course import CourseSimulator, SimulationError
from simulations.model.history import RED_FLAG_FINDINGS, NaturalHistory
from simulations.results.summary import summarise

SPEC = load_pathway(shipped_pathway())
PARAMS = load_parameters()


OUTPUT_FILES = ("summary.txt", "summary.json", "patients.csv", "visits.csv", "occupancy.csv", "codebook.json", "flow.svg",
                "occupancy.png", "recovery.png")


def run_cli(*args):
    return CliRunner().invoke(main, [*map(str, args)], catch_exceptions=False)


def folder_bytes(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def cohort():
    return simulate(SPEC, PARAMS, CohortSettings(patients=400, seed=11, weeks=52), chunk_size=64, resamples=20)


# -- reproducibility ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_same_seed_same_bytes_whatever_the_chunk_size(tmp_path, fmt):
    runs = []
    for chunk in (7, 50):
        out = tmp_path / f"chunk{chunk}"
        result = run_cli("simulate", "--patients", 120, "--seed", 5, "--weeks", 30, "--format", fmt,
                         "--chunk-size", chunk, "--out", out, "--quiet")
        assert result.exit_code == 0, result.output
        runs.append(folder_bytes(out))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {name if name == "occupancy.csv" else name.replace(".csv", f".{fmt}")
                            for name in OUTPUT_FILES}


def test_engines_workers_and_a_dask_cluster_write_the_same_bytes(tmp_path):
    """The reference engine, the compiled engine in one process, two worker processes, and a Dask
    LocalCluster on loopback: byte-identical files."""
    distributed = pytest.importorskip("distributed", reason="the optional dask extra is not installed")
    args = ("simulate", "--patients", 250, "--seed", 6, "--weeks", 40, "--chunk-size", 60, "--quiet")
    runs = {}
    for name, extra in (("reference", ("--engine", "reference")), ("compiled", ()), ("workers", ("--workers", 2))):
        result = run_cli(*args, "--out", tmp_path / name, *extra)
        assert result.exit_code == 0, result.output
        runs[name] = folder_bytes(tmp_path / name)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        result = run_cli(*args, "--out", tmp_path / "dask", "--scheduler", cluster.scheduler_address)
        assert result.exit_code == 0, result.output
        runs["dask"] = folder_bytes(tmp_path / "dask")
    assert set(runs["compiled"]) == set(OUTPUT_FILES)
    for name in ("reference", "workers", "dask"):
        assert runs[name] == runs["compiled"], name


def test_an_unreachable_scheduler_fails_fast_and_writes_nothing(tmp_path):
    pytest.importorskip("distributed", reason="the optional dask extra is not installed")
    out = tmp_path / "run"
    result = run_cli("simulate", "--patients", 20, "--out", out, "--quiet", "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert not out.exists() or not list(out.iterdir())  # the scheduler is tried first: --out may not be made


def test_a_lost_cluster_writes_nothing_and_keeps_finished_chunks(tmp_path, monkeypatch):
    import simulations.running.cohort as cohort_module
    from simulations.running.execution import WorkerLost

    real = cohort_module.run_chunks

    def lost_after_two(job, ranges, executor=None, in_flight=4):
        for i, chunk in enumerate(real(job, ranges, executor, in_flight)):
            if i == 2:
                raise WorkerLost(["the cluster went away while running patients from 20"])
            yield chunk

    monkeypatch.setattr(cohort_module, "run_chunks", lost_after_two)
    out = tmp_path / "run"
    result = run_cli("simulate", "--patients", 40, "--chunk-size", 10, "--out", out, "--quiet")
    assert result.exit_code == 1
    assert "error: the cluster went away while running patients from 20: no files written" in result.output
    assert "2 finished chunk(s) kept" in result.output and "--resume" in result.output
    assert [p.name[:17] for p in out.iterdir()] == [".sciatica-chunks-"]


def test_no_visits_writes_the_same_files_but_the_visits_table(tmp_path):
    args = ("simulate", "--patients", 40, "--quiet")
    assert run_cli(*args, "--out", tmp_path / "all").exit_code == 0
    assert run_cli(*args, "--out", tmp_path / "some", "--no-visits").exit_code == 0
    some, every = folder_bytes(tmp_path / "some"), folder_bytes(tmp_path / "all")
    assert set(some) == set(every) - {"visits.csv"}
    assert all(some[name] == every[name] for name in some if name != "codebook.json")
    described = [[t["table"] for t in json.loads(files["codebook.json"])["tables"]] for files in (some, every)]
    assert described == [["patients", "occupancy"], ["patients", "visits", "occupancy"]]


def test_a_different_seed_gives_different_patients(tmp_path):
    for seed in (1, 2):
        assert run_cli("simulate", "--patients", 60, "--seed", seed, "--out", tmp_path / str(seed), "--quiet").exit_code == 0
    assert (tmp_path / "1" / "patients.csv").read_bytes() != (tmp_path / "2" / "patients.csv").read_bytes()


def test_a_patient_is_the_same_person_in_any_cohort():
    history = NaturalHistory(PARAMS)
    alone = CourseSimulator(SPEC, history, 52).run(seed=3, index=17)
    chunks = []
    simulate(SPEC, PARAMS, CohortSettings(patients=20, seed=3), chunk_size=6, on_chunk=chunks.append)
    assert [(c.first, c.first + c.n) for c in chunks] == chunk_ranges(20, 6)
    chunk = next(c for c in chunks if c.first <= 17 < c.first + c.n)
    assert chunk.patients["age"][17 - chunk.first] == alone.outcome.age
    assert chunk.patients["visits"][17 - chunk.first] == alone.outcome.visits


def test_cohort_chunks_are_the_reference_engines_own():
    """simulate's chunks are those of execution.run_chunk (what worker processes run) with the
    reference engine, whose job pickles."""
    import pickle

    from simulations.running.execution import ChunkJob, run_chunk

    chunks = []
    simulate(SPEC, PARAMS, CohortSettings(patients=25, seed=7, weeks=30), chunk_size=10, on_chunk=chunks.append)
    job = pickle.loads(pickle.dumps(ChunkJob(SPEC, PARAMS, 30, 7, engine="reference")))
    first, last = chunk_ranges(25, 10)[1]
    there = run_chunk(job, first, last)
    assert (there.first, there.n) == (chunks[1].first, chunks[1].n)
    assert chunks[1].differences(there, SPEC) == []


# -- tables ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chunks():
    """120 patients over 30 weeks, in chunks of 7."""
    found = []
    simulate(SPEC, PARAMS, CohortSettings(patients=120, seed=5, weeks=30), chunk_size=7, on_chunk=found.append)
    return found


def python_csv(table) -> bytes:
    """The table as the csv module writes it (the writer before Arrow): the reference bytes."""
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(table.column_names)
    cell = {None: "", True: "true", False: "false"}
    writer.writerows([cell.get(v, v) if v is None or isinstance(v, bool) else ";".join(v) if isinstance(v, list) else v
                      for v in row.values()] for row in table.to_pylist())
    return text.getvalue().encode()


def write_tables(folder, fmt, chunks, weeks=(2, 4, 12)):
    from simulations.results.outputs import TableWriter

    folder.mkdir(exist_ok=True)
    with TableWriter(folder, fmt, SPEC, weeks) as tables:
        for chunk in chunks:
            tables.write(chunk)
    return folder


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_slim_chunks_write_the_same_tables(tmp_path, chunks, fmt):
    """What workers send back (Chunk.slim) makes the very tables the whole chunks make."""
    from simulations.running.chunk import Parts

    whole = write_tables(tmp_path / "whole", fmt, chunks)
    slim = write_tables(tmp_path / "slim", fmt, [c.slim(Parts((2, 4, 12), visits=True)) for c in chunks])
    assert folder_bytes(slim) == folder_bytes(whole)
    no_visits = tmp_path / "no_visits"
    no_visits.mkdir()
    from simulations.results.outputs import TableWriter

    with TableWriter(no_visits, fmt, SPEC, (2, 4, 12), visits=False) as tables:
        for chunk in chunks:
            tables.write(chunk.slim(Parts((2, 4, 12), visits=False)))
    assert folder_bytes(no_visits) == {name: data for name, data in folder_bytes(whole).items() if "visits" not in name}


@pytest.mark.parametrize("parts", [None, (2, 4, 12, 52), (4,)], ids=["whole", "slim", "slim-with-visits"])
def test_a_checkpoint_keeps_a_chunk_and_its_totals(tmp_path, parts):
    from simulations.running.checkpoint import Checkpoint
    from simulations.running.chunk import Parts
    from simulations.running.execution import ChunkJob, run_and_total

    parts = None if parts is None else Parts(parts, visits=len(parts) == 1)
    chunk, totals = run_and_total(ChunkJob(SPEC, PARAMS, 52, 3, parts=parts), 100, 400)
    checkpoint = Checkpoint(tmp_path, "key")
    checkpoint.save(chunk, totals)
    assert checkpoint.saved() == {(100, 400)}
    loaded, loaded_totals = checkpoint.load(100, 400)
    assert loaded_totals == totals
    assert (loaded.first, loaded.n, loaded.words, loaded.improved_weeks) == (chunk.first, chunk.n, chunk.words, chunk.improved_weeks)
    assert np.array_equal(loaded.improved, chunk.improved)
    assert (loaded.states is None) == (chunk.states is None)
    for part in ("patients", "visits", "steps"):
        mine, theirs = getattr(loaded, part), getattr(chunk, part)
        assert (mine is None) == (theirs is None)
        assert all(np.array_equal(mine[k], theirs[k]) and mine[k].dtype == theirs[k].dtype for k in theirs or {})


@pytest.mark.parametrize("patients,size", [(1, 10), (30, 10), (1_000_000, 125_000), (120, 7), (7, 50), (100, 1)])
def test_chunks_cover_the_cohort_in_order_the_last_ones_smaller(patients, size):
    ranges = chunk_ranges(patients, size)
    assert ranges[0][0] == 0 and ranges[-1][1] == patients
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges)) and all(last > first for first, last in ranges)
    sizes = [last - first for first, last in ranges]
    assert max(sizes) <= size and sizes[-1] <= max(1, size // 2 + 1)


def test_arrow_csv_is_what_python_csv_wrote(tmp_path, chunks):
    import pyarrow as pa

    from simulations.results.tables import Words, patients_table, visits_table

    folder = write_tables(tmp_path, "csv", chunks)
    words = Words.of(SPEC)
    patients = pa.concat_tables([patients_table(c, words, (2, 4, 12)) for c in chunks])
    visits = pa.concat_tables([visits_table(c, words) for c in chunks])
    assert (folder / "patients.csv").read_bytes() == python_csv(patients)
    assert (folder / "visits.csv").read_bytes() == python_csv(visits)
    assert b"true" in (folder / "patients.csv").read_bytes() and b",," in (folder / "patients.csv").read_bytes()


def test_a_value_that_needs_quotes_is_quoted_as_python_csv_does(tmp_path, chunks, monkeypatch):
    import csv

    import pyarrow as pa

    from simulations.results import outputs

    words = outputs.Words.of(SPEC)
    odd = {"conservative_care": "cauda, equina", "discharged": 'say "when"', "lumbar_imaging": "line\nbreak"}
    states = pa.array([odd.get(s, s) for s in words.values["states"].to_pylist()])
    monkeypatch.setattr(outputs.Words, "of", lambda spec: attrs.evolve(words, values={**words.values, "states": states}))
    folder = write_tables(tmp_path, "csv", chunks)
    rows = list(csv.DictReader((folder / "patients.csv").open(newline="")))
    assert len(rows) == 120 and {r["final_state"] for r in rows} >= {'say "when"'}
    assert b'"say ""when"""' in (folder / "patients.csv").read_bytes()
    visits = list(csv.DictReader((folder / "visits.csv").open(newline="")))
    assert {v["start"] for v in visits} >= set(odd.values())
    assert any(v["path"].startswith("initial_assessment;cauda, equina") for v in visits)


def test_tables_take_chunks_in_patient_order(tmp_path, chunks):
    from simulations.results.outputs import TableWriter

    with TableWriter(tmp_path, "csv", SPEC, (2,)) as tables:
        tables.write(chunks[0])
        with pytest.raises(ValueError, match="expected patient 7, got 14"):
            tables.write(chunks[2])  # chunks[1] dropped
        with pytest.raises(ValueError, match="expected patient 7, got 0"):
            tables.write(chunks[0])  # chunks[0] again


def test_parquet_row_groups_have_a_fixed_size(tmp_path, chunks, monkeypatch):
    import pyarrow.parquet as pq

    from simulations.results import outputs

    monkeypatch.setattr(outputs, "PARQUET_ROW_GROUP", 50)
    folder = write_tables(tmp_path, "parquet", chunks)
    patients = pq.ParquetFile(folder / "patients.parquet")
    assert [patients.metadata.row_group(i).num_rows for i in range(patients.num_row_groups)] == [50, 50, 20]
    table = patients.read()
    assert table.column("patient_id").to_pylist() == [f"P{i:07d}" for i in range(120)]
    # Every chunk's dictionary is the whole vocabulary: one dictionary type, whatever the chunks.
    assert str(table.schema.field("final_state").type) == "dictionary<values=string, indices=int32, ordered=0>"
    visits = pq.ParquetFile(folder / "visits.parquet")
    sizes = [visits.metadata.row_group(i).num_rows for i in range(visits.num_row_groups)]
    assert set(sizes[:-1]) == {50} and 0 < sizes[-1] <= 50


def test_every_format_holds_the_same_rows(tmp_path, chunks):
    import json

    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    tables = {fmt: write_tables(tmp_path / fmt, fmt, chunks) for fmt in ("csv", "jsonl", "parquet")}
    for name in ("patients", "visits"):
        from_parquet = pq.read_table(tables["parquet"] / f"{name}.parquet").to_pylist()
        from_jsonl = [json.loads(line) for line in (tables["jsonl"] / f"{name}.jsonl").read_text().splitlines()]
        assert from_parquet == from_jsonl
        file_schema = pq.read_schema(tables["parquet"] / f"{name}.parquet")
        words = [f.name for f in file_schema if not (pa.types.is_integer(f.type) or pa.types.is_boolean(f.type))]
        options = pa_csv.ConvertOptions(column_types={f.name: pa.string() if f.name in words else f.type
                                                      for f in file_schema}, strings_can_be_null=True)
        from_csv = pa_csv.read_csv(tables["csv"] / f"{name}.csv", convert_options=options).to_pylist()
        lists = [f.name for f in file_schema if pa.types.is_list(f.type)]
        assert [{k: v.split(";") if k in lists and v is not None else v for k, v in row.items()}
                for row in from_csv] == from_parquet
    # `path`: the states entered, the destinations of the visit's transitions that are not stays.
    visits = [json.loads(line) for line in (tables["jsonl"] / "visits.jsonl").read_text().splitlines()]
    transition = {t.id: t for t in SPEC.transitions}
    for v in visits:
        fired = [transition[t] for t in v["transitions"]]
        assert fired and v["path"] == ([t.dest for t in fired if not t.is_stay] or None)


# -- conservation ----------------------------------------------------------------------------------------

def test_every_patient_is_in_exactly_one_state_every_week(cohort):
    assert cohort.occupancy.shape == (53, len(SPEC.states))
    assert (cohort.occupancy.sum(axis=1) == 400).all()
    assert cohort.counts.patients == 400
    assert cohort.counts.improved.shape == (53,)
    assert cohort.counts.present["visits"] == 400
    assert cohort.counts.total["visits"] == cohort.visits


def test_every_patient_has_one_row_and_visits_in_week_order(tmp_path):
    out = tmp_path / "run"
    assert run_cli("simulate", "--patients", 80, "--seed", 2, "--format", "jsonl", "--out", out, "--quiet").exit_code == 0
    patients = [json.loads(line) for line in (out / "patients.jsonl").read_text().splitlines()]
    visits = [json.loads(line) for line in (out / "visits.jsonl").read_text().splitlines()]
    assert [p["patient_id"] for p in patients] == [f"P{i:07d}" for i in range(80)]
    for p in patients:
        own = [v for v in visits if v["patient_id"] == p["patient_id"]]
        assert len(own) == p["visits"] >= 1
        assert [v["week"] for v in own] == sorted(v["week"] for v in own)
        assert own[0]["reason"] == "first" and own[0]["week"] == 0
    occupancy = (out / "occupancy.csv").read_text().splitlines()
    assert all(sum(map(int, line.split(",")[1:])) == 80 for line in occupancy[1:])


def test_red_flags_reach_urgent_care_on_the_shipped_pathway():
    """Every red flag seen at a visit reaches urgent care - fractures that begin after a first
    X-ray or scan included (hazard H11: a new low-velocity injury counts after earlier imaging)."""
    summary = summarise(simulate(SPEC, PARAMS, CohortSettings(patients=6000, seed=11), chunk_size=2000))
    assert summary.value("patients_with_red_flag") > 100
    assert summary.value("red_flags_never_escalated") == 0
    seen = summary.value("patients_with_red_flag") - summary.value("red_flags_not_seen")
    assert seen > 100


def test_a_pathway_without_red_flag_escalations_misses_red_flags():
    unsafe = attrs.evolve(SPEC, transitions=tuple(t for t in SPEC.transitions if not t.escalation))
    settings = CohortSettings(patients=400, seed=11)
    summary = summarise(simulate(unsafe, PARAMS, settings, chunk_size=100))
    safe = summarise(simulate(SPEC, PARAMS, settings, chunk_size=100))
    # Some red flags still reach urgent care through the ordinary transitions (an abnormal X-ray
    # after a deferred X-ray); many do not. (The shipped pathway misses none:
    # test_red_flags_reach_urgent_care_on_the_shipped_pathway.)
    assert summary.value("red_flags_never_escalated") >= safe.value("red_flags_never_escalated") + \
        safe.value("patients_with_red_flag") / 3
    assert summary.value("red_flags_worsened") > safe.value("red_flags_worsened")


def test_every_red_flag_category_is_recorded_in_pathway_words():
    findings = SPEC.finding
    for category, shown in RED_FLAG_FINDINGS.items():
        for name, value in shown.items():
            assert findings[name].allows(value), (category, name)
    names = {f"red_flags.{c}" for c in RED_FLAG_FINDINGS}
    assert names <= set(PARAMS.parameters)


# -- comparing versions ------------------------------------------------------------------------------------

def test_a_comparison_needs_resampled_arms(cohort):
    plain = simulate(SPEC, PARAMS, cohort.settings, chunk_size=400)
    with pytest.raises(ValueError, match="same number of bootstrap resamples"):
        compare_cohorts(cohort, plain)


def test_a_pathway_compared_with_itself_differs_by_nothing(cohort):
    again = simulate(SPEC, PARAMS, cohort.settings, chunk_size=400, resamples=20)
    comparison = compare_cohorts(cohort, again)
    assert comparison.resamples == 20
    for row in comparison.rows:
        if np.isnan(row.old):
            assert np.isnan(row.new)
            continue
        assert row.difference == 0, row.figure.key
        assert (row.low, row.high) == (0, 0) or np.isnan(row.low), row.figure.key


def test_compare_shows_what_an_earlier_mri_changes(tmp_path):
    early = tmp_path / "early"
    import shutil

    shutil.copytree(shipped_pathway(), early)
    conditions = early / "conditions.yaml"
    text = conditions.read_text()
    assert '(conservative_care_weeks >= 6 and trend != "improving")' in text
    conditions.write_text(text.replace("conservative_care_weeks >= 6 and", "conservative_care_weeks >= 3 and")
                          .replace("persisting after 6 weeks", "persisting after 3 weeks"))
    transitions = early / "transitions.yaml"  # the words must follow the guard, or validate refuses it
    transitions.write_text(transitions.read_text().replace("persisting after 6 weeks", "persisting after 3 weeks"))
    result = run_cli("compare", shipped_pathway(), early, "--patients", 300, "--seed", 4, "--json", "--quiet",
                     "--resamples", 50)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)["figures"]
    assert figures["imaging_without_indication_per_1000"]["difference"] > 0
    low, high = figures["imaging_without_indication_per_1000"]["interval"]
    assert 0 < low <= high
    assert figures["patients_with_red_flag"]["difference"] == 0  # the same people
    one = run_cli("compare", early, "--patients", 300, "--seed", 4, "--json", "--quiet", "--resamples", 50)
    assert one.stdout == result.stdout  # one pathway: the shipped one is OLD, as in `diff`


# -- bad input -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (("--patients", 0), "--patients must be 1 or more, not 0"),
    (("--patients", -5), "--patients must be 1 or more, not -5"),
    (("--weeks", 0), "--weeks must be from 1 to 520"),
    (("--weeks", 600), "--weeks must be from 1 to 520"),
    (("--chunk-size", 0), "chunk size must be 1 or more, not 0"),
    (("--patients", 10**10, "--chunk-size", 10**10), "needs about"),
    (("--patients", 2**40), "--patients must be under 1,099,511,627,776"),
])
def test_bad_settings_are_refused_before_any_work(tmp_path, args, message):
    out = tmp_path / "run"
    result = run_cli("simulate", *args, "--out", out, "--quiet")
    assert result.exit_code == 1
    assert message in result.output
    assert not out.exists() or not any(out.iterdir())


def test_memory_is_counted_per_chunk_not_per_cohort():
    big, small = CohortSettings(patients=10**11, seed=1), CohortSettings(patients=10**6, seed=1)
    assert big.memory_needed(1000) == small.memory_needed(1000)
    assert big.memory_needed(1000) < 2**30
    check_fits_in_memory(big, chunk_size=1000)  # a hundred billion patients fit, a thousand at a time
    assert big.memory_needed(1000, resamples=200) > big.memory_needed(1000)


def test_an_output_path_that_is_a_file_is_refused(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("keep me")
    result = run_cli("simulate", "--patients", 5, "--out", blocker, "--quiet")
    assert result.exit_code != 0
    assert "taken" in result.output
    assert blocker.read_text() == "keep me"


def test_an_output_folder_that_cannot_be_created_is_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_cli("simulate", "--patients", 5, "--out", blocker / "sub", "--quiet")
    assert result.exit_code == 1
    assert "cannot write" in result.output


def _interrupt_after(monkeypatch, chunks: int) -> list[int]:
    """Make the next run stop with Ctrl-C when it has folded in `chunks` chunks."""
    import simulations.running.cohort as cohort_module

    real = cohort_module.CohortResult.add
    calls = []

    def interrupt(self, chunk, totals=None):
        calls.append(chunk.first)
        if len(calls) > chunks:
            raise KeyboardInterrupt
        real(self, chunk, totals)

    monkeypatch.setattr(cohort_module.CohortResult, "add", interrupt)
    return calls


def test_an_interrupted_run_leaves_no_files_and_resumes_from_its_chunks(tmp_path, monkeypatch):
    out = tmp_path / "run"
    out.mkdir()
    (out / "summary.txt").write_text("an earlier run")
    args = ("simulate", "--patients", 30, "--chunk-size", 10, "--out", out, "--quiet")
    with monkeypatch.context() as patch:
        _interrupt_after(patch, 1)  # Ctrl-C while the second finished chunk is being folded in
        result = run_cli(*args)
    assert result.exit_code == 130
    assert "interrupted: no files written" in result.output and "--resume" in result.output
    kept = [p for p in out.iterdir() if p.name != "summary.txt"]
    assert (out / "summary.txt").read_text() == "an earlier run"  # no output replaced, no partial table
    assert len(kept) == 1 and kept[0].name.startswith(".sciatica-chunks-") and len(list(kept[0].iterdir())) == 2

    import simulations.running.execution as execution

    ran = []
    real_run_chunk = execution.run_chunk
    monkeypatch.setattr(execution, "run_chunk", lambda job, first, last: ran.append(first) or real_run_chunk(job, first, last))
    assert run_cli(*args, "--resume").exit_code == 0
    firsts = [first for first, _ in chunk_ranges(30, 10)]  # 0, 10, 15, 20, 25: the last ones smaller
    assert ran == firsts[2:]  # only the chunks the interrupted run had not finished
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)  # the chunks folder is gone
    fresh = tmp_path / "fresh"
    assert run_cli("simulate", "--patients", 30, "--out", fresh, "--quiet").exit_code == 0
    assert all((out / name).read_bytes() == (fresh / name).read_bytes() for name in OUTPUT_FILES)


def test_without_resume_a_run_starts_afresh(tmp_path, monkeypatch):
    out = tmp_path / "run"
    args = ("simulate", "--patients", 30, "--chunk-size", 10, "--out", out, "--quiet")
    with monkeypatch.context() as patch:
        _interrupt_after(patch, 1)
        assert run_cli(*args).exit_code == 130
    import simulations.running.execution as execution

    ran = []
    real_run_chunk = execution.run_chunk
    monkeypatch.setattr(execution, "run_chunk", lambda job, first, last: ran.append(first) or real_run_chunk(job, first, last))
    assert run_cli(*args).exit_code == 0
    assert ran == [first for first, _ in chunk_ranges(30, 10)]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_bad_parameter_file_names_file_and_line(tmp_path):
    bad = tmp_path / "parameters.yaml"
    text = load_parameters().source
    from pathlib import Path

    bad.write_text(Path(text).read_text().replace("value: 0.675", "value: 1.675"))
    result = run_cli("simulate", "--parameters", bad, "--patients", 5, "--out", tmp_path / "run", "--quiet")
    assert result.exit_code == 1
    line = next(i for i, l in enumerate(bad.read_text().splitlines(), 1) if "1.675" in l)
    assert f"{bad}:{line}:" in result.output
    assert "1.675" in result.output and "from 0 to 1" in result.output


@pytest.mark.parametrize("engine", ["reference", "compiled"])
def test_a_state_waiting_for_a_result_nobody_produces_is_refused(engine):
    from simulations.engines.compiled import CompiledSimulator

    odd = attrs.evolve(SPEC.state["epidural_injection"], awaits="symptoms_resolved")
    spec = attrs.evolve(SPEC, states=tuple(odd if s.id == odd.id else s for s in SPEC.states))
    build = {"reference": CourseSimulator, "compiled": CompiledSimulator}[engine]
    with pytest.raises(SimulationError) as caught:
        build(spec, NaturalHistory(PARAMS), 52)
    [problem] = caught.value.problems
    assert str(problem).startswith(f"{odd.line}: state `epidural_injection` waits for `symptoms_resolved`, "
                                   "a result the simulator cannot produce; it produces mri_result")
