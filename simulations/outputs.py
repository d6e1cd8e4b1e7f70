"""Writing a run's files: the per-patient tables built as Arrow tables straight from each chunk's
columns and streamed as chunks finish, all into a staging folder beside the output, moved into
place only when every file is complete (simulations.folder), so an interrupted or failed run
leaves no half-written file behind.

Files are byte-for-byte the same for the same inputs and seed, whatever the chunk size: rows are
written in patient order, and Parquet row groups have a fixed size rather than one per chunk.
CSV is written by Arrow's CSV writer, with the quoting of Python's `csv` module (a value is
quoted only if it holds a comma, a quote or a line break; such a chunk is written by `csv`).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from pathway.files import writing
from pathway.spec import PathwaySpec

from .chunk import NONE, PATIENT_FIELDS, REASONS, STATE, TEXT, URGENCIES, Chunk
from .cohort import FORMATS, PARQUET_ROW_GROUP
from .orders import order_table
from .outcome import Outcome, SimulationError, VisitRow
from .totals import destinations

TYPES = {"int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}
# No quoting (Python's csv quotes only what needs it; such chunks go through csv), no header
# (written once, before any chunk).
CSV_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="none", batch_size=65_536)
NEEDS_QUOTES = re.compile(r'[,"\r\n]')  # what makes Python's csv (QUOTE_MINIMAL) quote a value


def _kind(annotation: str) -> str:
    """"int", "bool" or "str": the column's type, from the attrs field's annotation."""
    return annotation.split("|")[0].strip()


def patient_columns(recovery_weeks: Sequence[int]) -> tuple[tuple[str, str], ...]:
    """(name, type) of each column of the patients table."""
    fields = [(f.name, _kind(f.type)) for f in attrs.fields(Outcome) if f.name != "improved"]
    return (*fields, *((f"improved_week_{w}", "bool") for w in recovery_weeks))


VISIT_COLUMNS = tuple((f.name, _kind(f.type)) for f in attrs.fields(VisitRow))


def schema(columns: Sequence[tuple[str, str]]) -> pa.Schema:
    """The table's file schema: int64, bool and string (the same whatever the chunk)."""
    return pa.schema([(name, TYPES[kind]) for name, kind in columns])


# -- chunks as Arrow tables --------------------------------------------------------------------------

@attrs.frozen(eq=False)
class Words:
    """A pathway's codes as Arrow strings, built once per run: what a chunk's codes decode to."""

    states: pa.Array
    transitions: pa.Array
    destinations: np.ndarray  # transition -> state entered, NONE for a stay
    fixed: dict[str, pa.Array]  # visit column -> its words (reason, urgency, imaging: the order's id)

    @classmethod
    def of(cls, spec: PathwaySpec) -> Words:
        return cls(pa.array([s.id for s in spec.states], pa.string()),
                   pa.array([t.id for t in spec.transitions], pa.string()), destinations(spec),
                   {"reason": pa.array(REASONS), "urgency": pa.array(URGENCIES),
                    "imaging": pa.array(order_table(spec).ids, pa.string())})

    @property
    def plain(self) -> bool:
        """No word needs quoting in CSV."""
        return not any(NEEDS_QUOTES.search(w) for words in (self.states, self.transitions, *self.fixed.values())
                       for w in words.to_pylist())


def _decoded(codes: np.ndarray, words: pa.Array) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), words)


def _ids(first: int, n: int) -> pa.Array:
    """`P0000042`: "P" and the patient index, zero-padded to 7 digits (more once past 9,999,999)."""
    if first + n > 10**7:
        import pyarrow.compute as pc

        digits = pc.utf8_lpad(pc.cast(pa.array(np.arange(first, first + n, dtype=np.int64)), pa.string()), 7, "0")
        return pc.binary_join_element_wise("P", digits, "")
    # Eight bytes each: "P" and the first three digits, then the last four, from two lookup tables.
    high, low = np.divmod(np.arange(first, first + n, dtype=np.int32), 10_000)
    chars = np.empty((n, 2), dtype=np.uint32)
    chars[:, 0], chars[:, 1] = _P_AND_3_DIGITS[high], _4_DIGITS[low]
    offsets = np.arange(0, 8 * (n + 1), 8, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars))


