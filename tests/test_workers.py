import gc
import multiprocessing
import os

from retrieval.workers import WORKER_NICENESS, below_questions, collector_off, spawned_pool


def _pid_and_niceness() -> tuple[int, int]:
    return os.getpid(), os.nice(0)


def _nicer() -> None:
    os.nice(3)


def test_every_worker_is_started_before_the_pool_is_returned():
    before = set(multiprocessing.active_children())
    pool = spawned_pool(2)
    try:
        started = set(multiprocessing.active_children()) - before
        assert len(started) == 2
        assert all(process.is_alive() for process in started)
        pid, _ = pool.submit(_pid_and_niceness).result(timeout=60)
        assert pid in {process.pid for process in started} and pid != os.getpid()
    finally:
        pool.shutdown()


def test_workers_run_the_initializer_in_spawned_processes():
    pool = spawned_pool(1, _nicer)
    try:
        pid, niceness = pool.submit(_pid_and_niceness).result(timeout=60)
        assert pid != os.getpid()
        assert niceness == os.nice(0) + 3  # this process is untouched
    finally:
        pool.shutdown()


def _niceness_and_collector() -> tuple[int, bool]:
    return os.nice(0), gc.isenabled()


def test_pyvi_and_counting_workers_yield_the_cores_to_questions():
    """Segmenting and counting workers run below the serving process (its loop and questions)."""
    with spawned_pool(1, below_questions) as pool:
        assert pool.submit(_niceness_and_collector).result(timeout=60) == (os.nice(0) + WORKER_NICENESS, True)


def test_build_workers_run_without_the_cycle_collector():
    with spawned_pool(1, collector_off) as pool:
        assert pool.submit(_niceness_and_collector).result(timeout=60) == (os.nice(0), False)
    assert gc.isenabled()  # this process is untouched
