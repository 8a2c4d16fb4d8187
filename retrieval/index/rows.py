"""The plain row types of a corpus: what the store reads and the index is built from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class DocInfo:
    doc: str
    title: str
    date: str | None
    url: str | None
    title_words: list[str] = field(default_factory=list, compare=False)


@dataclass
class CorpusRows:
    """What the store loads for one corpus, in article/passage/sentence order."""

    docs: list[DocInfo] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)  # database id of each doc
    passage_ids: list[int] = field(default_factory=list)
    passage_doc: list[int] = field(default_factory=list)
    sentence_ids: list[int] = field(default_factory=list)
    sentence_text: list[str] = field(default_factory=list)
    sentence_words: list[list[str]] = field(default_factory=list)
    sentence_passage: list[int] = field(default_factory=list)  # index into passage_ids


class TextColumn:
    """Many strings in one UTF-8 buffer plus offsets: a fraction of the memory of a list of str,
    and saved or memory-mapped as two arrays."""

    def __init__(self, texts: list[str]) -> None:
        encoded = [t.encode("utf-8") for t in texts]
        self.offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=self.offsets[1:])
        self.blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)

    @classmethod
    def from_arrays(cls, blob: np.ndarray, offsets: np.ndarray) -> TextColumn:
        column = cls.__new__(cls)
        column.blob, column.offsets = blob, offsets
        return column

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        return self.blob[self.offsets[i] : self.offsets[i + 1]].tobytes().decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))

    @staticmethod
    def joined(columns: list[TextColumn]) -> TextColumn:
        """The strings of ``columns``, in order, in one column (one copy of each buffer)."""
        if not columns:
            return TextColumn([])
        ends = np.cumsum([0] + [int(c.offsets[-1]) for c in columns[:-1]])
        offsets = np.concatenate(
            [columns[0].offsets[:1]] + [c.offsets[1:] + end for c, end in zip(columns, ends, strict=True)]
        )
        return TextColumn.from_arrays(np.concatenate([c.blob for c in columns]), offsets)


class DocTable:
    """Each article's source, title, date and url as four ``TextColumn``s ("" for a missing date
    or url): saved as arrays and memory-mapped back in no time at any size, where a JSON list of
    20,000 articles took 40 ms to load in one call holding the interpreter lock (measured at 100k
    passages; ten times that at 1M)."""

    FIELDS = ("doc", "title", "date", "url")

    def __init__(self, docs: Iterable[DocInfo]) -> None:
        rows = [(d.doc, d.title, d.date or "", d.url or "") for d in docs]
        self.columns = {name: TextColumn([row[i] for row in rows]) for i, name in enumerate(self.FIELDS)}

    @classmethod
    def from_columns(cls, columns: dict[str, TextColumn]) -> DocTable:
        table = cls.__new__(cls)
        table.columns = columns
        return table

    def __len__(self) -> int:
        return len(self.columns["doc"])

    def __getitem__(self, i: int) -> DocInfo:
        doc, title, date, url = (self.columns[name][i] for name in self.FIELDS)
        return DocInfo(doc, title, date or None, url or None)

    @staticmethod
    def joined(tables: list[DocTable]) -> DocTable:
        """The articles of ``tables``, in order, in one table."""
        return DocTable.from_columns(
            {name: TextColumn.joined([t.columns[name] for t in tables]) for name in DocTable.FIELDS}
        )
