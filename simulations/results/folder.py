"""A run's output folder: its files staged and moved in together, the hidden folders a run keeps
there, and the lock that says a run is using it.

A run stages its files in `.sciatica-partial-*` and keeps finished chunks in `.sciatica-chunks-*`
(simulations.running.checkpoint). A run killed outright (SIGKILL, a lost machine) cannot remove its
staging folder; the next run into the same folder does. The lock (flock on the folder itself,
released by the kernel however the holder ends, and leaving no file behind) tells that folder
from one a live run is still writing.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: runs there are not locked, and leftovers stay
    fcntl = None

from pathway.files import writing
from pathway.inputs import look_up

from ..engines.course import SimulationError

STAGING = ".sciatica-partial-"
CHUNKS = ".sciatica-chunks-"


class OutputLock:
    """An exclusive lock on the folder `out` while a run writes there; SimulationError if another
    run holds it. `held` is False where folders cannot be locked (then nothing is removed)."""

    def __init__(self, out: Path):
        self.held, self._fd = False, None
        if fcntl is None:
            return
        try:
            fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:  # a folder that can be written but not read: go on unlocked
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(fd)
            if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise SimulationError([f"{out}: another run is writing its files here; wait for it to finish, "
                                       "or give another --out"]) from None
            return  # a file system without locks (some network ones): go on unlocked
        self.held, self._fd = True, fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the folder releases the lock
            self.held, self._fd = False, None


def remove_hidden(out: Path, prefix: str, lock: OutputLock) -> None:
    """Remove the run folders named `prefix...` in `out`: only under the lock, which no other run
    then holds, so none of them is in use."""
    if not lock.held:
        return
    for name in os.listdir(out):
        path = Path(out) / name
        if name.startswith(prefix) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


class OutputFolder:
    """Stages every file in a hidden folder next to `out`, then moves them in together.

        with OutputFolder(out) as folder:
            folder.write("summary.json", text)
        # on success the files are in `out`; on any error nothing is, and staging is removed

    While open it holds a lock on `out` (leftovers.OutputLock), so two runs never write into one
    folder; the staging folders of runs that died there (killed: nothing could remove them) are
    removed on the way in, and on success so are kept chunks (`.sciatica-chunks-*`), which the
    finished run's files supersede: a finished run leaves no hidden folder behind.
    """

    def __init__(self, out: Path):
        self.out = Path(out)
        self.staging: Path | None = None
        self._lock: OutputLock | None = None

    def check_writable(self) -> None:
        """Fail before any work if `out` cannot be created or written to."""
        if look_up(self.out) == "file":  # (pathlib's exists() raises for a name too long)
            raise SimulationError([f"{self.out}: exists and is not a folder; --out names a folder for the run's files"])
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.out):
                pass
        except OSError as err:
            raise SimulationError([f"{self.out}: cannot write the run's files here ({err.strerror or err})"]) from None

    def __enter__(self) -> OutputFolder:
        self.check_writable()
        self._lock = OutputLock(self.out)
        try:
            remove_hidden(self.out, STAGING, self._lock)
            with writing(self.out):
                self.staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=self.out))
        except BaseException:
            self._lock.release()
            raise
        return self

    def path(self, name: str) -> Path:
        assert self.staging is not None
        return self.staging / name

    def write(self, name: str, data: bytes | str) -> None:
        """`name` in the staging folder; a failed write (a full disk) names the file in `out`."""
        with writing(self.out / name):
            self.path(name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def __exit__(self, kind, error, tb) -> None:
        assert self.staging is not None and self._lock is not None
        try:
            if kind is None:
                for item in sorted(self.staging.iterdir()):
                    with writing(self.out / item.name):
                        os.replace(item, self.out / item.name)
                remove_hidden(self.out, CHUNKS, self._lock)
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)
            self._lock.release()
