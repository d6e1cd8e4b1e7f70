"""A chunk's patients and visits as Arrow tables in the file schema (simulations.results.columns): words
as dictionaries over their whole vocabulary (the same in every chunk, so the files do not depend
on chunking), lists as lists, "did not happen" as null. Built from the chunk's columns, with no
Python loop over patients or visits.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import pyarrow as pa

from pathway.spec import PathwaySpec

from ..running.chunk import NONE, PATIENT_FIELDS, STATE, TEXT, Chunk
from .arrow import flags, lists, numbers, take_words, words as strings
from .columns import PATIENTS, VISITS, Column, patient_columns, schema, vocabularies
from .totals import destinations

PATIENT_COLUMNS = {c.name: c for c in PATIENTS}
VISIT_COLUMNS = {c.name: c for c in VISITS}
# Chunk fields whose table column has another name or type.
DERIVED = {"fell_through_week": "fell_through"}


@attrs.frozen(eq=False)
class Words:
    """A pathway's vocabularies as Arrow strings, built once per run: what a chunk's codes decode to."""

    values: dict[str, pa.Array]  # vocabulary (columns.vocabularies) -> its words, by code
    destinations: np.ndarray  # transition -> state entered, NONE for a stay

    @classmethod
    def of(cls, spec: PathwaySpec) -> Words:
        return cls({name: strings([v for v, _ in pairs]) for name, pairs in vocabularies(spec).items()},
                   destinations(spec))

    def every(self) -> list[str]:
        """Every word of every vocabulary."""
        return [w for words in self.values.values() for w in words.to_pylist()]

    def category(self, column: Column, codes: np.ndarray) -> pa.DictionaryArray:
        """Codes into the column's vocabulary, as a dictionary over all of it."""
        return pa.DictionaryArray.from_arrays(numbers(codes, dtype=np.int32), self.values[column.values],
                                              ordered=column.ordered)

    def recoded(self, column: Column, codes: np.ndarray, chunk_words: Sequence[str]) -> np.ndarray:
        """Codes into a chunk's own words (in order of first use) as codes into the vocabulary."""
        code = {w: i for i, w in enumerate(self.values[column.values].to_pylist())}
        return np.array([code[w] for w in chunk_words], dtype=np.int32)[codes]


def patient_ids(first: int, n: int) -> pa.Array:
    """`P0000042`: "P" and the patient index, zero-padded to 7 digits (more once past 9,999,999)."""
    if first + n > 10**7:
        import pyarrow.compute as pc

        digits = pc.utf8_lpad(pc.cast(numbers(np.arange(first, first + n, dtype=np.int64)), pa.string()), 7, "0")
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
    return numbers(values, values == NONE, dtype=np.int64)


def _red_flags(codes: np.ndarray, chunk_words: Sequence[str]) -> pa.Array:
    """Each patient's red-flag categories as a list (a chunk's words are `;`-joined: Outcome.red_flags);
    null for none."""
    split = [w.split(";") if w else [] for w in chunk_words]
    sizes = np.array([len(each) for each in split], dtype=np.int32)[codes]  # each patient's count
    firsts = np.cumsum([0, *map(len, split)])[codes]  # and where its words start among all the chunk's
    offsets = np.zeros(len(codes) + 1, dtype=np.int32)
    np.cumsum(sizes, out=offsets[1:])
    every = strings([w for each in split for w in each])
    taken = take_words(every, np.arange(offsets[-1]) + np.repeat(firsts - offsets[:-1], sizes))
    return lists(offsets, taken, np.array([not w for w in chunk_words], dtype=bool)[codes])


def _patient_column(chunk: Chunk, words: Words, name: str) -> pa.Array:
    values = chunk.patients[name]
    if name in DERIVED:  # fell_through: whether the week is known, not the week
        return flags(values != NONE)
    if name == "red_flags":
        return _red_flags(values, chunk.words[name])
    if name in STATE:
        return words.category(PATIENT_COLUMNS[name], values)
    if name in TEXT:
        column = PATIENT_COLUMNS[name]
        return words.category(column, words.recoded(column, values, chunk.words[name]))
    return flags(values) if values.dtype == bool else _number(values)


def patients_table(chunk: Chunk, words: Words, recovery_weeks: Sequence[int], ids: pa.Array | None = None) -> pa.Table:
    """One row per patient: the patient's id, every outcome, then improved at each recovery week.
    (`ids`: the chunk's `patient_ids`, when already made.)"""
    columns = {"patient_id": patient_ids(chunk.first, chunk.n) if ids is None else ids}
    columns.update({DERIVED.get(name, name): _patient_column(chunk, words, name) for name in PATIENT_FIELDS})
    for week in recovery_weeks:
        columns[f"improved_week_{week}"] = flags(chunk.improved_at(week))
    return pa.table(columns, schema=schema(patient_columns(recovery_weeks)))


def visits_table(chunk: Chunk, words: Words, ids: pa.Array | None = None) -> pa.Table:
    """One row per visit: the patient, when and why, the states entered (`path`), the transitions
    taken, where the patient rests, the urgency and the imaging ordered."""
    visits, steps = chunk.visits, chunk.steps
    count = len(visits["patient"])
    order = np.argsort(steps["visit"], kind="stable")  # by visit, each in firing order (usually already)
    step_visit, fired = steps["visit"][order], steps["transition"][order]
    dest = words.destinations[fired]
    entered = dest != NONE
    ids = patient_ids(chunk.first, chunk.n) if ids is None else ids
    category = {name: words.category(VISIT_COLUMNS[name], visits[name])
                for name in ("reason", "start", "state", "urgency", "imaging")}
    return pa.table({
        "patient_id": take_words(ids, visits["patient"] - chunk.first),
        "episode": numbers(visits["episode"], dtype=np.int64),
        "week": numbers(visits["week"], dtype=np.int64),
        "reason": category["reason"],
        "start": category["start"],
        "path": _lists(step_visit[entered], take_words(words.values["states"], dest[entered]), count),
        "transitions": _lists(step_visit, take_words(words.values["transitions"], fired), count),
        "state": category["state"],
        "urgency": category["urgency"],
        "imaging": category["imaging"],
    }, schema=schema(VISITS))


def _lists(visit: np.ndarray, items: pa.Array, visits: int) -> pa.ListArray:
    """Per visit, its items (`visit` sorted: the visit each item belongs to); null for a visit
    with none. One list array from offsets, no Python loop."""
    counts = np.bincount(visit, minlength=visits)
    offsets = np.zeros(visits + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    return lists(offsets, items, counts == 0)
