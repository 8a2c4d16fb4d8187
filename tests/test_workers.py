import multiprocessing
import os

from retrieval.workers import spawned_pool


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