def _packed(texts) -> np.ndarray:
    """ASCII texts of four characters each, as one uint32 each (their bytes in memory order)."""
    return np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint32).copy()


_P_AND_3_DIGITS = _packed(f"P{i:03d}" for i in range(1000))
_4_DIGITS = _packed(f"{i:04d}" for i in range(10_000))


def _number(values: np.ndarray) -> pa.Array:
    """Whole numbers, NONE as missing (no mask to make for a column with none missing)."""
    missing = values == NONE
    return pa.array(values.astype(np.int64), mask=missing if missing.any() else None)


def patients_table(chunk: Chunk, words: Words, recovery_weeks: Sequence[int], ids: pa.Array | None = None) -> pa.Table:
    """One row per patient: id, every outcome field, then improved at each recovery week.
    (`ids`: the chunk's `_ids`, when already made.)"""
    columns = {"id": _ids(chunk.first, chunk.n) if ids is None else ids}
    for name in PATIENT_FIELDS:
        values = chunk.patients[name]
        if name in STATE:
            columns[name] = _decoded(values, words.states)
        elif name in TEXT:
            columns[name] = _decoded(values, pa.array(chunk.words[name], pa.string()))
        elif values.dtype == bool:
            columns[name] = pa.array(values)
        else:
            columns[name] = _number(values)
    for week in recovery_weeks:
        columns[f"improved_week_{week}"] = pa.array(chunk.improved_at(week))
    return pa.table(columns)


def visits_table(chunk: Chunk, words: Words, ids: pa.Array | None = None) -> pa.Table:
    """One row per visit: the patient, when and why, the states entered (`path`), the
    transitions fired, where the patient rests, the urgency and the imaging ordered (an order's id:
    `mri_with_contrast_whole_spine+ct`, or `none`)."""
    import pyarrow.compute as pc  # here: a table without visits never needs it (a tenth of a second to load)

    visits, steps = chunk.visits, chunk.steps
    count = len(visits["patient"])
    order = np.argsort(steps["visit"], kind="stable")  # by visit, each in firing order (usually already)
    step_visit, fired = steps["visit"][order], steps["transition"][order]
    dest = words.destinations[fired]
    entered = dest != NONE
    return pa.table({
        "patient": _decoded(visits["patient"] - chunk.first, _ids(chunk.first, chunk.n) if ids is None else ids),
        "episode": pa.array(visits["episode"], pa.int64()),
        "week": pa.array(visits["week"], pa.int64()),
        "reason": _decoded(visits["reason"], words.fixed["reason"]),
        "start": _decoded(visits["start"], words.states),
        "path": _joined(step_visit[entered], pc.take(words.states, pa.array(dest[entered])), count, ">"),
        "transitions": _joined(step_visit, pc.take(words.transitions, pa.array(fired)), count, " "),
        "state": _decoded(visits["state"], words.states),
        "urgency": _decoded(visits["urgency"], words.fixed["urgency"]),
        "imaging": _decoded(visits["imaging"], words.fixed["imaging"]),
    })


def _joined(visit: np.ndarray, words: pa.Array, visits: int, separator: str) -> pa.Array:
    """Per visit, its words (`visit` sorted: the visit each word belongs to) joined by
    `separator`; "" for a visit with none. A list array and one `binary_join`, no Python loop."""
    offsets = np.zeros(visits + 1, dtype=np.int32)
    np.cumsum(np.bincount(visit, minlength=visits), out=offsets[1:])
    import pyarrow.compute as pc

    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), words), separator)


