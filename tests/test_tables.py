"""The simulation tables as an analyst reads them: pandas and polars at their default settings,
and codebook.json beside them saying what every column holds.

The cohort is the one an outside review read (600 patients, seed 1): its first operation is
at row 440, past the rows a reader infers types from.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from pathway.cli import main

FORMATS = ("csv", "jsonl", "parquet")
WEEKS = ("red_flag_onset_week", "red_flag_seen_week", "urgent_care_week", "first_mri_week", "surgery_week",
         "discharged_week", "first_improved_week")
POLARS = {"integer": pl.Int64, "boolean": pl.Boolean, "text": pl.String, "category": pl.String,
          "list": pl.List(pl.String)}


def simulate(out, *args):
    result = CliRunner().invoke(main, ["simulate", "--out", str(out), "--quiet", *map(str, args)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The cohort in each format."""
    root = tmp_path_factory.mktemp("tables")
    return {fmt: simulate(root / fmt, "--patients", 600, "--seed", 1, "--format", fmt) for fmt in FORMATS}


@pytest.fixture(scope="module")
def book(runs):
    return json.loads((runs["parquet"] / "codebook.json").read_text(encoding="utf-8"))


def columns(book, table):
    """The codebook's columns of `table`, by name."""
    [found] = [t for t in book["tables"] if t["table"] == table]
    return {c["column"]: c for c in found["columns"]}


def vocabulary(book, column):
    return [v["value"] for v in book["values"][column["values"]]]


def polars_schema(book, table):
    """What a polars user passes for a text format: the codebook's types."""
    return {name: POLARS[c["type"]] for name, c in columns(book, table).items()}


# -- Parquet: the types travel with the file ----------------------------------------------------------

@pytest.mark.parametrize("table", ["patients", "visits"])
def test_pandas_reads_parquet_with_the_codebook_types(runs, book, table):
    frame = pd.read_parquet(runs["parquet"] / f"{table}.parquet")
    described = columns(book, table)
    assert list(frame.columns) == list(described)
    for name, c in described.items():
        dtype = frame[name].dtype
        assert c["missing"] or frame[name].notna().all(), name
        if c["type"] == "integer":
            assert dtype == ("Int64" if c["missing"] else "int64"), name  # never a float
        elif c["type"] == "boolean":
            assert dtype == bool, name
        elif c["type"] == "text":
            assert pd.api.types.is_string_dtype(dtype), name
        elif c["type"] == "category":
            assert dtype == pd.CategoricalDtype(vocabulary(book, c), ordered=c["ordered"]), name
        else:  # a list of words, or missing when none
            assert all(v is None or set(v) <= set(vocabulary(book, c)) for v in frame[name]), name


def test_urgency_is_an_ordered_category(runs):
    urgency = pd.read_parquet(runs["parquet"] / "visits.parquet")["urgency"]
    assert urgency.cat.ordered and list(urgency.cat.categories) == ["none", "routine", "urgent", "emergency"]
    assert (urgency >= "urgent").sum() > 0 and urgency.max() in ("urgent", "emergency")


def test_week_columns_are_nullable_integers_even_when_no_one_has_the_event(tmp_path):
    few = simulate(tmp_path / "few", "--patients", 5, "--seed", 1, "--format", "parquet")
    patients = pd.read_parquet(few / "patients.parquet")
    assert patients["surgery_week"].isna().all()  # no operation among 5 patients
    assert all(patients[w].dtype == "Int64" for w in WEEKS)
    assert pl.read_parquet(few / "patients.parquet").schema["surgery_week"] == pl.Int64


@pytest.mark.parametrize("table", ["patients", "visits"])
def test_polars_reads_parquet_with_the_codebook_types(runs, book, table):
    schema = pl.read_parquet(runs["parquet"] / f"{table}.parquet").schema
    expected = {**polars_schema(book, table),
                **{n: pl.Categorical for n, c in columns(book, table).items() if c["type"] == "category"}}
    assert dict(schema) == expected


