"""A run leaves nothing behind (issue 17): workers die with their parent however it died, a
finished run (fresh or resumed) leaves no hidden folder, and a full disk is one line of error
with every partial file removed."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pathway.cli import main
from simulations.engines.course import SimulationError
from simulations.results.folder import OutputFolder
from said import problems

REPO = Path(__file__).resolve().parent.parent
RUN = [sys.executable, "-c", "from pathway.cli import main; main()"]
ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def children(pid: int) -> set[int]:
    """Every living descendant of `pid` (from /proc: no dependency for one test)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z":  # a zombie has ended; only its exit status is left
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if state[state.rindex(")") + 2] != "Z":
            living.add(pid)
    return living


def wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (found := condition()):
            return found
        time.sleep(0.05)
    return condition()


def kill_all(pids: set[int]) -> None:
    for pid in alive(pids):  # only processes this test started
        os.kill(pid, signal.SIGKILL)


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")


def kill_mid_run(args: list[str], ready) -> set[int]:
    """Start `args`, wait until `ready()` and two workers run, SIGKILL the parent; the workers' pids."""
    parent = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    workers: set[int] = set()

    def running() -> set[int]:
        found = children(parent.pid)
        return found if len(found) >= 2 and ready() else set()

    try:
        workers = wait_for(running, 60)
        assert len(workers) >= 2, "the run never started its workers"
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        return workers
    except BaseException:
        kill_all(workers | {parent.pid})
        raise


@needs_proc
def test_workers_end_within_seconds_of_their_parent_being_killed(tmp_path):
    out = tmp_path / "run"
    args = [*RUN, "simulate", "--workers", "2", "--patients", "300000", "--chunk-size", "10000", "--no-visits",
            "--quiet", "--out", str(out)]
    chunks = lambda: any(p.name.startswith("chunk-") for d in out.glob(".sciatica-chunks-*") for p in d.iterdir())
    workers = kill_mid_run(args, chunks)  # killed once workers have finished a chunk and run more
    try:
        assert wait_for(lambda: not alive(workers), 5), f"workers still running: {alive(workers)}"
    finally:
        kill_all(workers)
    [staging] = out.glob(".sciatica-partial-*")  # a killed run cannot clean up after itself...
    assert staging.is_dir()
    # ... the run that resumes it does, and leaves no hidden folder of its own either.
    result = CliRunner().invoke(main, [*args[len(RUN):], "--resume"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
    assert (out / "patients.csv").is_file()


@needs_proc
def test_fork_server_workers_end_with_their_parent_too(tmp_path):
    """With a thread running, the pool's workers come from a fork server: they and the server go too."""
    script = textwrap.dedent("""
        import threading, time
        from simulations.running.execution import process_pool
        threading.Thread(target=time.sleep, args=(600,), daemon=True).start()  # so: a fork server
        pool = process_pool(2)
        [f.result() for f in [pool.submit(time.sleep, 0) for _ in range(4)]]
        print("ready", flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=REPO, text=True)
    workers: set[int] = set()
    try:
        assert parent.stdout.readline().strip() == "ready"
        workers = children(parent.pid)
        assert len(workers) >= 3  # the fork server and its two workers (and a resource tracker)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert wait_for(lambda: not alive(workers), 5), f"still running: {alive(workers)}"
    finally:
        kill_all(workers | {parent.pid})


def test_a_finished_run_removes_what_killed_runs_left(tmp_path):
    out = tmp_path / "run"
    for hidden in (".sciatica-partial-abc123", ".sciatica-chunks-0123456789abcdef"):
        (out / hidden).mkdir(parents=True)
        (out / hidden / "chunk-0-10").write_bytes(b"left by a killed run")
    result = CliRunner().invoke(main, ["simulate", "--patients", "20", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_two_runs_never_write_into_one_folder(tmp_path):
    with OutputFolder(tmp_path) as first:
        with pytest.raises(SimulationError, match="another run is writing its files here"):
            OutputFolder(tmp_path).__enter__()
        first.write("summary.txt", "the first run's")
    assert (tmp_path / "summary.txt").read_text() == "the first run's"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.txt"]


# -- a full disk -----------------------------------------------------------------------------------


def fills_the_disk(monkeypatch, owner, name: str, after: int = 1) -> None:
    """`owner.name(self, file, ...)` writes a little, then fails with ENOSPC, from call `after` + 1 on."""
    real = getattr(owner, name)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) <= after:
            return real(*args, **kwargs)
        file = next(a for a in args if hasattr(a, "write"))
        file.write(b"\0" * 100)  # some of it made it to the disk
        raise ENOSPC

    monkeypatch.setattr(owner, name, failing)


def no_partial_files(out: Path) -> list[str]:
    """Every file under `out` that is not a whole, finished file."""
    return [str(p.relative_to(out)) for p in out.rglob("*")
            if p.name.endswith((".tmp", ".partial")) or p.name.startswith(".sciatica-partial-")]


def test_a_full_disk_while_writing_a_table_is_one_line_and_leaves_no_partial_file(tmp_path, monkeypatch):
    import simulations.results.outputs as outputs

    monkeypatch.setattr(outputs.CsvTable, "write", _failing_table_write(outputs.CsvTable.write))
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["simulate", "--patients", "300", "--chunk-size", "50", "--out", str(out),
                                       "--quiet"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    [line] = problems(result)
    assert line.startswith(f"error: cannot write {out / 'patients.csv'}: No space left on device (")
    assert line.endswith("finished chunk(s) kept in " + str(next(out.glob(".sciatica-chunks-*")))
                         + ": free some space, then add --resume)")
    assert no_partial_files(out) == []
    assert [p.name for p in out.iterdir()] == [next(out.glob(".sciatica-chunks-*")).name]  # no table, no staging


def _failing_table_write(real):
    calls = []

    def write(self, table):
        calls.append(1)
        real(self, table)
        if len(calls) > 2:  # the patients table of the second chunk: written in part, then the disk is full
            raise ENOSPC

    return write


def test_a_full_disk_while_keeping_a_chunk_removes_the_partial_chunk(tmp_path, monkeypatch):
    import simulations.running.checkpoint as checkpoint

    fills_the_disk(monkeypatch, checkpoint, "_write_arrays", after=1)
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["simulate", "--patients", "300", "--chunk-size", "100", "--out", str(out),
                                       "--quiet"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    [kept] = out.glob(".sciatica-chunks-*")
    assert problems(result) == [
        f"error: cannot write {kept / 'chunk-100-150'}: No space left on device (1 finished chunk(s) kept in {kept}: "
        "free some space, then add --resume)"]
    assert no_partial_files(out) == []
    assert sorted(p.name for p in kept.iterdir()) == ["chunk-0-100"]
