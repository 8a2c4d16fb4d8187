"""``python -m bot``: the console when no token is configured, the Telegram bot otherwise."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from telegram.error import InvalidToken

from bot import corpus_cli
from bot.config import ConfigError, Settings, load_settings, open_engine
from bot.console import run_console
from bot.logs import setup_logging
from bot.telegram_bot import run_bot
from retrieval.engine import QAEngine, favour_event_loop, progress_bar
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
    index = sub.add_parser("index", help="index the data dir and compute every sentence vector, then exit")
    index.add_argument("--data-dir", type=Path, help="article folder (default: DATA_DIR or data/)")
    index.add_argument("--db", type=Path, help="SQLite file (default: DB_PATH or var/bot.sqlite3)")
    sub.add_parser("run", help="start the Telegram bot (long polling)")
    corpus_cli.add_parsers(sub)
    return parser


def _progress(message: str) -> None:
    print(f"\r{message}", end="", file=sys.stderr, flush=True)


async def _open(settings: Settings, args: argparse.Namespace) -> QAEngine:
    """The engine for the console or ``index``, the reconciliation reported on stderr."""
    engine, report = await open_engine(settings, args.data_dir, args.db, _progress)
    print(("\n" if report.added or report.changed else "") + f"index: {report.summary()}", file=sys.stderr)
    for message in report.errors + report.warnings:
        print(f"warning: {message}", file=sys.stderr)
    return engine


async def _index(settings: Settings, args: argparse.Namespace) -> int:
    """Prepare everything ahead (a deployment, a benchmark): the index, then every sentence
    vector, with a progress bar; exit 0 once complete, 1 if the vectors could not be made."""
    engine = await _open(settings, args)
    try:
        ready = asyncio.ensure_future(engine.semantic_ready())
        while not ready.done():
            if (progress := engine.semantic_progress()) is not None:
                _progress("semantic index " + progress_bar(*progress, "sentences"))
            await asyncio.wait([ready], timeout=0.5)
        progress = engine.semantic_progress()
        if progress is None:
            print("semantic index: off (SEMANTIC_RERANK=off or no model); lexical ranking only", file=sys.stderr)
            return 0 if not settings.semantic_rerank else 1
        _progress("semantic index " + progress_bar(*progress, "sentences") + "\n")
        return 0 if progress[0] >= progress[1] else 1
    finally:
        await engine.close()


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    top_k = args.top if args.top is not None else settings.top_k
    if top_k < 1:
        print("error: --top must be at least 1", file=sys.stderr)
        return 2
    engine = await _open(settings, args)
    try:
        await run_console(engine, top_k, args.json, context_minutes=settings.context_minutes)
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
    favour_event_loop()
    if command == "run":
        if not settings.telegram_bot_token:
            print("error: TELEGRAM_BOT_TOKEN is not set (see .env.example)", file=sys.stderr)
            return 2
        try:
            run_bot(settings)
        except (FileNotFoundError, SchemaError) as exc:
            log.error("%s", exc)
            return 2
        except InvalidToken:  # its message quotes the token: never printed
            log.error("the Bot API rejected TELEGRAM_BOT_TOKEN; check it with @BotFather (the token is not shown)")
            return 2
        except KeyboardInterrupt:
            return 130
        return 0
    if command == "console" and not hasattr(args, "json"):
        args = _parser().parse_args(["console"])
    try:
        if command in ("add", "feeds"):
            return asyncio.run(corpus_cli.run(settings, args))
        return asyncio.run(_index(settings, args) if command == "index" else _console(settings, args))
    except (FileNotFoundError, SchemaError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
