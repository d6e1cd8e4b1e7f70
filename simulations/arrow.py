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
