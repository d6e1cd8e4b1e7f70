"""A run's finished chunks kept on disk, so that a run that fails part-way (a worker killed, the
cluster gone, Ctrl-C) can resume from them instead of starting again.

The folder sits inside the run's output folder, named by everything the chunks depend on (the
pathway's and the parameters' content hashes, seed, cohort size, weeks and chunk size), so a
resumed run can only pick up chunks of the very same run. Each chunk is one `.npz` file, written
to a temporary name and renamed, so a chunk on disk is always whole. The folder is removed when
the run's files are in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

from pathway.spec import PathwaySpec

from .chunk import Chunk
from .parameters import Parameters

PREFIX = ".sciatica-chunks-"
_NAME = re.compile(r"^chunk-(\d+)-(\d+)\.npz$")


def run_key(spec: PathwaySpec, params: Parameters, settings, chunk_size: int) -> str:
    identity = [spec.content_hash, params.content_hash, settings.seed, settings.patients, settings.weeks, chunk_size]
    return hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:16]


class Checkpoint:
    def __init__(self, out: Path, key: str):
        self.folder = Path(out) / f"{PREFIX}{key}"

    def saved(self) -> set[tuple[int, int]]:
        """(first, last) of every chunk on disk."""
        if not self.folder.is_dir():
            return set()
        return {(int(m[1]), int(m[2])) for m in map(_NAME.match, os.listdir(self.folder)) if m}

    def save(self, chunk: Chunk) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        arrays = {"improved": chunk.improved, "states": chunk.states}
        for part in ("patients", "visits", "steps"):
            arrays.update({f"{part}.{name}": values for name, values in getattr(chunk, part).items()})
        fd, temporary = tempfile.mkstemp(dir=self.folder, suffix=".partial")
        with os.fdopen(fd, "wb") as file:
            np.savez(file, **arrays)
        os.replace(temporary, self.folder / f"chunk-{chunk.first}-{chunk.first + chunk.n}.npz")

    def load(self, first: int, last: int) -> Chunk:
        with np.load(self.folder / f"chunk-{first}-{last}.npz") as saved:
            parts: dict[str, dict] = {"patients": {}, "visits": {}, "steps": {}}
            for name in saved.files:
                part, _, column = name.partition(".")
                if column:
                    parts[part][column] = saved[name]
            return Chunk(first, parts["patients"], saved["improved"], saved["states"], parts["visits"], parts["steps"])

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
