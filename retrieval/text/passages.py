"""Article -> passages of segmented sentences: the CPU-heavy part of indexing (pyvi runs here).

A passage is a few consecutive sentences of one paragraph (``PASSAGE_SENTENCES`` at most,
balanced: 7 sentences give 3 + 2 + 2). BM25 picks passages because a single sentence is often too
short to hold the question's words; the answer sentence is then chosen inside them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from retrieval.text.cleaner import Article, is_heading
from retrieval.text.splitter import split_sentences
from retrieval.text.tokenizer import segment

PASSAGE_SENTENCES = 3


@dataclass(frozen=True)
class Sentence:
    text: str
    words: list[str]


@dataclass(frozen=True)
class PreparedArticle:
    """An article split and segmented, ready to store and index."""

    title: str
    date: str | None
    url: str | None
    text: str
    title_words: list[str]
    passages: list[list[Sentence]]


def chunk(items: list[Sentence], size: int = PASSAGE_SENTENCES) -> list[list[Sentence]]:
    """Split into ceil(n/size) consecutive runs of balanced length."""
    if not items:
        return []
    count = math.ceil(len(items) / size)
    base, extra = divmod(len(items), count)
    runs, start = [], 0
    for i in range(count):
        end = start + base + (1 if i < extra else 0)
        runs.append(items[start:end])
        start = end
    return runs


def prepare_article(article: Article) -> PreparedArticle:
    """Split every paragraph into sentences, segment them, group them into passages."""
    passages: list[list[Sentence]] = []
    for paragraph in article.paragraphs:
        if is_heading(paragraph):
            continue
        sentences = [Sentence(s, segment(s)) for s in split_sentences(paragraph)]
        passages.extend(chunk([s for s in sentences if s.words]))
    return PreparedArticle(
        title=article.title,
        date=article.date,
        url=article.url,
        text="\n".join(article.paragraphs),
        title_words=segment(article.title),
        passages=passages,
    )
