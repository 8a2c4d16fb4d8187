"""RSS and Atom feeds (via feedparser): the entries a subscription adds, and their fallback text.

Feeds come from outside: an entry's link is kept only when it is an absolute http(s) link (it is
then fetched with the same checks as any link, ``retrieval.web.fetch``), titles and summaries are
stripped of markup, and a feed with no readable entry is an error that names the problem.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass

from retrieval.text.cleaner import Article, cap_title, parse_record
from retrieval.text.normalize import printable

# Entries read from one feed at most (a feed is a window of recent articles, not an archive).
MAX_ENTRIES = 500


class FeedError(Exception):
    """A response that is not a usable feed; the message says why."""


@dataclass(frozen=True)
class FeedEntry:
    link: str
    title: str
    date: str | None  # ISO "2024-05-14"
    summary: str  # plain text, possibly empty


@dataclass(frozen=True)
class Feed:
    title: str
    entries: list[FeedEntry]


_TAG = re.compile(r"<[^>]*>")
_BLOCK = re.compile(r"</?(p|br|div|li|h[1-6])\b[^>]*>", re.IGNORECASE)


def plain_text(markup: str) -> str:
    """Text of an HTML fragment (a feed's summary): block tags become line breaks, and nothing
    a terminal or a chat would act on is left (escape sequences, control characters)."""
    text = _TAG.sub("", _BLOCK.sub("\n", markup))
    lines = (printable(line) for line in html.unescape(text).split("\n"))
    return "\n".join(line for line in lines if line)


def _iso(parsed: time.struct_time | None) -> str | None:
    return time.strftime("%Y-%m-%d", parsed) if parsed else None


def parse_feed(body: bytes) -> Feed:
    """The feed's title and its entries with an http(s) link, newest first as the feed lists them."""
    import feedparser  # on first use, in the worker thread that parses (see ``extract_article``)

    parsed = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=False)
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for entry in parsed.entries[:MAX_ENTRIES]:
        link = (entry.get("link") or "").strip()
        if not link.lower().startswith(("http://", "https://")) or link in seen:
            continue
        seen.add(link)
        entries.append(
            FeedEntry(
                link=link,
                title=cap_title(plain_text(entry.get("title", ""))),
                date=_iso(entry.get("published_parsed") or entry.get("updated_parsed")),
                summary=plain_text(entry.get("summary", "")),
            )
        )
    if not entries and parsed.get("bozo"):  # broken XML (a feed with entries and a small flaw is read)
        problem = parsed.get("bozo_exception")
        raise FeedError(f"not a readable RSS or Atom feed ({getattr(problem, 'getMessage', lambda: problem)()})")
    if not entries and not parsed.get("version"):
        raise FeedError("not an RSS or Atom feed")
    return Feed(cap_title(plain_text(parsed.feed.get("title", ""))), entries)


def entry_article(entry: FeedEntry) -> Article | None:
    """The entry as an article from the feed's own words, for when its page gives no text (None
    when the feed says too little to answer anything)."""
    if len(entry.summary) < 40:
        return None
    try:
        return parse_record(
            {"title": entry.title or None, "text": entry.summary, "date": entry.date, "url": entry.link}
        )
    except ValueError:
        return None
