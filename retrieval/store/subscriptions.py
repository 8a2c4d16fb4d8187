"""Feed subscriptions and the entries each has seen, in the bot's SQLite file (they survive restarts).

A subscription belongs to one corpus (data dir) and writes its articles to its own ``.jsonl`` file
there. ``feed_entries`` remembers every entry link that was handled (added, found to be an
article the corpus has already, refused, or given up), so a poll fetches only what is new. An
entry whose page and summary both failed is tried again after a pause that doubles each time
(``feed_failures``), and given up after ``MAX_TRIES`` tries: a feed full of dead links costs a
few fetches, not every poll forever.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from retrieval.store.database import Store


@dataclass(frozen=True)
class Subscription:
    id: int
    url: str
    title: str
    file: str  # the .jsonl file of its articles, relative to the data dir
    created_at: float
    last_poll: float | None
    last_error: str | None
    added: int  # articles added by it so far
    given_up: int = 0  # entries that failed ``MAX_TRIES`` times (or were refused) and are not tried again


MAX_TRIES = 4
RETRY_AFTER = 1800.0  # seconds before the second try; doubled for each further one

_SELECT = (
    "SELECT id, url, title, file, created_at, last_poll, last_error, added,"
    " (SELECT count(*) FROM feed_failures f WHERE f.feed_id = feeds.id AND f.tries >= ?)"
    " FROM feeds WHERE corpus_id = ?"
)


class Subscriptions:
    """The feeds of one corpus."""

    def __init__(self, store: Store, corpus: int) -> None:
        self.store = store
        self.corpus = corpus

    async def all(self) -> list[Subscription]:
        """Every subscription, oldest first (their numbers in ``/feeds`` are these ids)."""
        async with self.store.db.execute(_SELECT + " ORDER BY id", (MAX_TRIES, self.corpus)) as cur:
            return [Subscription(*row) async for row in cur]

    async def find(self, number_or_url: str) -> Subscription | None:
        """A subscription by its number or its URL."""
        key = number_or_url.strip()
        is_number = key.isascii() and key.isdigit() and len(key) <= 18  # "²" and 20 digits are no number
        sql = _SELECT + (" AND id = ?" if is_number else " AND url = ?")
        async with self.store.db.execute(sql, (MAX_TRIES, self.corpus, int(key) if is_number else key)) as cur:
            row = await cur.fetchone()
        return Subscription(*row) if row else None

    async def add(self, url: str, title: str, file_for: Callable[[int], str]) -> Subscription:
        """A new subscription; ``file_for`` names its file from its number."""
        async with self.store.write_lock:
            cursor = await self.store.db.execute(
                "INSERT INTO feeds(corpus_id, url, title, file, created_at) VALUES (?, ?, ?, '', ?)",
                (self.corpus, url, title, time.time()),
            )
            feed_id = int(cursor.lastrowid or 0)
            await self.store.db.execute("UPDATE feeds SET file = ? WHERE id = ?", (file_for(feed_id), feed_id))
            await self.store.db.commit()
        found = await self.find(str(feed_id))
        assert found is not None
        return found

    async def remove(self, feed_id: int) -> None:
        """Stop a subscription (its seen entries go with it; its articles stay in the corpus)."""
        async with self.store.write_lock:
            await self.store.db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
            await self.store.db.commit()

    async def seen(self, feed_id: int) -> set[str]:
        async with self.store.db.execute("SELECT link FROM feed_entries WHERE feed_id = ?", (feed_id,)) as cur:
            return {link async for (link,) in cur}

    async def waiting(self, feed_id: int, now: float) -> set[str]:
        """Links of failed entries whose next try has not come yet."""
        async with self.store.db.execute(
            "SELECT link FROM feed_failures WHERE feed_id = ? AND next_try > ?", (feed_id, now)
        ) as cur:
            return {link async for (link,) in cur}

    async def failed(self, feed_id: int, failures: dict[str, str], refused: set[str]) -> list[str]:
        """Count one more failed try for each link of ``failures`` (link -> why); ``refused``
        links count as tried ``MAX_TRIES`` times at once. Returns the links given up now."""
        now = time.time()
        given_up = []
        async with self.store.write_lock:
            for link, error in failures.items():
                async with self.store.db.execute(
                    "SELECT tries FROM feed_failures WHERE feed_id = ? AND link = ?", (feed_id, link)
                ) as cur:
                    row = await cur.fetchone()
                tries = MAX_TRIES if link in refused else (row[0] if row else 0) + 1
                await self.store.db.execute(
                    "INSERT OR REPLACE INTO feed_failures(feed_id, link, tries, next_try, error)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (feed_id, link, tries, now + RETRY_AFTER * 2 ** (tries - 1), error),
                )
                if tries >= MAX_TRIES:
                    given_up.append(link)
            await self.store.db.commit()
        return given_up

    async def polled(self, feed_id: int, error: str | None, links: list[str], added: int, title: str | None) -> None:
        """Record a poll: when, its error (None: it worked), the entry links it handled, how many
        articles it added, and the feed's title as the feed now gives it."""
        now = time.time()
        async with self.store.write_lock:
            await self.store.db.executemany(
                "INSERT OR IGNORE INTO feed_entries(feed_id, link, seen_at) VALUES (?, ?, ?)",
                [(feed_id, link, now) for link in links],
            )
            await self.store.db.executemany(  # handled now: its past failures no longer matter
                "DELETE FROM feed_failures WHERE feed_id = ? AND link = ? AND tries < ?",
                [(feed_id, link, MAX_TRIES) for link in links],
            )
            await self.store.db.execute(
                "UPDATE feeds SET last_poll = ?, last_error = ?, added = added + ?, title = coalesce(?, title)"
                " WHERE id = ?",
                (now, error, added, title or None, feed_id),
            )
            await self.store.db.commit()
