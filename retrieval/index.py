"""Search: BM25 picks passages, then the best sentences inside them are ranked and returned.

Scoring of a candidate sentence s in passage p (both BM25 scores scaled by their best candidate):
    score(s) = bm25_sentence(s) / max_sentence
             + passage_weight * bm25_passage(p) / max_passage
             + coverage_weight * coverage(s)          # idf share of the question's syllables in s
             + answer_type_weight * [s holds the kind of answer asked for, not in the question]
             + counted_weight * [s has a number right before what "bao nhiêu X" counts]
The passage term lets a sentence that answers without repeating the question's words win when its
neighbours hold them; the sentence term picks the one sentence that does hold them; coverage
prefers the sentence that holds *all* of them over one that repeats a rare one; the answer type
("bao nhiêu" wants a number) breaks ties between sentences that talk about the same thing.
Sentences use BM25 with b = 0.3: an answer sentence is often long, and full length normalisation
(b = 0.75) punished it. Every number here comes from the evaluation (README, ablation table).

Abstention: ``evidence`` is the idf-weighted share of the question's content syllables found in
the best-covered top passage (an unknown word weighs as a word seen once). Below
``min_evidence`` the index answers nothing: "Giá vàng hôm nay bao nhiêu?" shares at most a stray
"nay" with a corpus about the border guard. The evaluation command reports how the threshold
separates answerable from out-of-domain questions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import chain

import numpy as np
from scipy import sparse

from retrieval.abbreviations import Abbreviations, asked_abbreviation, definitions, key, learned_pairs, spelled_out
from retrieval.answer_type import AnswerCheck
from retrieval.bm25 import BM25Index, RowsView, RowTerms, SpannedRows, drop_pages, stack_by_term, term_counts
from retrieval.normalize import clean_unicode, fold_diacritics, normalize
from retrieval.query import Query, analyze_question
from retrieval.semantic import SemanticScorer, neutral
from retrieval.tokenizer import word_terms

# A question word missing from a text but known to the corpus is weaker evidence against the
# text (a paraphrase, most often) than a word the corpus has never seen (another topic).
KNOWN_MISSING_WEIGHT = 0.3


def coverage(view: RowsView, query: Query) -> np.ndarray:
    """For each of the view's rows, how much of the question it covers, in [0, 1].

    matched / (matched + missing), both idf-weighted over the question's words (``Query.groups``):
    a word counts with the best credit among its terms found. A missing word the corpus knows
    weighs ``KNOWN_MISSING_WEIGHT``; one it has never seen weighs fully, as a word seen in one
    document. On the dev set this separates out-of-domain questions far better than a plain share
    (README: calibration).
    """
    index, rows, groups = view.index, view.rows, query.groups
    if not groups or rows.size == 0:
        return np.zeros(rows.size)
    # The words' credits in one reduceat and their idfs in one lookup: 81-87 us over a needle
    # question's top 20 passages, where numpy calls and an idf lookup per term took 190-200 us.
    held = view.held(query.evidence_terms)
    credit = np.maximum.reduceat(query.evidence_credits[:, None] * held, query.evidence_starts, axis=0)
    idfs = index.idfs(query.weighing_terms).tolist()
    weights = np.empty(len(groups))
    missing_weights = np.empty(len(groups))
    unseen, part = index.unseen_idf, len(groups)
    for g, group in enumerate(groups):
        first, parts = idfs[g], idfs[part : part + len(group.parts)]
        part += len(group.parts)
        known = first == first or (bool(parts) and all(i == i for i in parts))  # x == x: not nan (unknown)
        weights[g] = first if first == first else max((i for i in parts if i == i), default=unseen)
        missing_weights[g] = weights[g] * (KNOWN_MISSING_WEIGHT if known else 1.0)
    matched = weights @ credit
    missing = missing_weights @ (1.0 - credit)
    return matched / np.maximum(matched + missing, 1e-12)


@dataclass(frozen=True)
class RankingConfig:
    """Knobs of the ranker; defaults are the values the evaluation chose (see README)."""

    candidate_passages: int = 20
    passage_weight: float = 0.5
    coverage_weight: float = 1.0
    answer_type_weight: float = 0.3
    counted_weight: float = 0.3
    min_evidence: float = 0.55
    title_in_passage: bool = True
    abbreviations: bool = True
    k1: float = 1.5  # rank-bm25's, for passages and sentences alike
    sentence_b: float = 0.3
    passage_b: float = 0.75
    scorer: str = "BM25Plus"  # or "BM25Okapi" (see retrieval.bm25)
    # Semantic re-ranking (used when a SemanticScorer is given; see retrieval.semantic).
    semantic_weight: float = 8.0
    semantic_passage_weight: float = 8.0
    semantic_evidence_weight: float = 10.0
    semantic_center: float = 0.85
    fusion: str = "linear"  # or "zscore", "rrf" (ablation: see fuse)


def _standardised(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / (values.std() or 1.0)


def _reciprocal_ranks(values: np.ndarray, k: float = 60.0) -> np.ndarray:
    return 1.0 / (k + np.argsort(np.argsort(-values, kind="stable"), kind="stable"))


def fuse(lexical: np.ndarray, sentence: np.ndarray, passage: np.ndarray, config: RankingConfig) -> np.ndarray:
    """Lexical scores and the model's similarities in one ranking score per candidate.

    "linear" (default): lexical + w_s * cos_sentence + w_p * cos_passage. The lexical score is
    already scaled by its best candidate, and e5's cosines of related texts fall in a narrow
    band (0.75-0.95), so fixed weights work across questions; chosen on half of xquad_vi's
    articles (README). "zscore" and "rrf" (reciprocal rank fusion, k = 60) are the standard
    alternatives, kept for the ablation: z-score won on dev2 but lost dev and xquad_vi, reciprocal
    rank fusion lost everywhere.
    """
    semantic = config.semantic_weight * sentence + config.semantic_passage_weight * passage
    if config.fusion == "zscore":
        return _standardised(lexical) + _standardised(semantic)
    if config.fusion == "rrf":
        return _reciprocal_ranks(lexical) + _reciprocal_ranks(semantic)
    return lexical + semantic


@lru_cache(maxsize=4096)
def _text_key(sentence: str) -> str:
    """Two sentences with the same key are one answer (the same text in two articles): the
    folded normal form, fold_diacritics(normalize(sentence)). Folding drops every mark wherever
    it sits, so normalize's move of old tone placements changes nothing and is skipped (27 of
    its 47 us a sentence). Cached: a question's best candidates are keyed twice
    (``_with_answer_type``, ``_answers``), and popular answers come back."""
    return fold_diacritics(clean_unicode(sentence).lower())


def _spelled(text: str) -> str:
    """Folded syllables joined by single spaces: "Quốc phòng - An ninh" -> "quoc phong an ninh"."""
    return " ".join(p for p in re.split(r"[_\W]+", fold_diacritics(normalize(text))) if p)


@dataclass(frozen=True)
class DocInfo:
    doc: str
    title: str
    date: str | None
    url: str | None
    title_words: list[str] = field(default_factory=list, compare=False)


@dataclass(frozen=True)
class Answer:
    sentence: str
    doc: str
    title: str
    date: str | None
    url: str | None
    score: float
    sentence_id: int

    def to_json(self) -> dict[str, object]:
        """The console contract's answer object."""
        return {
            "sentence": self.sentence,
            "doc": self.doc,
            "title": self.title,
            "date": self.date,
            "url": self.url,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class SearchResult:
    query: Query
    answers: list[Answer]
    evidence: float
    understood_as: str | None = None  # a follow-up as the bot understood it (retrieval.conversation)

    @property
    def answered(self) -> bool:
        return bool(self.answers)


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


class TermIds:
    """One vocabulary (term -> column) for both indexes, and the term ids of each word, cached:
    words repeat, so 300k sentences need ~200k word expansions instead of ~18M."""

    def __init__(self, vocabulary: dict[str, int] | None = None) -> None:
        self.vocabulary: dict[str, int] = {} if vocabulary is None else vocabulary
        self._words: dict[str, list[int]] = {}

    def of_terms(self, terms: Iterable[str]) -> list[int]:
        vocabulary = self.vocabulary
        return [vocabulary.setdefault(t, len(vocabulary)) for t in terms]

    def of_words(self, words: list[str]) -> list[int]:
        ids: list[int] = []
        for word in words:
            known = self._words.get(word)
            if known is None:
                known = self._words[word] = self.of_terms(word_terms(word))
            ids.extend(known)
        return ids


def _matrix(id_lists: list[list[int]], columns: int) -> sparse.csc_matrix:
    """Term counts (one row per id list) for ``columns`` terms."""
    lengths = np.fromiter(map(len, id_lists), dtype=np.int64, count=len(id_lists))
    ids = np.fromiter(chain.from_iterable(id_lists), dtype=np.int64, count=int(lengths.sum()))
    return term_counts(np.repeat(np.arange(len(id_lists)), lengths), ids, (len(id_lists), columns))


def _incidence(rows: list[int] | np.ndarray, cols: list[int] | np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """0/1 matrix with a one at each (rows[i], cols[i])."""
    ones = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((ones, (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))), shape=shape)


def count_terms(
    rows: CorpusRows, config: RankingConfig, ids: TermIds, known: Abbreviations | None
) -> tuple[dict[str, int], sparse.csc_matrix, sparse.csr_matrix, sparse.csc_matrix, sparse.csr_matrix]:
    """The vocabulary (``ids``'s, extended) and the term counts of every sentence (by term and
    by row), passage and article title (those of the passages' titles: empty without
    ``title_in_passage``).

    A passage's counts are the sum of its sentences' (plus its article's title), computed as a
    sparse product instead of a second pass over the words: at 100k passages the whole count
    takes seconds where per-document Counters took minutes. ``known``: the abbreviation pairs
    whose other form a sentence gets as extra terms (None: off).
    """
    sentence_ids = []
    for words in rows.sentence_words:
        term_ids = ids.of_words(words)
        if known is not None and (extra := known.extra_terms(words)):
            term_ids += ids.of_terms(extra)
        sentence_ids.append(term_ids)
    title_ids = [ids.of_words(d.title_words) if config.title_in_passage else [] for d in rows.docs]
    columns = len(ids.vocabulary)
    sentences = _matrix(sentence_ids, columns)
    titles = _matrix(title_ids, columns).tocsr()
    passage_count = len(rows.passage_ids)
    sentence_count, doc_count = len(rows.sentence_passage), len(rows.docs)
    passages = _incidence(rows.sentence_passage, range(sentence_count), (passage_count, sentence_count))
    sentence_rows = sentences.tocsr()
    passages = passages @ sentence_rows
    if titles.nnz:
        passages = passages + _incidence(range(passage_count), rows.passage_doc, (passage_count, doc_count)) @ titles
    return ids.vocabulary, sentences, sentence_rows, sparse.csc_matrix(passages), titles


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


def _passage_spans(sentence_passage: np.ndarray, passages: int) -> tuple[np.ndarray, np.ndarray]:
    """First sentence row of each passage and how many it has (its sentences are consecutive)."""
    counts = np.bincount(sentence_passage, minlength=passages).astype(np.int64)
    return np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64), counts


