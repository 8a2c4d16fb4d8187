"""``python -m bot backup DIR`` and ``python -m bot restore DIR`` (see ``retrieval.backup``).

A backup may be taken while the bot runs; a restore wants it stopped. One line on stderr says
what was done; exit 0, or 2 with the reason when refused (nothing is replaced then).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import Settings
from retrieval.backup import BackupError, backup, restore


def add_parsers(sub: argparse._SubParsersAction) -> None:
    for name, text in (
        ("backup", "copy the database and the data dir into DIR (new or empty); safe while the bot runs"),
        ("restore", "put a backup back in place (stop the bot first; what it replaces is kept aside)"),
    ):
        parser = sub.add_parser(name, help=text)
        parser.add_argument("folder", type=Path, metavar="DIR")
        parser.add_argument("--data-dir", type=Path, help="article folder (default: DATA_DIR or data/)")
        parser.add_argument("--db", type=Path, help="SQLite file (default: DB_PATH or var/bot.sqlite3)")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    data_dir, db_path = args.data_dir or settings.data_dir, args.db or settings.db_path
    try:
        if args.command == "backup":
            report = await asyncio.to_thread(backup, db_path, data_dir, args.folder)
            print(
                f"backup: {report.files} files, {report.size / 2**20:.1f} MB, {report.feeds} feeds -> {report.target}",
                file=sys.stderr,
            )
            return 0
        aside = await asyncio.to_thread(restore, args.folder, db_path, data_dir)
        kept = "; what it replaced: " + ", ".join(map(str, aside)) if aside else ""
        print(f"restored {args.folder} -> {db_path}, {data_dir}{kept}", file=sys.stderr)
        return 0
    except (BackupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
