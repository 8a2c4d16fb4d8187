"""Memory-mapped arrays and swapping a finished directory into place: shared by the saved index and the vectors."""

from __future__ import annotations

import mmap
import os
import shutil
from pathlib import Path

import numpy as np


def mapped_array(path: Path) -> np.ndarray:
    """The saved array, memory-mapped read-only. A plain ndarray view of the mapping:
    np.memmap's Python-level __getitem__ cost 3% of a question at 100k passages."""
    return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))


def replace_directory(new: Path, directory: Path) -> None:
    """Put the finished ``new`` in the place of ``directory`` (two renames: a reader finds the old
    one or the new one, never a half-written one)."""
    old = directory.with_name(f"{directory.name}.old-{os.getpid()}")
    if directory.exists():
        directory.rename(old)
    new.rename(directory)
    shutil.rmtree(old, ignore_errors=True)


def drop_pages(array: np.ndarray) -> None:
    """Let the pages of a memory-mapped array that has been read through go from this process:
    the system's page cache keeps them, and touching the array again maps them back. An update
    reads every posting of the saved index once; those pages counted in the updating process's
    resident memory (~4 GB at 1M passages) until it ended. Nothing for an array in memory."""
    base = array
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, mmap.mmap):
        base.madvise(mmap.MADV_DONTNEED)
