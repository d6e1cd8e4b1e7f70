"""Chunks run anywhere: in worker processes or on a Dask cluster, the same chunks as here; a lost
worker or cluster is a clear error; an unreachable scheduler fails fast."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from simulations import load_parameters
from simulations.running.execution import ChunkJob, WorkerLost, dask_client, process_pool, run_chunks
from simulations.engines.course import SimulationError

PARAMS = load_parameters()
RANGES = [(0, 150), (150, 151), (151, 400)]


def same(a, b) -> bool:
    """Two (chunk, totals) results are the same."""
    (a, a_totals), (b, b_totals) = a, b
    return (a_totals == b_totals and a.first == b.first and np.array_equal(a.states, b.states) and np.array_equal(a.improved, b.improved)
            and all(np.array_equal(a.patients[k], b.patients[k]) for k in a.patients)
            and all(np.array_equal(a.visits[k], b.visits[k]) for k in a.visits)
            and all(np.array_equal(a.steps[k], b.steps[k]) for k in a.steps))


@pytest.fixture(scope="module")
def here(spec):
    return list(run_chunks(ChunkJob(spec, PARAMS, 52, 9), RANGES))


def test_a_process_pool_gives_the_same_chunks(spec, here):
    with process_pool(2) as pool:
        there = list(run_chunks(ChunkJob(spec, PARAMS, 52, 9), RANGES, pool, in_flight=2))
    assert len(there) == len(here) and all(same(a, b) for a, b in zip(here, there))


def test_a_dask_cluster_gives_the_same_chunks(spec, here):
    distributed = pytest.importorskip("distributed", reason="the optional dask extra is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                                  processes=True) as cluster, distributed.Client(cluster) as client:
        there = list(run_chunks(ChunkJob(spec, PARAMS, 52, 9), RANGES, client.get_executor()))
    assert all(same(a, b) for a, b in zip(here, there))


def test_a_killed_worker_is_a_clear_error(spec):
    """Every worker killed mid-run: WorkerLost naming where the run was, not a hang or a traceback."""
    job = ChunkJob(spec, PARAMS, 52, 1, engine="reference")  # slow enough to be killed while running
    with process_pool(2) as pool:
        chunks = run_chunks(job, [(0, 5), (5, 5000), (5000, 10000)], pool, in_flight=3)
        next(chunks)

        def kill() -> None:
            time.sleep(0.5)
            for pid in list(pool._processes):  # the pool's own record of its workers
                os.kill(pid, signal.SIGKILL)

        threading.Thread(target=kill).start()
        with pytest.raises(WorkerLost, match="worker process stopped unexpectedly"):
            list(chunks)


def test_an_unreachable_scheduler_fails_fast():
    pytest.importorskip("distributed", reason="the optional dask extra is not installed")
    started = time.monotonic()
    with pytest.raises(SimulationError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        dask_client("tcp://127.0.0.1:9", timeout=2)
    assert time.monotonic() - started < 15


@pytest.mark.parametrize("address", ["localhost:8786", "http://host:1/x", "tcp://"])
def test_a_scheduler_address_must_look_like_one(address):
    with pytest.raises(SimulationError, match="expected a Dask scheduler address such as tcp://HOST:PORT"):
        dask_client(address)


def test_a_cluster_that_goes_away_is_a_clear_error(spec):
    distributed = pytest.importorskip("distributed", reason="the optional dask extra is not installed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None)
    client = distributed.Client(cluster)
    job = ChunkJob(spec, PARAMS, 52, 1, engine="reference")
    chunks = run_chunks(job, [(0, 5), (5, 3000), (3000, 6000)], client.get_executor(), in_flight=3)
    next(chunks)
    cluster.close()
    try:
        with pytest.raises(WorkerLost, match="cluster went away"):
            list(chunks)
    finally:
        client.close()


def test_an_unknown_engine_is_named(spec):
    with pytest.raises(SimulationError, match="--engine is `numba`; allowed: compiled, reference"):
        ChunkJob(spec, PARAMS, 52, 1, engine="numba")


def test_a_pool_made_beside_another_thread_comes_from_a_fork_server(spec, here):
    """A plain fork is only used while this process has no other thread; with one, the workers come
    from a fork server, and give the same chunks (and take their mail) all the same."""
    from simulations.running.execution import call_with_mail

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with process_pool(2) as pool:
            assert pool._mp_context.get_start_method() == "forkserver"
            there = list(run_chunks(ChunkJob(spec, PARAMS, 52, 9), RANGES, pool, in_flight=2))
            waiting = pool.submit(call_with_mail, "math", "hypot")
            pool.mailbox.put(((3, 4), {}))
            assert waiting.result(timeout=60) == 5.0
    finally:
        stop.set()
        other.join()
    assert all(same(a, b) for a, b in zip(here, there))


def test_a_task_waiting_for_mail_ends_when_told_there_is_none(spec):
    from simulations.running.execution import call_with_mail

    with process_pool(1) as pool:
        waiting = pool.submit(call_with_mail, "math", "hypot")
        pool.mailbox.put(None)
        assert waiting.result(timeout=60) is None
