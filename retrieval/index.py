"""Search: BM25 picks passages, then the best sentences inside them are ranked and returned.

Scoring of a candidate sentence s in passage p (both BM25 scores scaled by their best candidate):
    score(s) = bm25_sentence(s) / max_sentence + passage_weight * bm25_passage(p) / max_passage
The passage term lets a sentence that answers without repeating the question's words win when its
neighbours hold them; the sentence term picks the one sentence that does hold them.

Abstention: ``evidence`` is the idf-weighted share of the question's content syllables found in
the best-covered top passage (an unknown word weighs as a word seen once). Below
``min_evidence`` the index answers nothing: "Giá vàng hôm nay bao nhiêu?" shares at most a stray
"nay" with a corpus about the border guard. The evaluation command reports how the threshold
separates answerable from out-of-domain questions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from retrieval.bm25 import BM25Index
from retrieval.normalize import fold_diacritics, normalize
from retrieval.query import Query, analyze_question
from retrieval.tokenizer import index_terms


@dataclass(frozen=True)
class RankingConfig:
    """Knobs of the ranker; defaults are the values the evaluation chose (see README)."""

    candidate_passages: int = 20
    passage_weight: float = 0.5
    min_evidence: float = 0.5
    title_in_passage: bool = True


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
    passage_id: int

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

    @property
    def answered(self) -> bool:
        return bool(self.answers)


@dataclass
class CorpusRows:
    """What the store loads for one corpus, in article/passage/sentence order."""

    docs: list[DocInfo] = field(default_factory=list)
    passage_ids: list[int] = field(default_factory=list)
    passage_doc: list[int] = field(default_factory=list)
    sentence_ids: list[int] = field(default_factory=list)
    sentence_text: list[str] = field(default_factory=list)
    sentence_words: list[list[str]] = field(default_factory=list)
    sentence_passage: list[int] = field(default_factory=list)  # index into passage_ids


class SearchIndex:
    """Immutable in-memory index over one corpus; safe to share between threads."""

    def __init__(self, rows: CorpusRows, config: RankingConfig | None = None) -> None:
        self.config = config or RankingConfig()
        self.docs = rows.docs
        self.passage_ids = np.asarray(rows.passage_ids, dtype=np.int64)
        self.passage_doc = np.asarray(rows.passage_doc, dtype=np.int64)
        self.sentence_ids = np.asarray(rows.sentence_ids, dtype=np.int64)
        self.sentence_text = rows.sentence_text
        self.sentence_passage = np.asarray(rows.sentence_passage, dtype=np.int64)
        sentence_terms = [index_terms(words) for words in rows.sentence_words]
        passage_terms: list[list[str]] = [[] for _ in rows.passage_ids]
        for terms, passage in zip(sentence_terms, rows.sentence_passage, strict=True):
            passage_terms[passage].extend(terms)
        if self.config.title_in_passage:
            title_terms = [index_terms(d.title_words) for d in rows.docs]
            for passage, doc in enumerate(rows.passage_doc):
                passage_terms[passage].extend(title_terms[doc])
        self.sentences = BM25Index(sentence_terms)
        self.passages = BM25Index(passage_terms)
        # First sentence of each passage and how many it has, for candidate expansion.
        counts = np.bincount(self.sentence_passage, minlength=len(self.passage_ids))
        self.passage_first = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        self.passage_count = counts.astype(np.int64)

    @property
    def size(self) -> tuple[int, int, int]:
        """(articles, passages, sentences)."""
        return len(self.docs), len(self.passage_ids), len(self.sentence_text)

    def evidence(self, query: Query, passages: np.ndarray) -> float:
        """Best share of the question's idf mass that one of ``passages`` contains."""
        if not query.groups or passages.size == 0:
            return 0.0
        weights = []
        credit = np.zeros((len(query.groups), passages.size))
        for g, group in enumerate(query.groups):
            idf = self.passages.idf(group[0][0])
            weights.append(idf if idf is not None else self.passages.unseen_idf())
            for term, value in group:
                credit[g] = np.maximum(credit[g], value * self.passages.has_term(term, passages))
        w = np.asarray(weights)
        total = w.sum()
        if total <= 0:
            return 0.0
        return float((w @ credit).max() / total)

    def search(self, question: str, top_k: int = 3) -> SearchResult:
        """The best ``top_k`` sentences for a question, or none when the corpus lacks an answer."""
        query = analyze_question(question)
        if query.empty or not self.passage_ids.size or top_k <= 0:
            return SearchResult(query, [], 0.0)
        p_scores = self.passages.scores(query.terms)
        n = min(self.config.candidate_passages, p_scores.size)
        top = np.argpartition(-p_scores, n - 1)[:n]
        top = top[p_scores[top] > 0]
        evidence = self.evidence(query, top)
        if top.size == 0 or evidence < self.config.min_evidence:
            return SearchResult(query, [], evidence)

        candidates = np.concatenate(
            [np.arange(self.passage_first[p], self.passage_first[p] + self.passage_count[p]) for p in top]
        )
        s_scores = self.sentences.scores(query.terms)[candidates]
        c_passages = self.sentence_passage[candidates]
        final = s_scores / (s_scores.max() or 1.0)
        final += self.config.passage_weight * p_scores[c_passages] / (p_scores[top].max() or 1.0)

        answers: list[Answer] = []
        seen: set[str] = set()
        for i in np.argsort(-final, kind="stable"):
            sentence = int(candidates[i])
            text = self.sentence_text[sentence]
            key = fold_diacritics(normalize(text))
            if key in seen:
                continue
            seen.add(key)
            passage = int(c_passages[i])
            doc = self.docs[int(self.passage_doc[passage])]
            answers.append(
                Answer(
                    sentence=text,
                    doc=doc.doc,
                    title=doc.title,
                    date=doc.date,
                    url=doc.url,
                    score=float(final[i]),
                    sentence_id=int(self.sentence_ids[sentence]),
                    passage_id=int(self.passage_ids[passage]),
                )
            )
            if len(answers) == top_k:
                break
        return SearchResult(query, answers, evidence)
