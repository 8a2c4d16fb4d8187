"""``python -m bot add`` and ``python -m bot feeds …``: articles by link and feeds without Telegram.

For operators and scripts: one line per link on stderr, exit status 0 when everything asked for
was added (or was there already), 1 otherwise. The same ``WebCorpus`` as the bot's commands.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bot.config import Settings, open_engine, open_web
from retrieval.text.normalize import printable
from retrieval.web.feeds import FeedError
from retrieval.web.fetch import FetchError, without_credentials
from retrieval.web.ingest import Outcome, PollReport, WebCorpus
from retrieval.web.opml import OpmlError, OpmlFeed, from_opml, to_opml

_WORDS = {
    "added": "added",
    "updated": "updated",
    "unchanged": "already there",
    "duplicate": "duplicate",
    "failed": "failed",
}


def _paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="article folder (default: DATA_DIR or data/)")
    parser.add_argument("--db", type=Path, help="SQLite file (default: DB_PATH or var/bot.sqlite3)")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    add = sub.add_parser("add", help="fetch web pages and add their articles to the corpus")
    add.add_argument("urls", nargs="+", metavar="URL")
    _paths(add)
    feeds = sub.add_parser("feeds", help="RSS/Atom subscriptions: add, list, remove, poll")
    actions = feeds.add_subparsers(dest="action", required=True)
    feed_add = actions.add_parser("add", help="subscribe and add the feed's current entries")
    feed_add.add_argument("url", metavar="URL")
    _paths(feed_add)
    _paths(actions.add_parser("list", help="the subscriptions (number, URL, title, last poll, added, error)"))
    feed_remove = actions.add_parser("remove", help="stop a subscription (its articles stay)")
    feed_remove.add_argument("feed", metavar="N", help="its number (see `feeds list`) or URL")
    _paths(feed_remove)
    _paths(actions.add_parser("poll", help="read every subscribed feed once"))
    export = actions.add_parser("export", help="the subscriptions as OPML (on stdout, or into FILE)")
    export.add_argument("file", nargs="?", type=Path, metavar="FILE")
    _paths(export)
    feed_import = actions.add_parser("import", help="subscribe to every feed of an OPML file")
    feed_import.add_argument("file", type=Path, metavar="FILE")
    _paths(feed_import)


def outcome_line(outcome: Outcome) -> str:
    """ "added: https://… — Title (2024-05-14, 4 sentences) -> web.jsonl"."""
    word = _WORDS[outcome.status]
    if outcome.status == "failed":
        return f"{word}: {outcome.url} — {outcome.reason}"
    details = ", ".join(x for x in (outcome.date, f"{outcome.sentences} sentences" if outcome.sentences else "") if x)
    line = f"{word}: {outcome.url} — {outcome.title}" + (f" ({details})" if details else "") + f" -> {outcome.file}"
    if outcome.status == "duplicate":
        line += f"; {outcome.reason}"
    if outcome.from_feed_text:
        line += f" [the feed's summary: {outcome.reason}]"
    return line


def _poll_lines(report: PollReport) -> tuple[list[str], bool]:
    """Lines about one feed read, and whether it all worked."""
    head = f"feed {report.feed.id} ({report.feed.url}): "
    if report.error and not report.outcomes:
        return [head + f"failed — {report.error}"], False
    lines = [head + f"{report.added} new articles -> {report.feed.file}"]
    lines += ["  " + outcome_line(o) for o in report.outcomes]
    return lines, not report.error and all(o.ok for o in report.outcomes)


@contextlib.asynccontextmanager
async def _web(settings: Settings, args: argparse.Namespace) -> AsyncIterator[WebCorpus]:
    """The corpus without the sentence model (the bot computes new articles' vectors when it runs)."""
    engine, _ = await open_engine(replace(settings, semantic_rerank=False), args.data_dir, args.db)
    web = open_web(settings, engine)
    try:
        yield web
    finally:
        await web.fetcher.close()
        await engine.close()


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run ``add`` or ``feeds <action>``; the exit status."""
    async with _web(settings, args) as web:
        if args.command == "add":
            outcomes = await web.add_links(args.urls)
            for outcome in outcomes:
                print(outcome_line(outcome), file=sys.stderr)
            return 0 if all(o.ok for o in outcomes) else 1
        if args.action == "list":
            for s in await web.subscriptions.all():
                when = datetime.fromtimestamp(s.last_poll).isoformat(" ", "minutes") if s.last_poll else "never"
                url = without_credentials(s.url)
                fields = [str(s.id), url, s.title, f"last poll {when}", f"{s.added} added", s.file]
                if s.given_up:
                    fields.append(f"{s.given_up} entries given up")
                # What a feed's server sent (its title, its errors) is printed without terminal escapes.
                line = "\t".join(printable(field) for field in fields)
                print(line + (f"  error: {printable(s.last_error)}" if s.last_error else ""))
            return 0
        if args.action == "remove":
            removed = await web.unsubscribe(args.feed)
            if removed is None:
                print(f"no subscription {args.feed}", file=sys.stderr)
                return 1
            files = web.files_of(removed)
            where = f"its articles stay in {', '.join(files)}" if files else "none of its articles is left"
            print(f"removed feed {removed.id} ({without_credentials(removed.url)}); {where}", file=sys.stderr)
            return 0
        if args.action == "export":
            feeds = [OpmlFeed(s.url, s.title) for s in await web.subscriptions.all()]
            if args.file is None:
                sys.stdout.write(to_opml(feeds))
            else:
                args.file.write_text(to_opml(feeds), encoding="utf-8")
                print(f"{len(feeds)} feeds -> {args.file}", file=sys.stderr)
            return 0
        if args.action in ("add", "import"):
            try:
                urls = [args.url] if args.action == "add" else [f.url for f in from_opml(args.file.read_bytes())]
            except (OSError, OpmlError) as exc:
                print(f"error: {args.file}: {exc}", file=sys.stderr)
                return 2
            reports, ok = [], True
            for url in urls:
                try:
                    reports.append(await web.subscribe(url))
                except (FetchError, FeedError) as exc:
                    print(f"failed: {url} — {exc}", file=sys.stderr)
                    ok = False
            if not ok and not reports:
                return 1
        else:
            ok = True
            reports = await web.poll_all()
        for report in reports:
            lines, worked = _poll_lines(report)
            ok &= worked
            print("\n".join(lines), file=sys.stderr)
        return 0 if ok else 1
