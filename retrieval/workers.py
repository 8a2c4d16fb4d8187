"""Worker processes, spawned and started away from the event loop.

``ProcessPoolExecutor`` starts a process when a task is submitted and no worker is idle, in the
submitting thread: the first ``run_in_executor`` on the event loop started the processes there.
Started by ``spawned_pool`` in a thread instead, starting two pyvi workers held the loop 4-8 ms
instead of 13-19 ms (measured: four starts each way, in turn, two of them in a process holding
1 GB of objects).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor


def spawned_pool(workers: int, initializer: Callable[[], None] | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes (not forked: forking copies the page tables of a
    bot already serving a big index, and forking a process with threads is unsafe), all started
    before it is returned. Blocks while they start: call it in a thread."""
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=initializer
    )
    for _ in range(workers):  # each submit that finds no idle worker starts one
        pool.submit(int)
    return pool


WORKER_NICENESS = 5


def below_questions() -> None:
    """In a pyvi or counting worker: a lower CPU priority than the serving process (its event
    loop, its questions), higher than the embedding worker's (``semantic._start_worker``, 10). Two
    workers on two cores left the loop waiting for a core 50-90 ms now and then during a long cold
    build."""
    os.nice(WORKER_NICENESS)


def collector_off() -> None:
    """In a worker process that builds (an index, or a piece's counts): no cycle collection.
    What a build makes has no reference cycles (reference counting frees it), and the collector
    walked its hundreds of thousands of live lists again and again: a 100k-passage build took
    13.6 s with it, 11.4 s without (the serving process pauses it during a reload instead:
    ``engine.collector_paused``)."""
    gc.disable()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector walks every live container object in one go, holding the
    interpreter lock; a reload makes hundreds of thousands of them (parsed articles, rows), and
    the collections it triggered held the event loop for 70-170 ms at 10k passages (measured;
    none above 40 ms without). What a reload builds has no reference cycles (reference counting
    frees it), so the collector waits until the reload is over. What survives it (the index,
    caches) lives long, and is frozen out of the collector's reach: re-enabling alone made the
    first collection walk all of it (370 ms at 100k passages)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


async def shut_down(executor: Executor) -> None:
    """Stop an executor without holding up the event loop while its processes exit (~0.15 s)."""
    await asyncio.shield(asyncio.to_thread(executor.shutdown, cancel_futures=True))
