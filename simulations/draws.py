"""Counter-based random numbers: every draw is a pure function of (seed, patient, purpose, week,
slot), so it is the same whichever engine asks, in whatever order, for one patient or a million
at once, in any chunk or worker.

It is SplitMix64 (Steele, Lea and Flood 2014; the generator behind Java's SplittableRandom and
the seeding of xoshiro) used as a counter-based generator: the seed and purpose pick a stream,
(patient, week, slot) packed into one 64-bit counter picks the number, and the output is the
SplitMix64 finaliser of stream + counter x golden gamma, computed with NumPy's wrapping uint64
arithmetic on whole arrays.
"""

from __future__ import annotations

import enum
import functools

import numpy as np
from scipy.special import ndtri

_GAMMA = np.uint64(0x9E3779B97F4A7C15)  # the golden-ratio increment of SplitMix64
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


class Purpose(enum.IntEnum):
    """What a draw is for; part of its key, so purposes never share numbers."""

    PERSON = 1
    COURSE = 2
    RED_FLAGS = 3
    VISITS = 4
    IMAGING = 5
    TREATMENT = 6
    HARM = 7
    BOOTSTRAP = 8  # comparison resampling weights: never a patient's own numbers


WEEK_BITS, SLOT_BITS = 16, 8  # counter = patient | week | slot
MAX_PATIENT = 2 ** (64 - WEEK_BITS - SLOT_BITS)


def _mix(x: np.ndarray) -> np.ndarray:
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


@functools.lru_cache(maxsize=64)
def _stream(seed: int, purpose: Purpose) -> np.uint64:
    return _mix(np.array([seed * 0x10000 + int(purpose)], dtype=np.uint64) * _GAMMA)[0]


def uniform(seed: int, patient, purpose: Purpose, week=0, slot=0) -> np.ndarray:
    """Uniform draws in (0, 1), one per element of the broadcast keys."""
    counter = np.atleast_1d((np.asarray(patient, dtype=np.uint64) << np.uint64(WEEK_BITS + SLOT_BITS)) | (
        np.asarray(week, dtype=np.uint64) << np.uint64(SLOT_BITS)) | np.asarray(slot, dtype=np.uint64))
    # Arrays (never NumPy scalars) wrap silently on overflow, as the generator needs.
    counter *= _GAMMA
    counter += _stream(seed, purpose)
    h = _mix(counter)
    # 53 random bits, centred in their interval: never exactly 0 or 1.
    return ((h >> _S11).astype(np.float64) + 0.5) * 2.0**-53


def normal(seed: int, patient, purpose: Purpose, week=0, slot=0) -> np.ndarray:
    """Standard normal draws (the inverse normal CDF of `uniform`)."""
    return ndtri(uniform(seed, patient, purpose, week, slot))
