"""A run's finished chunks kept on disk, so that a run that fails part-way (a worker killed, the
cluster gone, Ctrl-C) can resume from them instead of starting again.

The folder sits inside the run's output folder, named by everything the chunks depend on (the
pathway's and the parameters' content hashes, seed, cohort size, weeks and chunk size), so a
resumed run can only pick up chunks of the very same run. Each chunk is a folder of .npy files,
written under a temporary name and renamed, so a chunk on disk is always whole. The folder is removed when
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
_NAME = re.compile(r"^chunk-(\d+)-(\d+)$")
PARTS = ("patients", "visits", "steps")


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
        """The chunk as one raw .npy file per column (no zip, no checksum: fast), in a folder
        written under a temporary name and renamed, so a chunk on disk is always whole."""
        self.folder.mkdir(parents=True, exist_ok=True)
        arrays = {"improved": chunk.improved, "states": chunk.states}
        for part in PARTS:
            arrays.update({f"{part}.{name}": values for name, values in getattr(chunk, part).items()})
        partial = Path(tempfile.mkdtemp(dir=self.folder, suffix=".partial"))
        for name, values in arrays.items():
            np.save(partial / f"{name}.npy", values, allow_pickle=False)
        os.replace(partial, self.folder / f"chunk-{chunk.first}-{chunk.first + chunk.n}")

    def load(self, first: int, last: int) -> Chunk:
        folder = self.folder / f"chunk-{first}-{last}"
        parts: dict[str, dict] = {part: {} for part in PARTS}
        whole = {}
        for path in sorted(folder.glob("*.npy")):
            part, _, column = path.stem.partition(".")
            values = np.load(path, allow_pickle=False)
            if column:
                parts[part][column] = values
            else:
                whole[part] = values
        return Chunk(first, parts["patients"], whole["improved"], whole["states"], parts["visits"], parts["steps"])

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