@dataclass
class CountedPiece:
    """Consecutive articles of a corpus counted on their own: their rows, and their term counts
    over their own terms (``terms``: numbered as first met). Pieces counted apart can be counted
    at once (worker processes, ``retrieval.snapshot.counted_pieces``); ``SearchIndex`` joins them
    in order, giving each term met for the first time the next number: the numbers of one count
    running through the pieces in turn, wherever each piece was counted."""

    terms: list[str]
    docs: DocTable
    article_ids: np.ndarray
    passage_ids: np.ndarray
    passage_doc: np.ndarray  # into the piece's docs
    sentence_ids: np.ndarray
    sentence_text: TextColumn
    sentence_passage: np.ndarray  # into the piece's passages
    definitions: list[tuple[int, dict[str, str]]]  # (the piece's sentence row, pairs)
    sentence_counts: sparse.csc_matrix  # by term
    sentence_rows: sparse.csr_matrix  # the same counts by row
    passage_counts: sparse.csc_matrix  # by term
    title_rows: sparse.csr_matrix  # by row; empty without ``title_in_passage``


def count_piece(rows: CorpusRows, config: RankingConfig, known: Abbreviations | None) -> CountedPiece:
    """The counts of ``rows`` over their own terms (see ``count_terms``); ``known``: the
    abbreviation pairs learned from the whole corpus (None: off)."""
    ids = TermIds()
    _, sentence_counts, sentence_rows, passage_counts, title_rows = count_terms(rows, config, ids, known)
    return CountedPiece(
        terms=list(ids.vocabulary),
        docs=DocTable(rows.docs),
        article_ids=np.asarray(rows.article_ids, dtype=np.int64),
        passage_ids=np.asarray(rows.passage_ids, dtype=np.int64),
        passage_doc=np.asarray(rows.passage_doc, dtype=np.int64),
        sentence_ids=np.asarray(rows.sentence_ids, dtype=np.int64),
        sentence_text=TextColumn(rows.sentence_text),
        sentence_passage=np.asarray(rows.sentence_passage, dtype=np.int64),
        definitions=definitions(rows.sentence_text) if known is not None else [],
        sentence_counts=sentence_counts,
        sentence_rows=sentence_rows,
        passage_counts=passage_counts,
        title_rows=title_rows,
    )


