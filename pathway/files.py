"""Writing output files: all of a file or nothing, and a command that cannot write says so and stops."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, NoReturn

import click

from .errors import PathwayError, Problem


def write_atomic(path: Path, data: bytes) -> None:
    """Write all of ``data`` or nothing: a temporary file in the same folder, then os.replace."""
    write_streamed(path, lambda out: out.write(data))


def write_streamed(path: Path, write: Callable[[BinaryIO], object], sync: bool = True) -> None:
    """Write all of a file or nothing: ``write(file)`` fills a temporary file in the same folder,
    which then replaces ``path``; on any failure (a full disk) the temporary file is removed and
    the error raised. ``sync``: on disk before the rename (slower; for files a reader relies on)."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            if sync:
                os.fsync(out.fileno())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes it private; give it a normal file's mode
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class CannotWrite(PathwayError):
    """A file that could not be written (a full disk, no permission), named as the user knows it."""

    def __init__(self, path, reason: str | OSError):
        why = reason if isinstance(reason, str) else reason.strerror or str(reason)
        super().__init__([Problem("", f"cannot write {path}: {why}")])
        self.path, self.reason = path, why

    def __reduce__(self):
        return type(self), (self.path, self.reason)


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """An OSError inside becomes CannotWrite naming ``path`` (a write to an open file says not
    which file it was; the user knows the file by this name, not a temporary one)."""
    try:
        yield
    except CannotWrite:
        raise
    except OSError as err:
        raise CannotWrite(path, err) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fail(message: str) -> NoReturn:
    """Print one line to standard error and exit 1."""
    click.echo(message, err=True)
    sys.exit(1)


def check_folder(out: Path) -> None:
    """Exit 1 if the folder ``out`` goes in does not exist, or ``out`` is a folder itself: said
    before the work, not after."""
    from .inputs import look_up

    if look_up(out) == "folder":
        fail(f"{out}: is a folder; give the name of a file to write")
    if look_up(out.parent) != "folder":
        fail(f"{out}: the folder {out.parent} does not exist")


def write_or_exit(out: Path, data: bytes) -> None:
    """``write_atomic``, or exit 1 naming the file and why (the old file, if any, is untouched)."""
    try:
        write_atomic(out, data)
    except OSError as err:
        fail(f"{out}: cannot write: {err.strerror or err}")