# -- files -------------------------------------------------------------------------------------------

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
        self.plain_words = self.words.plain
        self.next = 0
        self.shown_in = Path(shown_in or folder)
        kind = {"csv": CsvTable, "jsonl": JsonlTable, "parquet": ParquetTable}[fmt]
        self.patients = self.visits = None
        with writing(self.shown_in / f"patients.{fmt}"):
            self.patients = kind(Path(folder) / f"patients.{fmt}", schema(patient_columns(self.recovery_weeks)))
        if visits:
            with writing(self.shown_in / f"visits.{fmt}"):
                self.visits = kind(Path(folder) / f"visits.{fmt}", schema(VISIT_COLUMNS))

    def write(self, chunk: Chunk) -> None:
        if chunk.first != self.next:
            raise ValueError(f"chunks must come in patient order: expected patient {self.next}, got {chunk.first}")
        self.next = chunk.first + chunk.n
        ids = _ids(chunk.first, chunk.n)
        patients = patients_table(chunk, self.words, self.recovery_weeks, ids)
        # Every other string is made of the pathway's words (checked once) and `P`, digits, `>` and spaces.
        plain = self.plain_words and not any(NEEDS_QUOTES.search(w) for name in TEXT for w in chunk.words[name])
        with writing(self.shown_in / self.patients.path.name):
            self.patients.write(patients, plain)
        if self.visits is not None:
            with writing(self.shown_in / self.visits.path.name):
                self.visits.write(visits_table(chunk, self.words, ids), plain)

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
    """A CSV file by Arrow's CSV writer (no quoting, `true`/`false`, empty for missing); a chunk
    with a value that needs quotes goes through Python's csv module instead, as before Arrow."""

    def __init__(self, path: Path, file_schema: pa.Schema):
        self.path, self.names = path, file_schema.names
        self._file = open(path, "wb")
        self._file.write((",".join(self.names) + "\n").encode())
        self._writer: pa_csv.CSVWriter | None = None
        self._schema: pa.Schema | None = None

    def write(self, table: pa.Table, plain: bool = True) -> None:
        _check_columns(table, self.names)
        if not plain:
            self._write_python(table)
            return
        if self._writer is not None and self._schema != table.schema:
            self._flush_writer()
        if self._writer is None:  # it writes straight through to the file: no reordering with `csv`
            self._writer, self._schema = pa_csv.CSVWriter(self._file, table.schema, write_options=CSV_OPTIONS), table.schema
        self._writer.write_table(table)

    def _write_python(self, table: pa.Table) -> None:
        self._flush_writer()
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerows(tuple(_csv_cell(v) for v in row.values()) for row in table.to_pylist())
        self._file.write(text.getvalue().encode("utf-8"))

    def _flush_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def close(self) -> None:
        self._flush_writer()
        self._file.close()

    def discard(self) -> None:
        self._file.close()


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
    """One JSON object per line, in column order (a Python loop: JSON Lines only)."""

    def __init__(self, path: Path, file_schema: pa.Schema):
        self.path, self.names = path, file_schema.names
        self._file = open(path, "w", encoding="utf-8", newline="")

    def write(self, table: pa.Table, plain: bool = True) -> None:
        _check_columns(table, self.names)
        self._file.write("".join(json.dumps(row) + "\n" for row in table.to_pylist()))

    def close(self) -> None:
        self._file.close()

    discard = close


class ParquetTable:
    """Parquet in row groups of exactly PARQUET_ROW_GROUP rows (the last one shorter), whatever
    the chunks, with the plain file schema (words decoded), so files do not depend on chunking."""

    def __init__(self, path: Path, file_schema: pa.Schema):
        self.path, self.schema = path, file_schema
        self._waiting: list[pa.Table] = []
        self._rows = 0
        self._writer: pq.ParquetWriter | None = None

    def write(self, table: pa.Table, plain: bool = True) -> None:
        self._waiting.append(table.cast(self.schema))
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
