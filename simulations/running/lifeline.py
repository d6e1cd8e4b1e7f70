"""A worker process ends within a second of its parent's death, however the parent died.

A parent killed outright (SIGKILL, the out-of-memory killer) cannot tell its workers, and a
process pool's workers then wait for work for ever: each holds the task queue's other end open,
so it never sees the queue close. They keep their memory, and a plot they draw may still land
in the output folder. Two guards, started in each worker as it starts:

- on Linux, `prctl(PR_SET_PDEATHSIG, SIGKILL)`: the kernel kills a forked worker the moment its
  parent (the thread that forked it: the pool is made on the main thread) ends;
- everywhere, a daemon thread waiting on multiprocessing's sentinel of the process that started
  the worker (a pipe only that process holds open: it reads as closed once the process is gone),
  which then ends the worker. This also covers a fork server's workers, whose parent is the
  server, which in turn lives as long as any of its workers does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent() -> None:
    """In a new worker process: end it when the process that started it ends."""
    _ask_the_kernel()
    parent = multiprocessing.parent_process()
    if parent is not None and parent.sentinel is not None:
        threading.Thread(target=_watch, args=(parent.sentinel,), name="sciatica-lifeline", daemon=True).start()


def _ask_the_kernel() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no libc to ask (an unusual build): the watching thread still guards
        pass


def _watch(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])  # returns once the parent is gone (at once if it already is)
    os._exit(1)  # no clean-up: the parent, who owned the run, is gone