def _renumbered(by_row: sparse.csr_matrix, where: np.ndarray, columns: int) -> sparse.csr_matrix:
    """Counts by row over ``columns`` terms, the piece's term j being term ``where[j]``; each
    row's terms ascending again."""
    renumbered = sparse.csr_matrix(
        (by_row.data, where[by_row.indices], by_row.indptr), shape=(by_row.shape[0], columns)
    )
    renumbered.sort_indices()
    return renumbered


class BuildParts:
    """Where a build keeps what it makes until the index is complete: in memory (this class), or
    on disk as it goes (``retrieval.snapshot.SnapshotWriter``), so that a million passages' build
    holds neither every piece's counts nor both finished matrices in memory at once."""

    def counts(self, matrix: sparse.csc_matrix | sparse.csr_matrix) -> sparse.csc_matrix | sparse.csr_matrix:
        """One piece's term counts (by term or by row), kept until they are stacked (here: as they are)."""
        return matrix

    def rows(self, name: str, pieces: list[RowTerms]) -> RowTerms:
        """The rows of BM25 index ``name``, given in consecutive pieces (emptied as they are
        used), as one (here: in memory)."""
        stacked = RowTerms.stacked(pieces)
        pieces.clear()
        return stacked

    def part(self, name: str, index: BM25Index) -> BM25Index:
        """The finished BM25 index ``name`` ("sentences" or "passages"; here: as it is)."""
        return index


