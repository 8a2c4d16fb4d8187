"""``python -m bot``: the console when no token is configured, the Telegram bot otherwise."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from telegram.error import InvalidToken

from bot import backup_cli, corpus_cli
from bot.config import ConfigError, Settings, load_settings, open_engine
from bot.console import run_console
from bot.logs import setup_logging
from bot.telegram_bot import run_bot
from retrieval.engine import QAEngine, SchemaError, favour_event_loop
from retrieval.reconcile import progress_bar

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
    backup_cli.add_parsers(sub)
    return parser


class Progress:
    """Progress on stderr: a bar redrawn in place on a terminal; elsewhere (a log file, journald,
    a pipe) a plain line at most every ``every`` seconds, never a carriage return among log lines."""

    def __init__(self, every: float = 10.0) -> None:
        self.terminal = sys.stderr.isatty()
        self.every = every
        self.shown_at: float | None = None  # when the last plain line was printed
        self.drawn = False  # a bar is on the terminal's current line

    def __call__(self, message: str) -> None:
        if self.terminal:
            print(f"\r{message}", end="", file=sys.stderr, flush=True)
            self.drawn = True
        elif self.shown_at is None or time.monotonic() - self.shown_at >= self.every:
            print(message, file=sys.stderr, flush=True)
            self.shown_at = time.monotonic()

    def finish(self, message: str) -> None:
        """The last state, always shown, on a line of its own."""
        print(("\r" if self.terminal else "") + message, file=sys.stderr, flush=True)
        self.drawn = False

    def line(self, message: str) -> None:
        """A line after the bar (ending it first on a terminal)."""
        print(("\n" if self.drawn else "") + message, file=sys.stderr, flush=True)
        self.drawn = False


async def _open(settings: Settings, args: argparse.Namespace, progress: Progress) -> QAEngine:
    """The engine for the console or ``index``, the reconciliation reported on stderr."""
    engine, report = await open_engine(settings, args.data_dir, args.db, progress)
    progress.line(f"index: {report.summary()}")
    await engine.warm_up()
    for message in report.errors + report.warnings:
        print(f"warning: {message}", file=sys.stderr)
    return engine


async def _index(settings: Settings, args: argparse.Namespace) -> int:
    """Prepare everything ahead (a deployment, a benchmark): the index, then every sentence
    vector, with a progress bar; exit 0 once complete, 1 if the vectors could not be made."""
    show = Progress()
    engine = await _open(settings, args, show)
    try:
        ready = asyncio.ensure_future(engine.semantic_ready())
        while not ready.done():
            if (progress := engine.semantic_progress()) is not None:
                show("semantic index " + progress_bar(*progress, "sentences"))
            await asyncio.wait([ready], timeout=0.5)
        progress = engine.semantic_progress()
        if progress is None:
            show.line("semantic index: off (SEMANTIC_RERANK=off or no model); lexical ranking only")
            return 0 if not settings.semantic_rerank else 1
        show.finish("semantic index " + progress_bar(*progress, "sentences"))
        return 0 if progress[0] >= progress[1] else 1
    finally:
        await engine.close()


async def _console(settings: Settings, args: argparse.Namespace) -> int:
    top_k = args.top if args.top is not None else settings.top_k
    if top_k < 1:
        print("error: --top must be at least 1", file=sys.stderr)
        return 2
    engine = await _open(settings, args, Progress())
    try:
        await run_console(engine, top_k, args.json, context_minutes=settings.context_minutes)
    finally:
        await engine.close()
    return 0


def run_stoppable(command: Coroutine[Any, Any, int]) -> int:
    """Run a command; SIGTERM (``docker stop``, systemd, ``kill``) and SIGINT cancel it, so that
    its ``finally`` blocks close the database and shut its worker processes down instead of
    leaving them running. Exit 0 after SIGTERM, 130 after Ctrl-C."""

    async def stoppable() -> int:
        task, loop, received = asyncio.current_task(), asyncio.get_running_loop(), []
        assert task is not None
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, lambda s=signum: (received.append(s), task.cancel()))
        try:
            return await command
        except asyncio.CancelledError:
            if not received:
                raise
            print("stopped", file=sys.stderr)
            return 130 if received[0] == signal.SIGINT else 0

    return asyncio.run(stoppable())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, [settings.telegram_bot_token or "", settings.webhook_secret or ""])
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
            return run_stoppable(corpus_cli.run(settings, args))
        if command in ("backup", "restore"):
            return run_stoppable(backup_cli.run(settings, args))
        return run_stoppable(_index(settings, args) if command == "index" else _console(settings, args))
    except (FileNotFoundError, SchemaError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
