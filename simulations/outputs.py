"""Writing a run's files: per-patient tables streamed as chunks finish, all into a staging folder
beside the output, moved into place only when every file is complete, so an interrupted or
failed run leaves no half-written file behind.

Files are byte-for-byte the same for the same inputs and seed, whatever the chunk size: rows are
written in patient order, and Parquet row groups have a fixed size rather than one per chunk.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from .course import Outcome, PatientRun, SimulationError, VisitRow

FORMATS = ("csv", "jsonl", "parquet")
PARQUET_ROW_GROUP = 65_536


def _kind(annotation: str) -> str:
    """"int", "bool" or "str": the column's type, from the attrs field's annotation."""
    return annotation.split("|")[0].strip()


def patient_columns(recovery_weeks: Sequence[int]) -> tuple[tuple[str, str], ...]:
    """(name, type) of each column of the patients table."""
    fields = [(f.name, _kind(f.type)) for f in attrs.fields(Outcome) if f.name != "improved"]
    return (*fields, *((f"improved_week_{w}", "bool") for w in recovery_weeks))


VISIT_COLUMNS = tuple((f.name, _kind(f.type)) for f in attrs.fields(VisitRow))


def patient_row(run: PatientRun, recovery_weeks: Sequence[int]) -> tuple:
    outcome = run.outcome
    return (*(getattr(outcome, f.name) for f in attrs.fields(Outcome) if f.name != "improved"),
            *(outcome.improved[w] for w in recovery_weeks))


def visit_rows(run: PatientRun) -> Iterable[tuple]:
    return (attrs.astuple(v) for v in run.visits)


class Table:
    """One table file, written row by row in the chosen format."""

    def __init__(self, path: Path, columns: Sequence[tuple[str, str]], fmt: str):
        self.path, self.fmt = path, fmt
        self.columns, self.kinds = tuple(c for c, _ in columns), tuple(k for _, k in columns)
        self._buffer: list[tuple] = []
        if fmt == "parquet":
            self._parquet = None
        else:
            self._file = open(path, "w", encoding="utf-8", newline="")
            if fmt == "csv":
                self._csv = csv.writer(self._file, lineterminator="\n")
                self._csv.writerow(self.columns)

    def write(self, rows: Iterable[tuple]) -> None:
        if self.fmt == "csv":
            self._csv.writerows(tuple(_csv_cell(v) for v in row) for row in rows)
        elif self.fmt == "jsonl":
            for row in rows:
                self._file.write(json.dumps(dict(zip(self.columns, row))) + "\n")
        else:
            self._buffer.extend(rows)
            while len(self._buffer) >= PARQUET_ROW_GROUP:
                self._flush_parquet(self._buffer[:PARQUET_ROW_GROUP])
                del self._buffer[:PARQUET_ROW_GROUP]

    def close(self) -> None:
        if self.fmt != "parquet":
            self._file.close()
            return
        if self._buffer or self._parquet is None:
            self._flush_parquet(self._buffer)
        self._parquet.close()

    def _flush_parquet(self, rows: list[tuple]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {"int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}
        schema = pa.schema([(c, types[k]) for c, k in zip(self.columns, self.kinds)])
        table = pa.table({c: [row[j] for row in rows] for j, c in enumerate(self.columns)}, schema=schema)
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.path, schema)
        self._parquet.write_table(table)


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise SimulationError([f"--format is `{fmt}`; allowed: {', '.join(FORMATS)}"])
    if fmt == "parquet":
        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise SimulationError([
                "--format parquet needs pyarrow: pip install 'sciatica-pathway[parquet]' (or use csv or jsonl)"
            ]) from None


class OutputFolder:
    """Stages every file in a hidden folder next to `out`, then moves them in together.

        with OutputFolder(out) as folder:
            folder.path("summary.json").write_text(...)
        # on success the files are in `out`; on any error nothing is, and staging is removed
    """

    def __init__(self, out: Path):
        self.out = Path(out)
        self.staging: Path | None = None

    def check_writable(self) -> None:
        """Fail before any work if `out` cannot be created or written to."""
        if self.out.exists() and not self.out.is_dir():
            raise SimulationError([f"{self.out}: exists and is not a folder; --out names a folder for the run's files"])
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.out):
                pass
        except OSError as err:
            raise SimulationError([f"{self.out}: cannot write the run's files here ({err.strerror or err})"]) from None

    def __enter__(self) -> OutputFolder:
        self.check_writable()
        self.staging = Path(tempfile.mkdtemp(prefix=".sciatica-partial-", dir=self.out))
        return self

    def path(self, name: str) -> Path:
        assert self.staging is not None
        return self.staging / name

    def __exit__(self, kind, error, tb) -> None:
        assert self.staging is not None
        try:
            if kind is None:
                for item in sorted(self.staging.iterdir()):
                    os.replace(item, self.out / item.name)
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
