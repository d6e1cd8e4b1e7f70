"""NumPy arrays and words as Arrow arrays, made from their buffers.

`pa.array` imports pandas, when it is installed, the first time it converts anything (to check
whether it was handed pandas objects): most of a second of every cohort run spent on a library
the tables never use. Arrays made from buffers are the same arrays, without that check.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa


def numbers(values: np.ndarray, missing: np.ndarray | None = None, dtype=None) -> pa.Array:
    """Whole numbers, of their NumPy type or `dtype`; null where `missing` is true."""
    values = np.ascontiguousarray(values, dtype=dtype)
    validity, nulls = _validity(missing, len(values))
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [validity, pa.py_buffer(values)], null_count=nulls)


def flags(values: np.ndarray) -> pa.BooleanArray:
    """Yes/no values (none missing)."""
    values = np.asarray(values, dtype=bool)
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, _bits(values)], null_count=0)


def words(texts: Sequence[str | None]) -> pa.StringArray:
    """Strings, None as null."""
    encoded = [b"" if t is None else t.encode("utf-8") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    validity, nulls = _validity(np.array([t is None for t in texts], dtype=bool), len(encoded))
    return pa.Array.from_buffers(pa.string(), len(encoded), [validity, pa.py_buffer(offsets),
                                                             pa.py_buffer(b"".join(encoded))], null_count=nulls)


def _validity(missing: np.ndarray | None, n: int) -> tuple[pa.Buffer | None, int]:
    """Arrow's validity bitmap (a bit set for each value present) and the count of nulls; no
    bitmap when nothing is missing."""
    nulls = 0 if missing is None else int(np.count_nonzero(missing))
    return (None, 0) if not nulls else (_bits(~np.asarray(missing, dtype=bool)), nulls)


def _bits(values: np.ndarray) -> pa.Buffer:
    """Booleans as Arrow's bitmap: least significant bit first."""
    return pa.py_buffer(np.packbits(values, bitorder="little"))


def take_words(values: pa.StringArray, index: np.ndarray) -> pa.StringArray:
    """`values[index]` (`values` with no nulls), gathered by NumPy: `Array.take` would import
    pyarrow.compute, a fifth of a second."""
    index = np.asarray(index, dtype=np.intp)
    _, offsets_buffer, data_buffer = values.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[values.offset:values.offset + len(values) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, dtype=np.uint8)
    starts, lengths = offsets[index], offsets[index + 1] - offsets[index]
    taken = np.zeros(len(index) + 1, dtype=np.int32)
    np.cumsum(lengths, out=taken[1:])
    gather = np.arange(taken[-1]) + np.repeat(starts - taken[:-1], lengths)  # each byte's place in `data`
    return pa.Array.from_buffers(pa.string(), len(index), [None, pa.py_buffer(taken), pa.py_buffer(data[gather])],
                                 null_count=0)


def lists(offsets: np.ndarray, items: pa.Array, missing: np.ndarray) -> pa.ListArray:
    """Lists of `items`, the i-th `items[offsets[i]:offsets[i + 1]]`, null where `missing` is
    true (`ListArray.from_arrays` with a mask would import pyarrow.compute)."""
    offsets = np.ascontiguousarray(offsets, dtype=np.int32)
    validity, nulls = _validity(missing, len(offsets) - 1)
    return pa.Array.from_buffers(pa.list_(items.type), len(offsets) - 1, [validity, pa.py_buffer(offsets)],
                                 null_count=nulls, children=[items])
