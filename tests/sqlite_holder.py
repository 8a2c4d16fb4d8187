"""Another process holding the bot's SQLite file, as a backup tool or a long write would."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path


@asynccontextmanager
async def held_by_another_process(path: Path, exclusive: bool = True) -> AsyncIterator[None]:
    """Another process holds ``path``: in exclusive locking mode (a backup tool; it can take that
    only while no other connection is open), or in a long write transaction (``exclusive=False``)."""
    take = "db.execute('PRAGMA locking_mode=EXCLUSIVE'); db.execute('BEGIN EXCLUSIVE')" if exclusive else (
        "db.execute('BEGIN IMMEDIATE'); db.execute(\"UPDATE meta SET value = value WHERE key = 'schema_version'\")"
    )  # fmt: skip
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c",
        "import sqlite3, sys\n"
        f"db = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        f"{take}\n"
        "print('locked', flush=True); sys.stdin.readline()\n",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdin is not None
    assert await asyncio.wait_for(holder.stdout.readline(), 30) == b"locked\n"
    try:
        yield
    finally:
        holder.stdin.close()
        await asyncio.wait_for(holder.wait(), 30)