def test_parquet_words_are_dictionaries_over_the_whole_vocabulary(runs, book):
    file = pq.ParquetFile(runs["parquet"] / "visits.parquet")
    assert str(file.schema_arrow.field("urgency").type) == "dictionary<values=string, indices=int32, ordered=1>"
    assert str(file.schema_arrow.field("path").type) == "list<element: string>"
    imaging = file.read(columns=["imaging"]).column("imaging").chunk(0).dictionary.to_pylist()
    assert imaging == vocabulary(book, columns(book, "visits")["imaging"])  # orders never made included


# -- JSON Lines and CSV: the codebook gives the types ----------------------------------------------------

def test_polars_reads_json_lines_as_integers(runs, book):
    """JSON has no typed null, so a reader that infers types from the first rows (polars: 100)
    cannot type a column missing in all of them; with the codebook's types, or inferring from
    every row, each week column is an integer, and the values are Parquet's."""
    path = runs["jsonl"] / "patients.jsonl"
    typed = pl.read_ndjson(path, schema=polars_schema(book, "patients"))
    inferred = pl.read_ndjson(path, infer_schema_length=None)
    parquet = pl.read_parquet(runs["parquet"] / "patients.parquet").with_columns(pl.col(pl.Categorical).cast(pl.String))
    assert all(typed.schema[w] == inferred.schema[w] == pl.Int64 for w in WEEKS)
    assert typed.equals(parquet) and inferred.select(typed.columns).equals(parquet)
    visits = pl.read_ndjson(runs["jsonl"] / "visits.jsonl")  # nothing missing in its first rows: defaults do
    assert dict(visits.schema) == polars_schema(book, "visits")


