"""Writing output files: all of a file or nothing, and a command that cannot write says so and stops."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import click


def write_atomic(path: Path, data: bytes) -> None:
    """Write all of ``data`` or nothing: a temporary file in the same folder, then os.replace."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes it private; give it a normal file's mode
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fail(message: str) -> NoReturn:
    """Print one line to standard error and exit 1."""
    click.echo(message, err=True)
    sys.exit(1)


def check_folder(out: Path) -> None:
    """Exit 1 if the folder ``out`` goes in does not exist: said before the work, not after."""
    if not out.parent.is_dir():
        fail(f"{out}: the folder {out.parent} does not exist")


def write_or_exit(out: Path, data: bytes) -> None:
    """``write_atomic``, or exit 1 naming the file and why (the old file, if any, is untouched)."""
    try:
        write_atomic(out, data)
    except OSError as err:
        fail(f"{out}: cannot write: {err.strerror or err}")
