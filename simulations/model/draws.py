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

from .normal import ndtri  # scipy.special's, bit for bit, without importing scipy

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
MAX_SEED = 2 ** 48 - 1  # a stream is picked by seed * 0x10000 + purpose, which must fit 64 bits


def mix(x: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser, in place (and returned)."""
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


@functools.lru_cache(maxsize=64)
def _stream(seed: int, purpose: Purpose) -> np.uint64:
    return mix(np.array([seed * 0x10000 + int(purpose)], dtype=np.uint64) * _GAMMA)[0]


def uniform(seed: int, patient, purpose: Purpose, week=0, slot=0) -> np.ndarray:
    """Uniform draws in (0, 1), one per element of the broadcast keys."""
    counter = np.atleast_1d((np.asarray(patient, dtype=np.uint64) << np.uint64(WEEK_BITS + SLOT_BITS)) | (
        np.asarray(week, dtype=np.uint64) << np.uint64(SLOT_BITS)) | np.asarray(slot, dtype=np.uint64))
    # Arrays (never NumPy scalars) wrap silently on overflow, as the generator needs.
    counter *= _GAMMA
    counter += _stream(seed, purpose)
    return as_uniform(mix(counter))


def as_uniform(h: np.ndarray) -> np.ndarray:
    """Hashes as uniform draws: 53 random bits, centred in their interval (the top interval's
    centre rounds to exactly 1.0: below no probability, which `bound` mirrors)."""
    return ((h >> _S11).astype(np.float64) + 0.5) * 2.0**-53


_BELOW_ONE = np.nextafter(1.0, 0.0)


def _inside(u: np.ndarray) -> np.ndarray:
    """A uniform draw of 1.0 (the top hash, chance 2**-54) as the largest below 1, so that its normal
    draw is finite (about 8.3), not infinity; every other draw is unchanged."""
    return np.minimum(u, _BELOW_ONE)


# -- the same draws, faster, for an engine that draws for the same patients week after week -----------
#
# The counter is patient << 24 | week << 8 | slot, and the bit fields do not overlap, so
# counter x gamma + stream = (patient << 24) x gamma + ((week << 8 | slot) x gamma + stream),
# modulo 2**64: the first term is fixed per patient (`patient_keys`, made once), the second
# one number per draw (`offset`). And a draw is only ever compared with a probability, so the
# comparison can be made on the hash itself (`bound`): no conversion to floating point.

def patient_keys(patients: np.ndarray) -> np.ndarray:
    """Each patient's share of every draw's counter: `hashes(keys, offset(...))` for these keys are
    the hashes behind `uniform(seed, patients, purpose, week, slot)`."""
    return (np.asarray(patients, dtype=np.uint64) << np.uint64(WEEK_BITS + SLOT_BITS)) * _GAMMA


def offset(seed: int, purpose: Purpose, week, slot) -> np.uint64 | np.ndarray:
    """The rest of the counter, and the stream: one number per (week, slot)."""
    if isinstance(week, int) and isinstance(slot, int):  # one number: in Python's whole numbers, modulo 2**64
        return np.uint64((((week << SLOT_BITS) | slot) * int(_GAMMA) + int(_stream(seed, purpose))) % 2**64)
    rest = (np.asarray(week, dtype=np.uint64) << np.uint64(SLOT_BITS)) | np.asarray(slot, dtype=np.uint64)
    rest = np.atleast_1d(rest) * _GAMMA  # an array, to wrap silently
    rest += _stream(seed, purpose)
    return rest if np.ndim(week) or np.ndim(slot) else rest[0]


def hashes(keys: np.ndarray, offset) -> np.ndarray:
    """The draws' 64-bit hashes (a new array): `as_uniform` of them are the uniform draws."""
    return mix(np.add(keys, offset, dtype=np.uint64))


@functools.lru_cache(maxsize=1024)
def bound(p: float) -> int:
    """The smallest hash `B` whose draw is at least `p`: a draw is below `p` exactly when its hash is
    below `B` (draws rise with their hashes). `p` is a probability, so `B` fits in 64 bits."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"not a probability: {p!r}")
    # The draw of hash h is ((h >> 11) + 0.5) * 2**-53 in float64: search the 53-bit part.
    low, high = 0, 2**53 - 1
    if (float(high) + 0.5) * 2.0**-53 < p:
        raise ValueError(f"no draw reaches {p!r}")
    while low < high:  # the smallest k whose draw is at least p
        middle = (low + high) // 2
        if (float(middle) + 0.5) * 2.0**-53 >= p:
            high = middle
        else:
            low = middle + 1
    return low << 11


def bounds(probabilities) -> np.ndarray:
    """`bound` of each probability, as uint64 (a lookup table: one bound per code)."""
    return np.array([bound(float(p)) for p in probabilities], dtype=np.uint64)


def as_normal(h: np.ndarray) -> np.ndarray:
    """Hashes as standard normal draws (`normal`'s numbers)."""
    return ndtri(_inside(as_uniform(h)))


def below(h: np.ndarray, p: float) -> np.ndarray:
    """The draws of hashes `h` that are below `p`."""
    return h < np.uint64(bound(float(p)))


def normal(seed: int, patient, purpose: Purpose, week=0, slot=0) -> np.ndarray:
    """Standard normal draws (the inverse normal CDF of `uniform`)."""
    return ndtri(_inside(uniform(seed, patient, purpose, week, slot)))