def test_every_json_line_has_every_column_with_its_type(runs, book):
    """Each line types itself: every key, whole numbers as JSON integers, lists as arrays, null for missing."""
    kinds = {"integer": int, "boolean": bool, "text": str, "category": str, "list": list}
    for table in ("patients", "visits"):
        described = columns(book, table)
        for line in (runs["jsonl"] / f"{table}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert list(row) == list(described)
            for name, value in row.items():
                c = described[name]
                assert (value is None and c["missing"]) or (type(value) is kinds[c["type"]] and value != []), name


def test_pandas_reads_csv_with_nullable_integers(runs, book):
    """CSV carries no types: pandas' nullable dtypes read each missing week as <NA>, not as a float."""
    frame = pd.read_csv(runs["csv"] / "patients.csv", dtype_backend="numpy_nullable")
    assert all(frame[w].dtype == "Int64" for w in WEEKS)
    typed = pl.read_csv(runs["csv"] / "patients.csv", schema_overrides={w: pl.Int64 for w in WEEKS})
    assert typed["surgery_week"].drop_nulls().len() > 0


# -- every format means the same -------------------------------------------------------------------------------

@pytest.mark.parametrize("table", ["patients", "visits"])
def test_missing_is_missing_in_every_format(runs, table):
    """One meaning for "none": the same cells are missing whichever file pandas reads."""
    read = {"parquet": pd.read_parquet, "csv": pd.read_csv, "jsonl": lambda p: pd.read_json(p, lines=True)}
    missing = {fmt: read[fmt](runs[fmt] / f"{table}.{fmt}").isna() for fmt in FORMATS}
    assert missing["csv"].equals(missing["parquet"]) and missing["jsonl"].equals(missing["parquet"])
    frame = pd.read_parquet(runs["parquet"] / f"{table}.parquet")
    assert not frame.isna().all().any()  # no column missing throughout


def test_lists_are_lists_and_one_separator_in_csv(runs):
    csv_book = json.loads((runs["csv"] / "codebook.json").read_text(encoding="utf-8"))
    separator = csv_book["list_separator"]
    csv = pd.read_csv(runs["csv"] / "visits.csv")
    parquet = pd.read_parquet(runs["parquet"] / "visits.parquet")
    for name in ("path", "transitions"):
        split = [None if pd.isna(v) else v.split(separator) for v in csv[name]]
        assert split == [None if v is None else list(v) for v in parquet[name]]


def test_one_patient_key_in_every_table(runs):
    patients = pl.read_parquet(runs["parquet"] / "patients.parquet")
    visits = pl.read_parquet(runs["parquet"] / "visits.parquet")
    assert patients["patient_id"].is_unique().all()
    assert visits.join(patients, on="patient_id", how="anti").is_empty()
    counted = visits.group_by("patient_id").len().join(patients.select("patient_id", "visits"), on="patient_id")
    assert (counted["len"] == counted["visits"]).all()


# -- the codebook --------------------------------------------------------------------------------------------------

def test_the_codebook_describes_every_column_and_labels_every_word(runs, book):
    for table, file in (("patients", "patients.parquet"), ("visits", "visits.parquet")):
        assert list(columns(book, table)) == pq.read_schema(runs["parquet"] / file).names
    occupancy = pd.read_csv(runs["parquet"] / "occupancy.csv")
    assert list(columns(book, "occupancy")) == list(occupancy.columns)
    for c in (c for t in book["tables"] for c in t["columns"]):
        assert c["type"] in POLARS and c["meaning"], c
        assert (c["type"] in ("category", "list")) == (c["values"] is not None), c
    assert all(v["label"] for pairs in book["values"].values() for v in pairs)
    visits = pd.read_parquet(runs["parquet"] / "visits.parquet")
    states = set(vocabulary(book, columns(book, "visits")["state"]))
    assert set(visits["state"]) <= states and set(np.concatenate(visits["path"].dropna().to_numpy())) <= states


def test_the_codebook_names_the_files_of_its_format(runs):
    for fmt in FORMATS:
        book = json.loads((runs[fmt] / "codebook.json").read_text(encoding="utf-8"))
        assert [t["file"] for t in book["tables"]] == [f"patients.{fmt}", f"visits.{fmt}", "occupancy.csv"]
        assert book["format"] == fmt and ("list_separator" in book) == (fmt == "csv")


def test_a_word_holding_the_csv_separator_is_refused_for_csv_only(tmp_path):
    import shutil

    from pathway.shipped import shipped_pathway

    semi = tmp_path / "semi"
    shutil.copytree(shipped_pathway(), semi)
    for file in semi.glob("*.yaml"):
        file.write_text(file.read_text(encoding="utf-8").replace("reroute_other_diagnosis", "reroute;other"),
                        encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", str(semi), "--patients", "5", "--out", str(tmp_path / "csv")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "error: `reroute;other` holds `;`, which separates a list's words in CSV" in result.output
    assert not (tmp_path / "csv" / "patients.csv").exists()
    simulate(tmp_path / "jsonl", semi, "--patients", 5, "--format", "jsonl")  # lists are arrays: any word will do


def test_the_reference_page_names_every_column():
    from pathlib import Path

    from simulations.results.columns import PATIENTS, VISITS

    page = (Path(__file__).resolve().parent.parent / "docs" / "reference" / "tables.md").read_text(encoding="utf-8")
    assert [c.name for c in (*PATIENTS, *VISITS) if f"`{c.name}`" not in page] == []


def test_the_columns_are_the_engines_fields_missing_where_they_may_be():
    """A column declared once (simulations.results.columns) for each field both engines fill in."""
    import attrs

    from simulations.results.columns import PATIENTS, VISITS
    from simulations.engines.outcome import Outcome, VisitRow
    from simulations.results.tables import DERIVED

    fields = {DERIVED.get(f.name, f.name): f.type for f in attrs.fields(Outcome) if f.name != "improved"}
    assert [c.name for c in PATIENTS] == list(fields)
    assert all(bool(c.missing) == ("None" in fields[c.name]) for c in PATIENTS if c.kind == "integer")
    assert [c.name for c in VISITS] == [f.name for f in attrs.fields(VisitRow)]
