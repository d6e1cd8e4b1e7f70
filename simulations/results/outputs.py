"""Writing a run's patients and visits tables: built as Arrow tables straight from each chunk's
columns (simulations.results.tables) and streamed as chunks finish, all into a staging folder beside the
output, moved into place only when every file is complete (simulations.results.folder), so an
interrupted or failed run leaves no half-written file behind.

Every format is written from one Arrow schema (simulations.results.columns): Parquet as it is (words
dictionary-encoded, lists as lists, pandas metadata), JSON Lines from its rows (lists as arrays,
null for missing), CSV with each list joined by `;` and an empty cell for missing.

Files are byte-for-byte the same for the same inputs and seed, whatever the chunk size: rows are
written in patient order, and Parquet row groups have a fixed size rather than one per chunk.
CSV is written by Arrow's CSV writer, with the quoting of Python's `csv` module (a value is
quoted only if it holds a comma, a quote or a line break; a run with such a word is written by
`csv`).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from pathway.files import writing
from pathway.spec import PathwaySpec

from ..engines.outcome import SimulationError
from ..running.chunk import Chunk
from ..running.cohort import FORMATS, PARQUET_ROW_GROUP
from .columns import LIST_SEPARATOR, PATIENTS, VISITS, patient_columns, schema
from .tables import Words, patient_ids, patients_table, visits_table

# No quoting (Python's csv quotes only what needs it; a run with such words goes through csv), no
# header (written once, before any chunk).
CSV_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="none", batch_size=65_536)
NEEDS_QUOTES = re.compile(r'[,"\r\n]')  # what makes Python's csv (QUOTE_MINIMAL) quote a value


class TableWriter:
    """The run's patients and visits tables (`patients.<fmt>`, `visits.<fmt>` in `folder`),
    written chunk by chunk, in patient order: a chunk out of order (dropped or repeated) is an error.

        with TableWriter(folder, "csv", spec, settings.recovery_weeks) as tables:
            simulate(..., on_chunk=tables.write)
    """

    def __init__(self, folder: Path, fmt: str, spec: PathwaySpec, recovery_weeks: Sequence[int], visits: bool = True,
                 shown_in: Path | None = None):
        """`visits=False`: the patients table only (the visits table is the larger, about 3 rows a patient).
        `shown_in`: the folder a failed write names (the output folder, not its staging folder)."""
        check_format(fmt)
        self.words, self.recovery_weeks = Words.of(spec), tuple(recovery_weeks)
        if fmt == "csv":
            check_csv_words(self.words)
        self.next = 0
        self.shown_in = Path(shown_in or folder)
        # Every string is made of the pathway's words (checked once), `P` and digits.
        plain = not any(NEEDS_QUOTES.search(w) for w in self.words.every())
        kind = {"csv": functools.partial(CsvTable, plain=plain), "jsonl": JsonlTable, "parquet": ParquetTable}[fmt]
        self.patients = self.visits = None
        with writing(self.shown_in / f"patients.{fmt}"):
            self.patients = kind(Path(folder) / f"patients.{fmt}", schema(patient_columns(self.recovery_weeks)))
        if visits:
            with writing(self.shown_in / f"visits.{fmt}"):
                self.visits = kind(Path(folder) / f"visits.{fmt}", schema(VISITS))

    def write(self, chunk: Chunk) -> None:
        if chunk.first != self.next:
            raise ValueError(f"chunks must come in patient order: expected patient {self.next}, got {chunk.first}")
        self.next = chunk.first + chunk.n
        ids = patient_ids(chunk.first, chunk.n)
        patients = patients_table(chunk, self.words, self.recovery_weeks, ids)
        with writing(self.shown_in / self.patients.path.name):
            self.patients.write(patients)
        if self.visits is not None:
            with writing(self.shown_in / self.visits.path.name):
                self.visits.write(visits_table(chunk, self.words, ids))

    @property
    def tables(self) -> tuple:
        return (self.patients,) if self.visits is None else (self.patients, self.visits)

    def close(self) -> None:
        for table in self.tables:
            with writing(self.shown_in / table.path.name):
                table.close()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind, error, tb) -> None:
        if kind is None:
            self.close()
        else:  # the run failed: release the files without finishing them (staging removes them)
            for table in self.tables:
                with contextlib.suppress(OSError):  # a full disk fails again on the last flush: said once
                    table.discard()


class CsvTable:
    """A CSV file by Arrow's CSV writer (no quoting, `true`/`false`, empty for missing, lists
    joined by LIST_SEPARATOR); a run with a word that needs quotes (not `plain`) goes through
    Python's csv module instead, as before Arrow."""

    def __init__(self, path: Path, file_schema: pa.Schema, plain: bool = True):
        self.path, self.names, self.plain = path, file_schema.names, plain
        self._file = open(path, "wb")
        self._file.write((",".join(self.names) + "\n").encode())
        self._writer: pa_csv.CSVWriter | None = None

    def write(self, table: pa.Table) -> None:
        _check_columns(table, self.names)
        table = joined_lists(table)
        if not self.plain:
            self._write_python(table)
            return
        if self._writer is None:  # it writes straight through to the file
            self._writer = pa_csv.CSVWriter(self._file, table.schema, write_options=CSV_OPTIONS)
        self._writer.write_table(table)

    def _write_python(self, table: pa.Table) -> None:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerows(tuple(_csv_cell(v) for v in row.values()) for row in table.to_pylist())
        self._file.write(text.getvalue().encode("utf-8"))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._file.close()

    def discard(self) -> None:
        self._file.close()


