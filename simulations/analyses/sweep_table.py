"""The tidy table of a sweep with strategies: one row per parameter set (draw) and strategy, with
the draw's parameter values, cost and QALYs per patient and the reported figures, as psa.csv and
psa.parquet, described in codebook.json. Declared once as `columns.Column`s, as the simulation's
tables are: the CSV, the Parquet schema and the codebook come from the same declarations.
"""

from __future__ import annotations

import csv
import io
import json
import math

import pyarrow as pa
import pyarrow.parquet as pq

from ..results.columns import MISSING, Column, described, schema
from .sweep_figures import figure_label
from .sweep_psa import PER
from .sweep_run import SweepResult

NOT_MEASURED = "not measurable in this cohort: no patient it applies to (e.g. no MRI, so no time to MRI)"
ECONOMIC_COLUMNS = (
    Column("cost_per_patient", "number", "cost per patient, undiscounted", "pounds"),
    Column("cost_per_1000_patients", "number", "cost per 1,000 patients, undiscounted", "pounds"),
    Column("qalys_per_patient", "number", "QALYs per patient over the follow-up", "QALYs"),
)
FILES = ("psa.csv", "psa.parquet", "codebook.json")


def table_columns(result: SweepResult) -> tuple[Column, ...]:
    plan = result.plan
    economic = {c.name for c in ECONOMIC_COLUMNS}
    return (
        Column("draw", "integer", "the parameter set (a draw, for a sample), from 1, as in sweep.csv"),
        Column("strategy", "category", "the pathway version the cohort ran (the first listed is the reference)",
               values="strategies"),
        *(Column(v.name, "number", f"`{v.name}` in this parameter set", v.kind.value) for v in plan.varied),
        *ECONOMIC_COLUMNS,
        *(Column(key, "number", figure_label(key)[0], figure_label(key)[1], NOT_MEASURED)
          for key in plan.report if key not in economic),
        Column("parameters_hash", "text", "sha256 of the parameter set's values (`Parameters.with_values`)"),
    )


def _rows(result: SweepResult) -> list[dict]:
    plan = result.plan
    rows = []
    for r in result.sets:
        cost, qalys = r.economic
        row = {"draw": r.number, "strategy": r.strategy, **dict(zip(plan.names, r.values)),
               "cost_per_patient": cost, "cost_per_1000_patients": PER * cost, "qalys_per_patient": qalys,
               **dict(zip(plan.report, r.figures)), "parameters_hash": r.parameters_hash}
        rows.append(row)
    return rows


def table_csv(result: SweepResult) -> str:
    columns = table_columns(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(c.name for c in columns)
    for row in _rows(result):
        writer.writerow(_cell(row[c.name]) for c in columns)
    return buffer.getvalue()


def table_parquet(result: SweepResult) -> bytes:
    columns = table_columns(result)
    rows = _rows(result)
    names = [s.name for s in result.plan.strategies]
    arrays = []
    for c in columns:
        values = [row[c.name] for row in rows]
        if c.kind == "category":
            indices = pa.array([names.index(v) for v in values], pa.int32())
            arrays.append(pa.DictionaryArray.from_arrays(indices, pa.array(names, pa.string())))
        elif c.kind == "number":
            arrays.append(pa.array([None if math.isnan(v) else v for v in values], pa.float64()))
        else:
            arrays.append(pa.array(values, c.arrow_field.type))
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema(columns)), buffer, compression="zstd")
    return buffer.getvalue()


def table_codebook(result: SweepResult) -> str:
    """codebook.json: psa.csv's and psa.parquet's columns and the strategies' names."""
    strategies = result.plan.strategies
    document = {
        "formats": ["csv", "parquet"],
        "missing": {fmt: MISSING[fmt] for fmt in ("csv", "parquet")},
        "tables": [{"table": "psa", "files": list(FILES[:2]), "rows": "one per parameter set and strategy, by set "
                    "then strategy in the sweep file's order", "columns": [described(c) for c in table_columns(result)]}],
        "values": {"strategies": [{"value": s.name, "label": f"pathway {s.folder} ({s.spec.name} {s.spec.version}, "
                                  f"sha256 {s.spec.content_hash[:12]})"} for s in strategies]},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _cell(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return ""
    return repr(float(value))
