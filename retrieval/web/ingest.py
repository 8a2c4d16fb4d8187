"""Articles from the web into the corpus: add by link, subscribe to feeds, list, remove.

The data dir stays the single source of truth. A fetched article becomes one line of a ``.jsonl``
file there, in the usual format plus when it was fetched::

    {"title": "...", "date": "2024-05-14", "url": "https://...", "text": "...", "fetched": "2026-11-30T10:00:00Z"}

Links added by hand go to ``web.jsonl``; each feed has its own file under ``feeds/``. Files are
rewritten atomically and the engine then reloads, which indexes only the new lines (the
incremental path: unchanged lines keep their stored words), so ``/reload``, a restart and a fresh
index all see the same articles. An article is never stored twice: not under the same link, and
not with the same text under another link (``corpus.content_key``). A failed fetch changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from retrieval.corpus import (
    DEFAULT_MAX_FILE_BYTES,
    CorpusFileError,
    content_key,
    decode_text,
    editing,
    jsonl_lines,
    safe_file_name,
    write_atomically,
)
from retrieval.engine import QAEngine
from retrieval.reconcile import ReloadReport

# ArticleRow, MAX_TRIES and Subscription are what the front ends show: they take them from here.
from retrieval.store.records import ArticleRow as ArticleRow
from retrieval.store.subscriptions import MAX_TRIES as MAX_TRIES
from retrieval.store.subscriptions import Subscription as Subscription
from retrieval.store.subscriptions import Subscriptions
from retrieval.text.cleaner import Article, parse_record
from retrieval.web.extract import ExtractError, page_article
from retrieval.web.feeds import FeedEntry, FeedError, entry_article, parse_feed
from retrieval.web.fetch import Fetcher, FetchError, RefusedLink, check_url, without_credentials

log = logging.getLogger(__name__)

LINKS_FILE = "web.jsonl"
FEEDS_DIR = "feeds"
FEED_ACCEPT = "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
# Pages fetched at once (each host still one at a time, see ``Fetcher``).
PARALLEL_FETCHES = 4
# Seconds one read of a feed may take, its entries' pages included (FEED_POLL_SECONDS).
DEFAULT_POLL_SECONDS = 120.0
ARTICLES_PAGE = 10

Progress = Callable[[int, int], None]  # (links done, links)


@dataclass
class Outcome:
    """What became of one link: ``status`` is "added", "updated", "unchanged" (already there, the
    same), "duplicate" (the same text is there under another link) or "failed" (``reason``)."""

    url: str
    status: str
    title: str = ""
    date: str | None = None
    file: str = ""
    sentences: int = 0
    reason: str = ""
    from_feed_text: bool = False  # the page gave no article; the feed's own summary was used

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass
class PollReport:
    """One feed read once: its new entries' outcomes, or the error that stopped it."""

    feed: Subscription
    outcomes: list[Outcome] = field(default_factory=list)
    error: str | None = None
    reload: ReloadReport | None = None
    subscribed: bool = False  # the first read of a new subscription
    deferred: int = 0  # new entries not fetched within the poll's time: the next poll reads them
    given_up: list[str] = field(default_factory=list)  # entries not tried again (failed too often, refused)

    @property
    def added(self) -> int:
        return sum(o.status in ("added", "updated") for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def problems(self) -> str | None:
        """What went wrong with its entries, in a line for ``/feeds`` (None: nothing)."""
        parts = []
        if self.failed:
            parts.append(f"{len(self.failed)} of {len(self.outcomes)} new entries could not be read")
        if self.given_up:
            parts.append(f"{len(self.given_up)} given up after {MAX_TRIES} tries or refused")
        if self.deferred:
            parts.append(f"{self.deferred} left for the next poll (out of time)")
        return "; ".join(parts) or None


@dataclass(frozen=True)
class ArticlesPage:
    """One page of ``/articles``: its rows, its number (from 1) and how many pages there are."""

    rows: list[ArticleRow]
    page: int
    pages: int

    @property
    def first(self) -> int:
        """The number of its first article in the whole list."""
        return (self.page - 1) * ARTICLES_PAGE + 1


@dataclass(frozen=True)
class Removed:
    """What ``remove`` took out: the articles, and the file deleted when nothing was left in it."""

    articles: list[ArticleRow]
    deleted_file: str | None = None


@dataclass(frozen=True)
class _Fetched:
    """A link fetched: its article (or why not) and the link it ended at after redirects."""

    url: str
    article: Article | None
    reason: str = ""
    from_feed_text: bool = False
    refused: bool = False  # a link the bot never fetches (RefusedLink)


def _record(article: Article, url: str) -> tuple[dict[str, str], str]:
    """The ``.jsonl`` record of an article and the content key its text will be stored with
    (computed from the record as a reload will read it, so both always agree)."""
    record = {"title": article.title, "date": article.date or "", "url": without_credentials(url),
              "text": "\n".join(article.paragraphs)}  # fmt: skip
    record = {key: value for key, value in record.items() if value}
    record["fetched"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return record, content_key("\n".join(parse_record(record).paragraphs))


def _json_line(record: dict[str, str]) -> str:
    """One record as one line. U+2028, U+2029 and U+0085 are escaped although JSON allows them
    raw: a reader that splits lines the way ``str.splitlines`` does would cut the record there."""
    line = json.dumps(record, ensure_ascii=False)
    return line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


def _url_of(line: str) -> str | None:
    """The ``"url"`` of a record line (None for a line that is not a record with a string URL)."""
    try:
        record = json.loads(line) if line.strip() else None
    except ValueError:
        return None
    url = record.get("url") if isinstance(record, dict) else None
    return url if isinstance(url, str) else None


def _read_lines(path: Path) -> list[str]:
    """The lines of a ``.jsonl`` file as every reader splits them: at "\n" only, decoded as a
    reload decodes them (a file re-saved as Windows-1258 is read, and written back as UTF-8)."""
    if not path.exists():
        return []
    pieces, _ = decode_text(path.read_bytes(), path.name)
    return list(jsonl_lines(pieces))


def _rolled(name: str, number: int) -> str:
    """ "feeds/x-3.jsonl" -> "feeds/x-3.2.jsonl": where appends go once a file of the series is full."""
    stem, _, suffix = name.rpartition(".")
    return name if number == 1 else f"{stem}.{number}.{suffix}"


@dataclass(frozen=True)
class Edited:
    """What ``_edit_jsonl`` did: records left in the file, and which file each upserted URL is in
    now (an upsert that fits in no file, being over the size limit alone, is missing)."""

    left: int
    placed: dict[str, str]


def _rewrite(
    data_dir: Path, name: str, upsert: list[dict[str, str]], drop: set[str], max_bytes: int, placed: dict[str, str]
) -> tuple[int, list[dict[str, str]]]:
    """One file of ``_edit_jsonl``: (records left in it, upserts that did not fit)."""
    path = data_dir / name
    new = {record["url"]: record for record in upsert}
    kept: list[str] = []
    changed = False
    for line in _read_lines(path):
        url = _url_of(line)
        if url in drop:
            changed = True
            continue
        if url is not None and url in new:
            line, changed = _json_line(new.pop(url)), True
            placed[url] = name
        kept.append(line)
    size = sum(len(line.encode("utf-8")) + 1 for line in kept)
    rest: list[dict[str, str]] = []
    for url, record in new.items():
        line = _json_line(record)
        if size + len(line.encode("utf-8")) + 1 > max_bytes:
            if size or kept:  # an empty file cannot take it either: it is left out
                rest.append(record)
            continue
        kept.append(line)
        placed[url] = name
        size += len(line.encode("utf-8")) + 1
        changed = True
    left = sum(1 for line in kept if line.strip())
    if not left:
        path.unlink(missing_ok=True)
    elif changed:
        write_atomically(path, "".join(line + "\n" for line in kept).encode("utf-8"))
    return left, rest


def _edit_jsonl(
    data_dir: Path, name: str, upsert: list[dict[str, str]], drop: set[str], max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> Edited:
    """Rewrite a ``.jsonl`` file of the data dir atomically, under the data dir's edit lock:
    records with an ``upsert`` record's URL replaced in place, the others appended, records whose
    URL is in ``drop`` left out. Appends that would take the file past ``max_bytes`` (past which
    a reload would no longer index it) go to the next file of its series (``_rolled``). A file
    left with no record is deleted. Lines that are not JSON records are kept as they are."""
    placed: dict[str, str] = {}
    with editing(data_dir):
        left, rest = _rewrite(data_dir, name, upsert, drop, max_bytes, placed)
        number = 2
        while rest:
            _, rest = _rewrite(data_dir, _rolled(name, number), rest, set(), max_bytes, placed)
            number += 1
    return Edited(left, placed)


def feed_file_name(url: str, feed_id: int) -> str:
    """ "feeds/bienphong.com.vn-3.jsonl": the host says which site, the number keeps it unique."""
    host = urlsplit(url).hostname or "feed"
    return f"{FEEDS_DIR}/{safe_file_name(f'{host}-{feed_id}.jsonl')}"


class WebCorpus:
    """Adds fetched articles to one engine's data dir and index."""

    def __init__(self, engine: QAEngine, fetcher: Fetcher, poll_seconds: float = DEFAULT_POLL_SECONDS) -> None:
        self.engine = engine
        self.fetcher = fetcher
        self.poll_seconds = poll_seconds
        self.subscriptions = Subscriptions(engine.store, engine.corpus)
        self._editing = asyncio.Lock()  # one edit of the data dir at a time, each with its reload
        self._polling = asyncio.Lock()  # one poll of the feeds at a time

    # --- fetching (no lock held: questions and other edits go on) ---------------------------

    async def _fetch_article(self, url: str, entry: FeedEntry | None = None) -> _Fetched:
        """Fetch and extract one page; for a feed entry, its summary when the page fails (never
        when the link was refused: nothing is kept that points where the bot may not go)."""
        try:
            page = await self.fetcher.fetch(url)
            article = await asyncio.to_thread(page_article, page.body, page.content_type, page.charset, page.url)
            return _Fetched(page.url, article)
        except RefusedLink as exc:
            return _Fetched(url, None, str(exc), refused=True)
        except (FetchError, ExtractError) as exc:
            fallback = entry_article(entry) if entry is not None else None
            if fallback is not None:
                return _Fetched(url, fallback, str(exc), from_feed_text=True)
            return _Fetched(url, None, str(exc))
        except Exception as exc:  # a library's surprise: this link's failure, never the batch's
            log.exception("fetching %s failed", without_credentials(url))
            return _Fetched(url, None, f"unexpected error ({type(exc).__name__})")

    async def _fetch_all(
        self,
        links: list[str],
        entries: dict[str, FeedEntry] | None = None,
        progress: Progress | None = None,
        deadline: float | None = None,
    ) -> list[_Fetched | None]:
        """Each link fetched: a host's links one after another, different hosts side by side (at
        most ``PARALLEL_FETCHES`` at once), so that one slow site holds up only its own links.
        None for a link not fetched by ``deadline`` (``loop.time()``): left for another time."""
        gate = asyncio.Semaphore(PARALLEL_FETCHES)
        fetched: dict[str, _Fetched] = {}
        by_host: dict[str, list[str]] = {}
        for link in links:
            by_host.setdefault(urlsplit(link).hostname or "", []).append(link)

        async def one_host(host_links: list[str]) -> None:
            for link in host_links:
                async with gate:
                    fetched[link] = await self._fetch_article(link, (entries or {}).get(link))
                if progress is not None:
                    progress(len(fetched), len(links))

        try:
            async with asyncio.timeout_at(deadline):
                await asyncio.gather(*(one_host(host_links) for host_links in by_host.values()))
        except TimeoutError:
            pass  # what is not fetched yet waits for the next poll
        return [fetched.get(link) for link in links]

    # --- storing ---------------------------------------------------------------------------

    async def _store(
        self, asked: list[str], fetched: list[_Fetched], file: str
    ) -> tuple[list[Outcome], ReloadReport | None]:
        """Write the fetched articles (new ones to ``file``, changed ones where they are), reload
        once, and say what became of each link."""
        engine = self.engine
        outcomes: list[Outcome] = []
        edits: dict[str, list[dict[str, str]]] = {}
        keys_now: dict[str, str] = {}  # content key -> link, for twins within this batch
        for link, item in zip(asked, fetched, strict=True):
            if item.article is None:
                outcomes.append(Outcome(without_credentials(link), "failed", reason=item.reason))
                continue
            record, key = _record(item.article, item.url)
            outcome = Outcome(record["url"], "added", item.article.title, item.article.date, file,
                              reason=item.reason, from_feed_text=item.from_feed_text)  # fmt: skip
            outcomes.append(outcome)
            existing = await self._known(link, record["url"])
            if existing is not None:
                outcome.file = existing.file
                if existing.text_key == key:
                    outcome.status = "unchanged"
                    continue
                if not existing.file.endswith(".jsonl"):
                    outcome.status, outcome.reason = "failed", f"the link is in {existing.file}, not a .jsonl file"
                    continue
                outcome.status = "updated"
                record["url"] = outcome.url = existing.url or item.url
                edits.setdefault(existing.file, []).append(record)
                continue
            twins = await engine.store.articles_with_text(engine.corpus, key)
            if twins or key in keys_now:
                outcome.status = "duplicate"
                outcome.reason = (
                    f"same text as “{twins[0].title}” ({twins[0].url or twins[0].file})" if twins else
                    f"same text as {keys_now[key]}"
                )  # fmt: skip
                continue
            keys_now[key] = record["url"]
            edits.setdefault(file, []).append(record)
        if not edits:
            return outcomes, None
        placed: dict[str, str] = {}
        unwritable: dict[str, str] = {}  # file -> why it could not be written
        for name, records in edits.items():
            try:
                edited = await asyncio.to_thread(
                    _edit_jsonl, engine.data_dir, name, records, set(), engine.max_file_bytes
                )
                placed.update(edited.placed)
            except (OSError, CorpusFileError) as exc:  # a read-only data dir, a file no reader could read
                unwritable[name] = str(exc) if isinstance(exc, CorpusFileError) else f"{exc.strerror or exc}"
        report = await engine.reload() if placed else None
        for outcome in outcomes:
            if outcome.status in ("added", "updated"):
                if outcome.url not in placed:
                    why = unwritable.get(outcome.file)
                    outcome.status = "failed"
                    outcome.reason = (
                        f"cannot write {outcome.file} ({why})" if why is not None
                        else f"the article alone is over the {engine.max_file_bytes:,}-byte file limit"
                    )  # fmt: skip
                    continue
                outcome.file = placed[outcome.url]
                assert report is not None
                rows = await engine.store.articles_with_url(engine.corpus, outcome.url)
                if rows:
                    outcome.sentences = rows[0].sentences
                else:  # written, but the reload did not index it: say so, and say why
                    outcome.status = "failed"
                    outcome.reason = next((e for e in report.errors if outcome.file in e), "not indexed")
        return outcomes, report

    async def _known(self, *links: str) -> ArticleRow | None:
        for link in dict.fromkeys(links):
            rows = await self.engine.store.articles_with_url(self.engine.corpus, link)
            if rows:
                return rows[0]
        return None

    # --- what admins call ------------------------------------------------------------------

    async def add_links(self, links: Iterable[str], progress: Progress | None = None) -> list[Outcome]:
        """Fetch each link and add its article to ``web.jsonl`` (or update it where it is)."""
        asked = list(dict.fromkeys(link.strip() for link in links if link.strip()))
        checked: list[str] = []
        outcomes: dict[str, Outcome] = {}
        for link in asked:
            try:
                check_url(link)
                checked.append(link)
            except FetchError as exc:
                outcomes[link] = Outcome(link, "failed", reason=str(exc))
        fetched = await self._fetch_all(checked, progress=progress)
        async with self._editing:
            stored, _ = await self._store(checked, fetched, LINKS_FILE)
        outcomes.update(zip(checked, stored, strict=True))
        return [outcomes[link] for link in asked]

    async def subscribe(self, url: str, progress: Progress | None = None) -> PollReport:
        """Subscribe to a feed and add its current entries. FetchError/FeedError when the URL is
        not a readable feed (nothing is subscribed then); an existing subscription is polled."""
        url = str(check_url(url))
        existing = await self.subscriptions.find(url)
        if existing is not None:
            return await self.poll(existing, progress)
        deadline = asyncio.get_running_loop().time() + self.poll_seconds
        response = await self.fetcher.fetch(url, FEED_ACCEPT)
        feed = await asyncio.to_thread(parse_feed, response.body)
        subscription = await self.subscriptions.add(
            url, feed.title or url, lambda feed_id: feed_file_name(url, feed_id)
        )
        report = await self._poll_entries(subscription, feed.entries, feed.title, progress, deadline)
        report.subscribed = True
        return report

    async def poll(self, subscription: Subscription, progress: Progress | None = None) -> PollReport:
        """Read a feed once and add its new entries, within ``poll_seconds``; an error is
        recorded (and shown by ``/feeds``), never raised: the next poll tries again."""
        deadline = asyncio.get_running_loop().time() + self.poll_seconds
        try:
            response = await self.fetcher.fetch(subscription.url, FEED_ACCEPT)
            feed = await asyncio.to_thread(parse_feed, response.body)
            return await self._poll_entries(subscription, feed.entries, feed.title, progress, deadline)
        except Exception as exc:  # FetchError, FeedError, or a surprise: this feed's error, not the others'
            error = str(exc) if isinstance(exc, FetchError | FeedError) else f"unexpected error ({type(exc).__name__})"
            log.warning("feed %d (%s): %s", subscription.id, without_credentials(subscription.url), error,
                        exc_info=not isinstance(exc, FetchError | FeedError))  # fmt: skip
            await self.subscriptions.polled(subscription.id, error, [], 0, None)
            return PollReport(subscription, error=error)

    async def _poll_entries(
        self,
        subscription: Subscription,
        entries: list[FeedEntry],
        title: str,
        progress: Progress | None,
        deadline: float,
    ) -> PollReport:
        seen = await self.subscriptions.seen(subscription.id)
        waiting = await self.subscriptions.waiting(subscription.id, time.time())  # failed lately: later
        new = [e for e in entries if e.link not in seen and e.link not in waiting]
        handled = [e.link for e in new if await self._known(e.link) is not None]  # added by hand already
        new = [e for e in new if e.link not in handled]
        fetched = await self._fetch_all([e.link for e in new], {e.link: e for e in new}, progress, deadline)
        done = [(e.link, item) for e, item in zip(new, fetched, strict=True) if item is not None]
        report = PollReport(subscription, deferred=len(new) - len(done))
        links = [link for link, _ in done]
        try:
            async with self._editing:
                report.outcomes, report.reload = await self._store(links, [item for _, item in done], subscription.file)
        except Exception as exc:  # a full disk, a failed reload: recorded, tried again next time
            log.exception("feed %d: storing its entries failed", subscription.id)
            report.error = f"{type(exc).__name__}: {exc}"
        else:
            handled += [link for link, o in zip(links, report.outcomes, strict=True) if o.ok]
            failures = {link: o.reason for link, o in zip(links, report.outcomes, strict=True) if not o.ok}
            refused = {link for link, item in done if item.refused}
            report.given_up = await self.subscriptions.failed(subscription.id, failures, refused)
            handled += report.given_up
        report.error = report.error or report.problems()
        await self.subscriptions.polled(subscription.id, report.error, handled, report.added, title)
        return report

    async def poll_all(self) -> list[PollReport]:
        """Every subscription read once, different feeds side by side (each within its own
        ``poll_seconds``): a slow or broken feed delays no other."""
        async with self._polling:
            gate = asyncio.Semaphore(PARALLEL_FETCHES)

            async def one(subscription: Subscription) -> PollReport:
                async with gate:
                    return await self.poll(subscription)

            return list(await asyncio.gather(*(one(s) for s in await self.subscriptions.all())))

    def files_of(self, subscription: Subscription) -> list[str]:
        """The files of the data dir that hold a subscription's articles now: its own and the
        ones its series rolled over to (none once they were removed)."""
        stem, _, suffix = subscription.file.rpartition(".")
        rolled = self.engine.data_dir.glob(f"{stem}.*.{suffix}")
        numbers = sorted(int(p.name.split(".")[-2]) for p in rolled if p.name.split(".")[-2].isdigit())
        names = [_rolled(subscription.file, n) for n in [1, *numbers]]
        return [name for name in names if (self.engine.data_dir / name).is_file()]

    async def unsubscribe(self, number_or_url: str) -> Subscription | None:
        """Stop a subscription; its articles stay. None when there is no such subscription."""
        found = await self.subscriptions.find(number_or_url)
        if found is not None:
            await self.subscriptions.remove(found.id)
        return found

    async def articles(self, page: int) -> ArticlesPage:
        """Page ``page`` (from 1; past the end: the last) of the indexed articles, newest first."""
        page = max(page, 1)
        rows, total = await self.engine.store.articles_page(
            self.engine.corpus, (page - 1) * ARTICLES_PAGE, ARTICLES_PAGE
        )
        pages = max(1, -(-total // ARTICLES_PAGE))
        if page > pages:
            return await self.articles(pages)
        return ArticlesPage(rows, page, pages)

    async def remove(self, target: str) -> Removed | None:
        """Remove the article with this link (from whichever file holds it) or a whole file of
        the data dir, and reload. None when nothing matches."""
        engine = self.engine
        target = target.strip()
        async with self._editing:
            rows = await engine.store.articles_with_url(engine.corpus, target)
            if rows:
                emptied = [
                    name
                    for name in sorted({row.file for row in rows if row.file.endswith(".jsonl")})
                    if (await asyncio.to_thread(_edit_jsonl, engine.data_dir, name, [], {target})).left == 0
                ]
                await engine.reload()
                return Removed(rows, emptied[0] if emptied else None)
            name = target.removeprefix("./")
            rows = await engine.store.articles_in_file(engine.corpus, name)
            path = (engine.data_dir / name).resolve()
            if not rows or not path.is_relative_to(engine.data_dir.resolve()) or not path.is_file():
                return None
            await asyncio.to_thread(path.unlink)
            await engine.reload()
            return Removed(rows, name)