def joined_lists(table: pa.Table) -> pa.Table:
    """Each list column as its words joined by LIST_SEPARATOR (null stays null: an empty cell)."""
    import pyarrow.compute as pc  # here: only CSV needs it (a tenth of a second to load)

    for i, field in enumerate(table.schema):
        if pa.types.is_list(field.type):
            table = table.set_column(i, field.name, pc.binary_join(table.column(i), LIST_SEPARATOR))
    return table


def check_csv_words(words: Words) -> None:
    """A list's word holding LIST_SEPARATOR could not be told apart in CSV: refused before the run."""
    listed = {c.values for c in (*PATIENTS, *VISITS) if c.kind == "list"}
    bad = sorted({w for name in listed for w in words.values[name].to_pylist() if LIST_SEPARATOR in w})
    if bad:
        raise SimulationError([f"`{w}` holds `{LIST_SEPARATOR}`, which separates a list's words in CSV; rename it, "
                               "or use --format parquet or jsonl" for w in bad])


def _check_columns(table: pa.Table, names: Sequence[str]) -> None:
    if table.column_names != list(names):
        raise ValueError(f"table columns {table.column_names} are not the file's {list(names)}")


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class JsonlTable:
    """One JSON object per line, in column order: every key on every line, null for missing,
    lists as arrays (a Python loop: JSON Lines only)."""

    def __init__(self, path: Path, file_schema: pa.Schema):
        self.path, self.names = path, file_schema.names
        self._file = open(path, "w", encoding="utf-8", newline="")

    def write(self, table: pa.Table) -> None:
        _check_columns(table, self.names)
        self._file.write("".join(json.dumps(row) + "\n" for row in table.to_pylist()))

    def close(self) -> None:
        self._file.close()

    discard = close


class ParquetTable:
    """Parquet in row groups of exactly PARQUET_ROW_GROUP rows (the last one shorter), whatever
    the chunks, in the file schema (every chunk's dictionaries are the whole vocabularies), so
    files do not depend on chunking."""

    def __init__(self, path: Path, file_schema: pa.Schema):
        self.path, self.schema = path, file_schema
        self._waiting: list[pa.Table] = []
        self._rows = 0
        self._writer: pq.ParquetWriter | None = None

    def write(self, table: pa.Table) -> None:
        self._waiting.append(table)
        self._rows += table.num_rows
        while self._rows >= PARQUET_ROW_GROUP:
            rows = pa.concat_tables(self._waiting)
            self._write_group(rows.slice(0, PARQUET_ROW_GROUP))
            rest = rows.slice(PARQUET_ROW_GROUP)
            self._waiting, self._rows = [rest], rest.num_rows

    def close(self) -> None:
        if self._rows or self._writer is None:  # an empty table still gets its (empty) row group
            self._write_group(pa.concat_tables(self._waiting) if self._waiting else self.schema.empty_table())
        self._writer.close()

    def discard(self) -> None:
        if self._writer is not None:
            self._writer.close()

    def _write_group(self, rows: pa.Table) -> None:
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self.schema)
        self._writer.write_table(rows.combine_chunks())


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise SimulationError([f"--format is `{fmt}`; allowed: {', '.join(FORMATS)}"])
