"""A cache of successfully loaded files (the pathway, the parameters), so that a run does not
parse and validate the same YAML again: parsing with line numbers is most of a small run's
start-up.

An entry is the loaded object, pickled, named by the SHA-256 of everything the load depends on:
what is loaded and from where, the bytes of every file read, and a fingerprint of the code that
reads them (the source files of both packages: their sizes and modification times) and of Python. So a
changed file, a moved folder or an edited loader never meets a stale entry. Only successful loads
are stored: a bad file is always read again, and its problems reported exactly as before.

Entries live in `$SCIATICA_CACHE_DIR`, else `$XDG_CACHE_HOME/sciatica`, else `~/.cache/sciatica`;
`SCIATICA_CACHE_DIR=off` turns the cache off. The cache is only ever a shortcut: an entry that
cannot be read (corrupt, truncated, from another version) is ignored, and a cache folder that
cannot be written is not an error. Entries are written under a temporary name and renamed, so a
reader never sees half an entry; the oldest are removed beyond MAX_ENTRIES.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

FORMAT = 1  # bump when what is pickled changes shape without its code changing
MAX_ENTRIES = 64
OFF = ("off", "0", "no", "false")
_PACKAGE = Path(__file__).resolve().parent
_SIMULATIONS = _PACKAGE.parent / "simulations"
# The source files whose code builds the cached objects: every module of both packages, since the
# loaders are spread over sub-folders and import widely (a stat of each costs about a millisecond).


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off."""
    chosen = os.environ.get("SCIATICA_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in OFF or not chosen.strip() else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sciatica"


def fingerprinted_files() -> list[Path]:
    """The loader code's source files, in a fixed order."""
    found = []
    for package in (_PACKAGE, _SIMULATIONS):
        for folder, subfolders, names in os.walk(package):  # os.walk: a sixth of pathlib's glob time
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            found += [Path(folder, name) for name in sorted(names) if name.endswith(".py")]
    return found


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Python's version and the loader code's files (name, size, modification time)."""
    parts = [f"format {FORMAT}", sys.version]
    for path in fingerprinted_files():
        try:
            stat = path.stat()
        except OSError:
            continue
        parts.append(f"{path.relative_to(_PACKAGE.parent)} {stat.st_size} {stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cached(kind: str, source: str, files: Iterable[Path], load: Callable[[], T]) -> T:
    """`load()`, or the object an earlier successful `load()` gave for the very same `kind`,
    `source` and bytes of `files` (a file that cannot be read skips the cache: `load` reports it)."""
    folder = cache_dir()
    if folder is None:
        return load()
    digest = hashlib.sha256(f"{kind}\n{source}\n{code_fingerprint()}\n".encode())
    try:
        for path in files:
            content = Path(path).read_bytes()
            digest.update(f"{path} {len(content)}\n".encode())
            digest.update(content)
    except OSError:
        return load()
    entry = folder / f"{kind}-{digest.hexdigest()}.pickle"
    found = _read(entry)
    if found is not None:
        return found
    value = load()  # raises for a bad file: nothing is stored
    _write(folder, entry, value)
    return value


def _read(entry: Path):
    try:
        if not (_private(entry.parent) and _private(entry)):
            return None
        with open(entry, "rb") as file:
            return pickle.load(file)  # only an entry this user wrote, in a folder only this user can write
    except Exception:  # noqa: BLE001 - missing, truncated, corrupt, made by other code: load afresh
        return None


def _private(path: Path) -> bool:
    """Owned by this user and writable by no one else: unpickling runs code, so an entry another
    user could have written or replaced (a shared or world-writable cache folder) is never read."""
    status = path.stat()
    return status.st_uid == os.getuid() and not status.st_mode & 0o022


def _write(folder: Path, entry: Path, value: object) -> None:
    import tempfile  # here: most runs only read the cache

    partial = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, partial = tempfile.mkstemp(dir=folder, prefix=".partial-")
        with os.fdopen(handle, "wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, entry)
        partial = None
        _prune(folder)
    except Exception:  # noqa: BLE001, S110 - a read-only or full disk, an object that cannot be pickled: only a shortcut lost
        pass
    finally:
        if partial is not None:
            with contextlib.suppress(OSError):
                os.unlink(partial)


def _prune(folder: Path) -> None:
    """Keep the MAX_ENTRIES most recently written entries."""
    entries = []
    for path in folder.glob("*.pickle"):
        with contextlib.suppress(OSError):  # another process may be pruning too
            entries.append((path.stat().st_mtime_ns, path))
    for _, old in sorted(entries)[:-MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            old.unlink()