class SearchIndex:
    """Immutable in-memory index over one corpus; safe to share between threads.

    ``updated`` makes the index of a slightly changed corpus from this one: the rows of removed
    articles stay as dead rows (they no longer score, and count nowhere), new articles' rows are
    appended. A full build (``SearchIndex(rows)``) starts clean again.
    """

    @classmethod
    def from_parts(cls, config: RankingConfig, docs: DocTable, **parts: object) -> SearchIndex:
        """An index from already-built parts (see ``retrieval.snapshot``)."""
        index = cls.__new__(cls)
        index.config, index.docs = config, docs
        for name, value in parts.items():
            setattr(index, name, value)
        return index

    def __init__(
        self,
        rows: CorpusRows | Iterable[CountedPiece],
        config: RankingConfig | None = None,
        keep: BuildParts | None = None,
    ) -> None:
        """The index of ``rows``: one CorpusRows (its abbreviation pairs learned from its own
        definitions), or a corpus as consecutive counted pieces (``count_piece``, with the pairs
        learned from the whole corpus), joined one at a time so that only one piece's words are
        ever in memory (the whole corpus's took ~20 GB at 1M passages). ``keep``: where the
        counts and the BM25 parts are kept (default: in memory)."""
        config = self.config = config or RankingConfig()
        keep = keep or BuildParts()
        if isinstance(rows, CorpusRows):
            known = None
            if config.abbreviations:
                known = Abbreviations(learned_pairs(found for _, found in definitions(rows.sentence_text)))
            rows = [count_piece(rows, config, known)]
        ids = TermIds()
        pieces: list[dict] = []
        docs = passages = sentences = 0
        for piece in rows:
            where = np.asarray(ids.of_terms(piece.terms), dtype=np.int32)  # the piece's terms' corpus numbers
            columns = len(ids.vocabulary)
            pieces.append({
                "docs": piece.docs,
                "article_ids": piece.article_ids,
                "passage_ids": piece.passage_ids,
                "passage_doc": piece.passage_doc + docs,
                "sentence_ids": piece.sentence_ids,
                "sentence_text": piece.sentence_text,
                "sentence_passage": piece.sentence_passage + passages,
                "definitions": [(row + sentences, found) for row, found in piece.definitions],
                "sentences_counts": (keep.counts(piece.sentence_counts), where),
                "passages_counts": (keep.counts(piece.passage_counts), where),
                "sentences_rows": keep.counts(_renumbered(piece.sentence_rows, where, columns)),
                "titles_rows": keep.counts(_renumbered(piece.title_rows, where, columns)),
            })  # fmt: skip
            docs, passages, sentences = (
                docs + len(piece.docs),
                passages + len(piece.passage_ids),
                sentences + len(piece.sentence_ids),
            )
            del piece
        vocabulary = ids.vocabulary

        def joined(name: str) -> list:
            return [piece.pop(name) for piece in pieces]

        self.docs = DocTable.joined(joined("docs"))
        self.doc_live = np.ones(len(self.docs), dtype=bool)
        for name in ("article_ids", "passage_ids", "passage_doc", "sentence_ids", "sentence_passage"):
            setattr(self, name, np.concatenate(joined(name)) if pieces else np.zeros(0, dtype=np.int64))
        self.sentence_text = TextColumn.joined(joined("sentence_text"))
        self.definitions = [found for defined in joined("definitions") for found in defined]
        self.passage_first, self.passage_count = _passage_spans(self.sentence_passage, len(self.passage_ids))
        self.titles = keep.rows("titles", [RowTerms.of(piece) for piece in joined("titles_rows")])

        def part(name: str, k1: float, b: float, rows: RowTerms | SpannedRows) -> BM25Index:
            """One part at a time: a kept part (on disk) is let go of before the next is made."""
            counts = stack_by_term(joined(f"{name}_counts"), len(vocabulary))
            return keep.part(name, BM25Index.from_counts(counts, vocabulary, k1, b, config.scorer, rows=rows))

        sentence_rows = keep.rows("sentences", [RowTerms.of(piece) for piece in joined("sentences_rows")])
        self.sentences = part("sentences", config.k1, config.sentence_b, sentence_rows)
        passage_rows = SpannedRows(
            self.sentences.rows, self.passage_first, self.passage_count, self.titles, self.passage_doc
        )
        self.passages = part("passages", config.k1, config.passage_b, passage_rows)

    def updated(self, removed: Iterable[int], rows: CorpusRows, keep: BuildParts | None = None) -> SearchIndex | None:
        """This index without the articles ``removed`` (database ids) and with those of ``rows``;
        ``keep``: where its BM25 parts are kept (default: in memory).

        None when the change moves the abbreviation pairs learned from the corpus (a definition
        added or gone): sentences already indexed would get other terms, so build anew.
        """
        config = self.config
        keep = keep or BuildParts()
        doc_live = self.doc_live & ~np.isin(self.article_ids, np.fromiter(removed, dtype=np.int64))
        passage_live = doc_live[self.passage_doc]
        sentence_live = passage_live[self.sentence_passage]
        known, defined = None, []
        if config.abbreviations:
            defined = [(row, pairs) for row, pairs in self.definitions if sentence_live[row]]
            defined += [(row + len(self.sentence_text), pairs) for row, pairs in definitions(rows.sentence_text)]
            pairs = learned_pairs(p for _, p in defined)
            if pairs != learned_pairs(p for row, p in self.definitions if self.sentences.live[row]):
                return None
            known = Abbreviations(pairs)
        ids = TermIds(dict(self.passages.vocabulary))  # the served index keeps its own
        vocabulary, sentence_counts, by_sentence, passage_counts, title_counts = count_terms(rows, config, ids, known)
        passage_rows, doc_rows = len(self.passage_ids), len(self.docs)
        sentence_passage = np.concatenate(
            [self.sentence_passage, np.asarray(rows.sentence_passage, dtype=np.int64) + passage_rows]
        )
        passage_doc = np.concatenate([self.passage_doc, np.asarray(rows.passage_doc, dtype=np.int64) + doc_rows])
        passage_first, passage_count = _passage_spans(sentence_passage, passage_rows + len(rows.passage_ids))
        sentence_text = TextColumn.joined([self.sentence_text, TextColumn(rows.sentence_text)])
        drop_pages(self.sentence_text.blob)
        dead_sentences = np.flatnonzero(self.sentences.live & ~sentence_live)
        dead_passages = np.flatnonzero(self.passages.live & ~passage_live)
        sentence_rows = keep.rows("sentences", [self.sentences.rows, RowTerms.of(by_sentence)])
        sentences = self.sentences.updated(dead_sentences, sentence_counts, vocabulary, sentence_rows)
        sentences = keep.part("sentences", sentences)
        titles = keep.rows("titles", [self.titles, RowTerms.of(title_counts)])
        by_row = SpannedRows(sentences.rows, passage_first, passage_count, titles, passage_doc)
        passages = keep.part("passages", self.passages.updated(dead_passages, passage_counts, vocabulary, by_row))
        return SearchIndex.from_parts(
            config,
            DocTable.joined([self.docs, DocTable(rows.docs)]),
            article_ids=np.concatenate([self.article_ids, np.asarray(rows.article_ids, dtype=np.int64)]),
            doc_live=np.concatenate([doc_live, np.ones(len(rows.docs), dtype=bool)]),
            passage_ids=np.concatenate([self.passage_ids, np.asarray(rows.passage_ids, dtype=np.int64)]),
            passage_doc=passage_doc,
            sentence_ids=np.concatenate([self.sentence_ids, np.asarray(rows.sentence_ids, dtype=np.int64)]),
            sentence_text=sentence_text,
            sentence_passage=sentence_passage,
            passage_first=passage_first,
            passage_count=passage_count,
            definitions=defined,
            sentences=sentences,
            passages=passages,
            titles=titles,
        )

    @property
    def size(self) -> tuple[int, int, int]:
        """(articles, passages, sentences), live ones only."""
        return int(self.doc_live.sum()), self.passages.documents, self.sentences.documents

    @property
    def dead_share(self) -> float:
        """Share of passage rows that belong to removed articles (a full build drops them)."""
        return 1 - self.passages.documents / len(self.passage_ids) if len(self.passage_ids) else 0.0

    def live_docs(self, limit: int) -> list[DocInfo]:
        """The first ``limit`` articles still in the corpus."""
        return [self.docs[i] for i in np.flatnonzero(self.doc_live)[:limit]]

    def evidence(self, query: Query, passages: np.ndarray) -> float:
        """Best share of the question's idf mass that one of ``passages`` contains."""
        if passages.size == 0:
            return 0.0
        return float(coverage(self.passages.at(passages), query).max())

    @cached_property
    def abbreviation_pairs(self) -> dict[str, str]:
        """The abbreviation pairs this index was built with (curated + learned from live rows)."""
        live = self.sentences.live
        return learned_pairs(pairs for row, pairs in self.definitions if live[row])

    def search(self, question: str, top_k: int = 3, semantic: SemanticScorer | None = None) -> SearchResult:
        """The best ``top_k`` sentences for a question, or none when the corpus lacks an answer.

        ``semantic``: the model and the sentence vectors of this index, for re-ranking (None:
        lexical ranking only)."""
        asked = asked_abbreviation(question, self.abbreviation_pairs) if self.config.abbreviations else None
        if asked is not None:
            return self._meaning_of(asked, question, top_k, semantic)
        query = analyze_question(question)
        if query.empty or not self.passage_ids.size or top_k <= 0:
            return SearchResult(query, [], 0.0)
        top, top_scores = self.passages.top(query.terms, self.config.candidate_passages)
        evidence = self.evidence(query, top)
        config = self.config
        if semantic is None or not query.accented or len(semantic.vectors.sentence_ids) != len(self.sentence_ids):
            semantic = None  # the model's similarities are evidence for accented questions only
        if top.size == 0 or (semantic is None and evidence < config.min_evidence):
            return SearchResult(query, [], evidence)

        counts = self.passage_count[top]  # each top passage's sentences, in order, all in a few calls
        candidates = np.repeat(self.passage_first[top] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        c_passages = np.repeat(top, counts)
        c_passage_scores = np.repeat(top_scores, counts)
        similar = None
        if semantic is not None:
            similar = semantic.similarities(
                spelled_out(question, self.abbreviation_pairs),
                candidates,
                self.passage_first[c_passages],
                self.passage_count[c_passages],
            )
            if similar is not None:
                evidence += config.semantic_evidence_weight * (float(np.nanmax(similar[0])) - config.semantic_center)
        if evidence < config.min_evidence:
            return SearchResult(query, [], evidence)

        at_candidates = self.sentences.at(candidates)
        s_scores = at_candidates.scores(query.terms)
        final = s_scores / (s_scores.max() or 1.0)
        final += config.passage_weight * c_passage_scores / (top_scores[0] or 1.0)
        if config.coverage_weight:
            final += config.coverage_weight * coverage(at_candidates, query)
        if config.answer_type_weight and (check := AnswerCheck(question)).kind is not None:
            # Fused with the model's similarities, any candidate may still win: check them all.
            final = self._with_answer_type(candidates, final, top_k if similar is None else len(candidates), check)
        if similar is not None:
            final = fuse(final, neutral(similar[0]), neutral(similar[1]), config)
        return SearchResult(query, self._answers(candidates, final, top_k), evidence)

    def _with_answer_type(self, rows: np.ndarray, scores: np.ndarray, top_k: int, check: AnswerCheck) -> np.ndarray:
        """``scores`` plus the answer type's bonuses, computed where they can change the ``top_k``
        answers: a few regular expressions per sentence were 2.4 ms of a question over 60
        candidates. Candidates are checked best first; once ``top_k`` different texts reach t
        with their bonuses, a candidate whose score plus the largest bonus stays below t ranks
        after all of them, and so does every later one (bonuses only add): 6 sentences checked
        for a needle question of a topical corpus, where a bound by scores alone checked 20."""
        config = self.config
        most = config.answer_type_weight + (config.counted_weight if check.counting else 0.0)
        final = scores.copy()
        best: dict[str, float] = {}  # each text's best score with its bonus, among those checked
        for i in np.argsort(-scores, kind="stable"):
            if len(best) >= top_k and scores[i] + most < sorted(best.values())[-top_k]:
                break
            text = self.sentence_text[rows[i]]
            final[i] += config.answer_type_weight * check.holds(text)  # two additions, as two array adds made
            final[i] += config.counted_weight * check.counts(text)
            key = _text_key(text)
            best[key] = max(best.get(key, final[i]), final[i])
        return final

    def _answers(self, rows: np.ndarray, scores: np.ndarray, top_k: int) -> list[Answer]:
        """The ``top_k`` best of ``rows`` by ``scores``, each sentence text once."""
        answers: list[Answer] = []
        seen: set[str] = set()
        for i in np.argsort(-scores, kind="stable"):
            sentence = int(rows[i])
            text = self.sentence_text[sentence]
            key = _text_key(text)
            if key in seen:
                continue
            seen.add(key)
            doc = self.docs[int(self.passage_doc[self.sentence_passage[sentence]])]
            answers.append(
                Answer(
                    sentence=text,
                    doc=doc.doc,
                    title=doc.title,
                    date=doc.date,
                    url=doc.url,
                    score=float(scores[i]),
                    sentence_id=int(self.sentence_ids[sentence]),
                )
            )
            if len(answers) == top_k:
                break
        return answers

    def _meaning_of(
        self, abbreviation: str, question: str, top_k: int, semantic: SemanticScorer | None
    ) -> SearchResult:
        """What an abbreviation stands for: the sentences where the corpus defines it ("... Nông
        thôn mới (NTM) ...") first, then sentences that use its long form (the only answer for a
        curated one the corpus never defines), best by a search for the long form."""
        long_form = self.abbreviation_pairs[abbreviation]
        wanted = fold_diacritics(key(abbreviation))
        live = self.sentences.live
        defining = np.asarray(
            [
                row
                for row, pairs in self.definitions
                if live[row] and any(fold_diacritics(key(a)) == wanted and lf == long_form for a, lf in pairs.items())
            ],
            dtype=np.int64,
        )
        by_long_form = self.search(long_form, top_k + len(defining), semantic)
        spelled = _spelled(long_form)
        uses = [a for a in by_long_form.answers if spelled in _spelled(a.sentence)]
        found = self._answers(defining, np.arange(len(defining), 0, -1, dtype=np.float64), top_k)
        seen = {a.sentence_id for a in found}
        found += [a for a in uses if a.sentence_id not in seen][: top_k - len(found)]
        query = analyze_question(question)
        return SearchResult(query, found, 1.0 if found else by_long_form.evidence)
