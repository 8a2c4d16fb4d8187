"""``python -m bot``: the console when no token is configured, the Telegram bot otherwise."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.console import run_console
from bot.logs import setup_logging
from bot.telegram_bot import run_bot
from retrieval.engine import QAEngine
from retrieval.store import SchemaError

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    console = sub.add_parser("console", help="answer questions from stdin (no Telegram)")
    console.add_argument("--json", action="store_true", help="one JSON object per input line")
    console.add_argument("--data-dir", type=Path, help="article folder (default: DATA_DIR or data/)")
    console.add_argument("--db", type=Path, help="SQLite file (default: DB_PATH or var/bot.sqlite3)")
    console.add_argument("--top", type=int, help="answers per question (default: TOP_K or 3)")
    sub.add_parser("run", help="start the Telegram bot (long polling)")
    return parser


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    data_dir = args.data_dir or settings.data_dir
    db_path = args.db or settings.db_path
    top_k = args.top if args.top is not None else settings.top_k
    if top_k < 1:
        print("error: --top must be at least 1", file=sys.stderr)
        return 2

    def progress(message: str) -> None:
        print(f"\r{message}", end="", file=sys.stderr, flush=True)

    engine, report = await QAEngine.open(data_dir, db_path, max_file_bytes=settings.max_file_bytes, progress=progress)
    print(("\n" if report.added or report.changed else "") + f"index: {report.summary()}", file=sys.stderr)
    for message in report.errors + report.warnings:
        print(f"warning: {message}", file=sys.stderr)
    try:
        await run_console(engine, top_k, args.json)
    finally:
        await engine.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, [settings.telegram_bot_token or ""])
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
    sys.stdin.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[attr-defined]
    command = args.command or ("run" if settings.telegram_bot_token else "console")
    if command == "run":
        if not settings.telegram_bot_token:
            print("error: TELEGRAM_BOT_TOKEN is not set (see .env.example)", file=sys.stderr)
            return 2
        try:
            run_bot(settings)
        except (FileNotFoundError, SchemaError) as exc:
            log.error("%s", exc)
            return 2
        return 0
    if command == "console" and not hasattr(args, "json"):
        args = _parser().parse_args(["console"])
    try:
        return asyncio.run(_console(settings, args))
    except (FileNotFoundError, SchemaError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
