"""What the store hands out: plain records of files, articles, passages and usage."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.store.spool import Spooled


@dataclass(frozen=True)
class StoredFile:
    id: int
    name: str
    sha256: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ArticleRow:
    """One indexed article as lists show it; ``text_key`` is ``corpus.content_key`` of its text."""

    title: str
    date: str | None
    url: str | None
    file: str
    sentences: int
    text_key: str | None


@dataclass(frozen=True)
class PassageView:
    """A passage shown around one answer sentence (``focus`` is that sentence's position)."""

    title: str
    date: str | None
    url: str | None
    doc: str
    sentences: list[str]
    focus: int


@dataclass(frozen=True)
class Stats:
    articles: int
    passages: int
    sentences: int
    questions_total: int
    questions_today: int
    unanswered_share: float
    top_unanswered: list[tuple[str, int]]
    helpful: int
    unhelpful: int
    verdicts: dict[str, int]  # replies by verdict: answer, related, none, chat


@dataclass(frozen=True)
class ReplacedFile:
    """A new or changed file a reload writes: its records in file order, each (source key, a new
    article in the spool) or (source key, the id of a stored article of the file, kept as it is)."""

    name: str
    sha256: str
    size: int
    mtime_ns: int
    records: list[tuple[str, Spooled | int]]


@dataclass(frozen=True)
class TouchedFile:
    """A file whose bytes did not change but whose size or time did (a copy, a touch)."""

    id: int
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class AuditEntry:
    """One admin action: when, who (the numeric Telegram id), what, on what."""

    at: float
    admin: int
    action: str
    detail: str
