"""A run's finished chunks kept on disk, so that a run that fails part-way (a worker killed, the
cluster gone, Ctrl-C) can resume from them instead of starting again.

The folder sits inside the run's output folder, named by everything the chunks depend on (the
pathway's and the parameters' content hashes, seed, cohort size, weeks and chunk size), so a
resumed run can only pick up chunks of the very same run. Each chunk (slim, when the run needs
only the tables: see chunk.Parts) is one file of raw arrays with its totals, written under a
temporary name and renamed, so a chunk on disk is always whole. The folder is removed when
the run's files are in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np

from pathway.files import write_streamed, writing
from pathway.spec import PathwaySpec

from ..engines.course import SimulationError
from ..model.parameters import Parameters
from ..results.folder import CHUNKS
from ..results.totals import Totals
from .chunk import Chunk, Parts

PREFIX = CHUNKS
_NAME = re.compile(r"^chunk-(\d+)-(\d+)$")
PARTS = ("patients", "visits", "steps", "words", "totals")  # groups of named arrays (`part.name`)


def run_key(spec: PathwaySpec, params: Parameters, settings, chunk_size: int, parts: Parts | None = None,
            capacity=None) -> str:
    identity = [spec.content_hash, params.content_hash, settings.seed, settings.patients, settings.weeks, chunk_size]
    if capacity is not None:  # capacity.file.Capacity, with the catchments it runs in
        identity.append([capacity.content_hash, capacity.catchments])
    if parts is not None:  # a slim chunk keeps only some parts: only a run that needs no more may resume from it
        identity.append([list(parts.improved_weeks), parts.visits])
    return hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:16]


class Checkpoint:
    def __init__(self, out: Path, key: str):
        self.folder = Path(out) / f"{PREFIX}{key}"

    def saved(self) -> set[tuple[int, int]]:
        """(first, last) of every chunk on disk."""
        if not self.folder.is_dir():
            return set()
        return {(int(m[1]), int(m[2])) for m in map(_NAME.match, os.listdir(self.folder)) if m}

    def save(self, chunk: Chunk, totals: Totals) -> None:
        """The chunk (whole or slim) and its totals as one file of raw arrays (no zip, no checksum:
        fast), written under a temporary name and renamed, so a chunk on disk is always whole; a
        write that fails (a full disk) removes its temporary file and raises CannotWrite."""
        arrays = {"improved": chunk.improved}
        if chunk.states is not None:
            arrays["states"] = chunk.states
        if chunk.improved_weeks is not None:
            arrays["improved_weeks"] = np.array(chunk.improved_weeks, dtype=np.int64)
        for part in ("patients", "visits", "steps"):
            arrays.update({f"{part}.{name}": values for name, values in (getattr(chunk, part) or {}).items()})
        arrays.update({f"words.{name}": np.array(words, dtype=str) for name, words in chunk.words.items()})
        arrays.update({f"totals.{name}": values for name, values in totals.arrays().items()})
        path = self.folder / f"chunk-{chunk.first}-{chunk.first + chunk.n}"
        with writing(path):
            self.folder.mkdir(parents=True, exist_ok=True)
            write_streamed(path, lambda file: _write_arrays(file, arrays), sync=False)

    def load(self, first: int, last: int) -> tuple[Chunk, Totals]:
        path = self.folder / f"chunk-{first}-{last}"
        try:
            return self._load(path, first)
        except (OSError, ValueError, KeyError, IndexError, TypeError) as err:  # changed since it was written
            raise SimulationError([f"{path}: a kept chunk cannot be read ({type(err).__name__}); run the command "
                                   "without --resume to start afresh"]) from None

    def _load(self, path: Path, first: int) -> tuple[Chunk, Totals]:
        parts: dict[str, dict] = {part: {} for part in PARTS}
        whole = {}
        for name, values in _read_arrays(path).items():
            part, _, column = name.partition(".")
            if column:
                parts[part][column] = values
            else:
                whole[part] = values
        weeks = whole.get("improved_weeks")
        chunk = Chunk(first, parts["patients"], whole["improved"], whole.get("states"), parts["visits"] or None,
                      parts["steps"] or None, {name: tuple(words.tolist()) for name, words in parts["words"].items()},
                      None if weeks is None else tuple(weeks.tolist()))
        return chunk, Totals.from_arrays(parts["totals"])

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


# -- a file of named arrays: a JSON index (name, type, shape, where), then each array's raw bytes ----

def _write_arrays(file, arrays: dict[str, np.ndarray]) -> None:
    index, at = [], 0
    for name, values in arrays.items():
        index.append([name, values.dtype.str, list(values.shape), at])
        at += -(-values.nbytes // 8) * 8  # each array from a multiple of 8 bytes
    header = json.dumps(index).encode()
    file.write(len(header).to_bytes(8, "little") + header)
    file.write(b"\0" * (-len(header) % 8))
    for values in arrays.values():
        data = np.ascontiguousarray(values).tobytes()
        file.write(data + b"\0" * (-len(data) % 8))


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    with open(path, "rb") as file:
        data = bytearray(file.read())  # writable: the arrays may be changed like any others
    size = int.from_bytes(data[:8], "little")
    index = json.loads(data[8:8 + size])
    start = 8 + size + (-size % 8)
    arrays = {}
    for name, kind, shape, at in index:
        dtype = np.dtype(kind)
        count = int(np.prod(shape, dtype=np.int64))
        arrays[name] = np.frombuffer(data, dtype, count, start + at).reshape(shape)
    return arrays
