"""Search: BM25 picks passages, then the best sentences inside them are ranked and returned.

How a candidate is scored and when the index abstains: ``retrieval.index.ranking``. The index is
built from counted pieces (``retrieval.index.counting``) and updated in place of a rebuild when
few articles change (``SearchIndex.updated``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import chain

import numpy as np

from retrieval.index.accents import AccentRestorer
from retrieval.index.bm25 import BM25Index, RowTerms, SpannedRows, stack_by_term
from retrieval.index.counting import (
    BuildParts,
    CountedPiece,
    TermIds,
    count_piece,
    count_terms,
    going_on,
    passage_spans,
    renumbered,
)
from retrieval.index.mapped import drop_pages
from retrieval.index.ranking import RankingConfig, coverage, fuse
from retrieval.index.rows import CorpusRows, DocInfo, DocTable, TextColumn
from retrieval.index.semantic import SemanticScorer, neutral
from retrieval.question.answer_type import AnswerCheck
from retrieval.question.query import FOLDED_WEIGHT, Query, analyze_question
from retrieval.question.smalltalk import small_talk
from retrieval.question.verdict import Constraints, constraints
from retrieval.text.abbreviations import Abbreviations, asked_abbreviation, definitions, key, learned_pairs, spelled_out
from retrieval.text.discourse import LIST_LEAD
from retrieval.text.normalize import clean_unicode, fold_diacritics, normalize
from retrieval.text.tokenizer import FOLDED

# How far back a sentence that goes on may look for the one it goes on from (a demand listed in
# a run of subjectless sentences)
_GOING_ON = 5


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
    # A follow-up as the bot understood it (retrieval.question.conversation), or the question
    # without the small talk it started with.
    understood_as: str | None = None
    # "answer", "related", "none" or "chat" (retrieval.question.verdict); "" means "answer" when
    # there are answers, else "none".
    verdict: str = ""

    def __post_init__(self) -> None:
        if not self.verdict:
            object.__setattr__(self, "verdict", "answer" if self.answers else "none")

    @property
    def answered(self) -> bool:
        return bool(self.answers)


class SearchIndex:
    """Immutable in-memory index over one corpus; safe to share between threads.

    ``updated`` makes the index of a slightly changed corpus from this one: the rows of removed
    articles stay as dead rows (they no longer score, and count nowhere), new articles' rows are
    appended. A full build (``SearchIndex(rows)``) starts clean again.
    """

    @classmethod
    def from_parts(cls, config: RankingConfig, docs: DocTable, **parts: object) -> SearchIndex:
        """An index from already-built parts (see ``retrieval.index.snapshot``)."""
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
        rows = iter(rows)
        first = next(rows, None)  # an empty corpus is one empty piece: every array then has length 0
        ids = TermIds()
        pieces: list[dict] = []
        docs = passages = sentences = 0
        for piece in chain([first or count_piece(CorpusRows(), config, None)], rows):
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
                "sentence_goes_on": piece.sentence_goes_on,
                "definitions": [(row + sentences, found) for row, found in piece.definitions],
                "sentences_counts": (keep.counts(piece.sentence_counts), where),
                "passages_counts": (keep.counts(piece.passage_counts), where),
                "sentences_rows": keep.counts(renumbered(piece.sentence_rows, where, columns)),
                "titles_rows": keep.counts(renumbered(piece.title_rows, where, columns)),
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
        for name in (
            "article_ids",
            "passage_ids",
            "passage_doc",
            "sentence_ids",
            "sentence_passage",
            "sentence_goes_on",
        ):
            setattr(self, name, np.concatenate(joined(name)))
        self.sentence_text = TextColumn.joined(joined("sentence_text"))
        self.definitions = [found for defined in joined("definitions") for found in defined]
        self.passage_first, self.passage_count = passage_spans(self.sentence_passage, len(self.passage_ids))
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
        counts = count_terms(rows, config, ids, known)
        passage_rows, doc_rows = len(self.passage_ids), len(self.docs)
        sentence_passage = np.concatenate(
            [self.sentence_passage, np.asarray(rows.sentence_passage, dtype=np.int64) + passage_rows]
        )
        passage_doc = np.concatenate([self.passage_doc, np.asarray(rows.passage_doc, dtype=np.int64) + doc_rows])
        passage_first, passage_count = passage_spans(sentence_passage, passage_rows + len(rows.passage_ids))
        sentence_text = TextColumn.joined([self.sentence_text, TextColumn(rows.sentence_text)])
        drop_pages(self.sentence_text.blob)
        dead_sentences = np.flatnonzero(self.sentences.live & ~sentence_live)
        dead_passages = np.flatnonzero(self.passages.live & ~passage_live)
        sentence_rows = keep.rows("sentences", [self.sentences.rows, RowTerms.of(counts.sentence_rows)])
        sentences = self.sentences.updated(dead_sentences, counts.sentences, counts.vocabulary, sentence_rows)
        sentences = keep.part("sentences", sentences)
        titles = keep.rows("titles", [self.titles, RowTerms.of(counts.title_rows)])
        by_row = SpannedRows(sentences.rows, passage_first, passage_count, titles, passage_doc)
        passages = self.passages.updated(dead_passages, counts.passages, counts.vocabulary, by_row)
        passages = keep.part("passages", passages)
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
            sentence_goes_on=np.concatenate([self.sentence_goes_on, going_on(rows)]),
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

    def evidence(self, query: Query, passages: np.ndarray, named: np.ndarray | None = None) -> float:
        """Best share of the question's idf mass that one of ``passages`` contains, the names of
        the question its article holds counted as held: an article names its province once
        ("… BĐBP tỉnh Lai Châu …") and its passages go on without it ("4 huyện biên giới").
        ``named``: ``_named_in_article`` of these passages, when known."""
        if passages.size == 0:
            return 0.0
        if named is None:
            named = self._named_in_article(query, passages)
        return float(coverage(self.passages.at(passages), query, also_held=named).max())

    @cached_property
    def _passages_by_article(self) -> tuple[np.ndarray, np.ndarray]:
        """The passage rows ordered by article, and where each article's start in that order: an
        article's passages in one slice, not a scan of every passage's article."""
        order = np.argsort(self.passage_doc, kind="stable")
        return order, np.searchsorted(self.passage_doc[order], np.arange(len(self.docs) + 1))

    def _article_passages(self, doc: int) -> np.ndarray:
        """The live passages of article ``doc``, in order."""
        order, starts = self._passages_by_article
        rows = order[starts[doc] : starts[doc + 1]]
        return rows[self.passages.live[rows]]

    def _named_in_article(self, query: Query, passages: np.ndarray) -> np.ndarray | None:
        """For each of the query's evidence terms and each passage, whether the term is one of
        the question's names that the passage's article holds; None when it names nothing."""
        names = [i for group, start in zip(query.groups, query.evidence_starts, strict=True) if group.name
                 for i in range(start, start + len(group.terms))]  # fmt: skip
        if not names:
            return None
        articles, of_passage = np.unique(self.passage_doc[passages], return_inverse=True)
        spans = [self._article_passages(doc) for doc in articles.tolist()]
        # every article's passages read at once (a view per article cost ~1 ms at p99, 100k passages)
        said = self.passages.at(np.concatenate(spans)).held([query.evidence_terms[i] for i in names])
        starts = np.cumsum([0] + [span.size for span in spans[:-1]])
        by_article = np.logical_or.reduceat(said, starts, axis=1)
        held = np.zeros((len(query.evidence_terms), passages.size), dtype=bool)
        held[names] = by_article[:, of_passage]
        return held

    @cached_property
    def abbreviation_pairs(self) -> dict[str, str]:
        """The abbreviation pairs this index was built with (curated + learned from live rows)."""
        live = self.sentences.live
        return learned_pairs(pairs for row, pairs in self.definitions if live[row])

    @cached_property
    def accents(self) -> AccentRestorer:
        """The corpus's spelling of each folded word (its passages' terms, titles included, and
        their document frequencies), the abbreviations and their long forms with their capitals."""
        passages = self.passages
        names = [form for pair in self.abbreviation_pairs.items() for form in pair]
        return AccentRestorer(zip(passages.vocabulary, np.diff(passages.weights.indptr).tolist(), strict=True), names)

    def _restored(self, question: str) -> str | None:
        """An unaccented question as the model should read it, or None when it should not."""
        if not self.config.restore_accents:
            return None
        restored = self.accents.restore(question)
        return restored.text if restored.known == 1.0 else None

    def search(
        self, question: str, top_k: int = 3, semantic: SemanticScorer | None = None, focus: str | None = None
    ) -> SearchResult:
        """The best ``top_k`` sentences for a question, or none when the corpus lacks an answer.

        ``semantic``: the model and the sentence vectors of this index, for re-ranking (None:
        lexical ranking only). ``focus``: words a sentence must say to answer (a follow-up's
        new part, ``retrieval.question.conversation.focus_of``)."""
        if small_talk(question):
            return SearchResult(analyze_question(""), [], 0.0, verdict="chat")
        asked = asked_abbreviation(question, self.abbreviation_pairs) if self.config.abbreviations else None
        if asked is not None:
            return self._meaning_of(asked, question, top_k, semantic)
        query = analyze_question(question)
        if query.empty or not self.passage_ids.size or top_k <= 0:
            return SearchResult(query, [], 0.0)
        top, top_scores = self.passages.top(query.terms, self.config.candidate_passages)
        named = self._named_in_article(query, top)
        evidence = self.evidence(query, top, named)
        config = self.config
        model_text = question if query.accented else self._restored(question)
        if semantic is None or model_text is None or len(semantic.vectors.sentence_ids) != len(self.sentence_ids):
            semantic = None  # the model reads accented text only (typed, or restored)
        if top.size == 0 or (semantic is None and evidence < config.min_evidence):
            return SearchResult(query, [], evidence)

        counts = self.passage_count[top]  # each top passage's sentences, in order, all in a few calls
        candidates = np.repeat(self.passage_first[top] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        c_passages = np.repeat(top, counts)
        c_passage_scores = np.repeat(top_scores, counts)
        similar = None
        if semantic is not None:
            similar = semantic.similarities(
                spelled_out(model_text, self.abbreviation_pairs),
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
            # a name its article says counts, less than one the sentence says (as a folded match)
            by_article = None if named is None else FOLDED_WEIGHT * np.repeat(named, counts, axis=1)
            covered = coverage(at_candidates, query, also_held=by_article)
            if (going := self.sentence_goes_on[candidates]).any():
                # "Phối hợp chặt chẽ với …" after "Đồng chí … yêu cầu …": said of the subject the
                # sentence it goes on from names, as the question may name it
                rows = candidates[going]
                said = coverage(self.sentences.at(rows), query, self.sentences.at(self._gone_on_from(rows)))
                covered[going] = np.maximum(covered[going], said)
            final += config.coverage_weight * covered
        if config.answer_type_weight and ((check := AnswerCheck(question)).kind is not None or check.slotted):
            # Fused with the model's similarities, any candidate may still win: check them all; else
            # as many as the answers shown or the verdict may move first, whichever is more
            deep = max(top_k, config.stated_depth + 1) if similar is None else len(candidates)
            final = self._with_answer_type(candidates, final, deep, check)
        if similar is not None:
            final = fuse(final, neutral(similar[0]), neutral(similar[1]), config)
        # A restored question's capitals name the corpus's organisations: constraints to meet.
        verdict = self._promote_stated(model_text or question, candidates, final, focus) if config.verdict else ""
        return SearchResult(query, self._answers(candidates, final, top_k), evidence, verdict=verdict)

    def _promote_stated(self, question: str, rows: np.ndarray, scores: np.ndarray, focus: str | None) -> str:
        """The verdict of the best of ``rows``; when it only talks about what was asked, the first
        of the next ``stated_depth`` different sentences that states it, scored at most
        ``stated_margin`` below it (``office_margin`` for "who is <office>?", and for one that
        counts what "bao nhiêu X" asks, names what "phong trào / nước … nào" asks or says the act
        asked of someone when the best does not; any score and depth for "who else?" when it
        names only the asked; the next sentence when it lists what the best one announced), is
        moved first (in ``scores``): the question's constraints are evidence the scores do not
        weigh."""
        order = np.argsort(-scores, kind="stable")
        asked = constraints(question, focus)
        top = self.sentence_text[int(rows[order[0]])]
        verdict = self._verdict(asked, int(rows[order[0]]))
        # "… khẳng định gì?" answered by a sentence about them that says no "khẳng định": one close
        # below that says it ("Đồng chí khẳng định: …", their speech continued) is the better answer
        act_missing = not asked.says_act(top)
        # "Phong trào nào …?" answered by a sentence quoting no name, "nước bạn nào?" by one naming
        # no country after "nước": one close below that does
        untitled = asked.check.names_kind(top) is False
        if (verdict == "answer" and not act_missing and not untitled) or not self.config.stated_depth:
            return verdict
        if untitled and (after := self._continued(rows, order[0], asked)) is not None:
            scores[after] = scores[order[0]] + 1e-6  # "… nhiều phong trào … Có thể kể đến: “…”, “…”"
            return "answer"
        seen = {_text_key(top)}
        # how many of what: a number right before the things counted is such evidence too (a
        # unit's number may be said in words: "hơn một nửa" for "bao nhiêu phần trăm")
        uncounted = asked.check.counting and not asked.check.measuring and not asked.check.counts(top)
        # who holds an office: a sentence naming someone as it is stronger evidence than a score;
        # who else than the people the best sentence names (all asked about): that sentence is
        # surely no answer, so the next one stating one is taken whatever its score
        if asked.check.kind == "person" and asked.names_only_the_asked(top):
            margin = math.inf
        else:
            wide = asked.holder_asked or act_missing or uncounted or untitled
            margin = self.config.office_margin if wide else self.config.stated_margin
        for i in order[1:]:
            row = int(rows[i])
            text = self.sentence_text[row]
            key = _text_key(text)
            if key in seen:
                continue
            within = scores[i] >= scores[order[0]] - margin
            if not within and not act_missing:
                break
            # the act asked, said close below; or said further down by a sentence that continues
            # the speech of the person asked about ("Đồng chí bày tỏ … mong muốn …")
            acts = not act_missing or (
                asked.says_act(text) and (within or asked.continues_speech(text, self._sentences_near(row, 2)))
            )
            far = scores[i] < scores[order[0]] - self.config.stated_margin
            if far and uncounted and not (asked.holder_asked or act_missing) and not asked.check.counts(text):
                acts = False  # the wider margin is a count's: only a sentence that makes it is taken from there
            acts = acts and not (untitled and not asked.check.names_kind(text))
            if acts and self._verdict(asked, row) == "answer":
                scores[i] = scores[order[0]] + 1e-6
                return "answer"
            seen.add(key)
            if len(seen) > self.config.stated_depth and margin < math.inf:  # "who else?": as deep as it takes
                break
        return verdict

    def _continued(self, rows: np.ndarray, best: int, asked: Constraints) -> int | None:
        """The index in ``rows`` of the sentence right after ``rows[best]`` in its article when it
        lists what the best one only spoke of ("… có nhiều phong trào …" then "Có thể kể đến:
        “…”, “…”"), naming what is asked, and states the answer; None otherwise."""
        row = int(rows[best]) + 1
        text = self._sentences_near(row - 1, -1)  # the next sentence of its article ("" at its end)
        found = np.flatnonzero(rows == row)
        if not text or not found.size or not LIST_LEAD.match(text) or not asked.check.names_kind(text):
            return None
        return int(found[0]) if self._verdict(asked, row) == "answer" else None

    def _gone_on_from(self, rows: np.ndarray) -> np.ndarray:
        """The sentence each of ``rows`` (sentences that go on from the one before) goes on from:
        the last one before it that does not go on itself, up to ``_GOING_ON`` back ("Chủ động rà
        soát …" after "Tập trung nâng cao …" goes on from "Đại tướng Lương Cường yêu cầu …")."""
        before = rows - 1
        for _ in range(_GOING_ON - 1):
            going = self.sentence_goes_on[before]
            if not going.any():
                break
            before = np.where(going, before - 1, before)
        return before

    def _sentences_near(self, row: int, count: int) -> str:
        """Up to ``count`` sentences before ``row`` in its article (after it, for a negative
        count), joined in order ("" at the article's edge)."""
        doc, step, rows = self.passage_doc[self.sentence_passage[row]], 1 if count > 0 else -1, []
        for near in range(row - step, row - count - step, -step):
            if not 0 <= near < len(self.sentence_passage) or self.passage_doc[self.sentence_passage[near]] != doc:
                break
            rows.append(near)
        return " ".join(self.sentence_text[r] for r in sorted(rows))

    def _verdict(self, asked: Constraints, row: int) -> str:
        """ "answer" when the sentence at ``row`` states what ``asked`` asks, its article (text,
        title and date) as context for the question's names, places and numbers
        (``retrieval.question.verdict``); else "related". The article is read only when the
        sentence alone does not settle it: most answers name what the question names."""
        sentence, pairs = self.sentence_text[row], self.abbreviation_pairs
        vocabulary = self.passages.vocabulary

        def known(word: str) -> bool:
            return FOLDED + word in vocabulary

        if asked.met(sentence, "", pairs, known):
            return "answer"
        doc = int(self.passage_doc[self.sentence_passage[row]])
        passages = self._article_passages(doc)
        rows = chain.from_iterable(
            range(f, f + c)
            for f, c in zip(self.passage_first[passages].tolist(), self.passage_count[passages].tolist(), strict=True)
        )
        info = self.docs[doc]
        context = " ".join([info.title, info.date or "", *(self.sentence_text[r] for r in rows)])
        met = asked.met(sentence, context, pairs, known)
        if met and (years := [y for y in asked.asked_years if y not in sentence]):
            # a figure's year is said beside it or by the article's title or date, not anywhere
            near = " ".join([info.title, info.date or "", self._sentences_near(row, 1), self._sentences_near(row, -1)])
            met = all(y in near for y in years)
        return "answer" if met else "related"

    def _with_answer_type(self, rows: np.ndarray, scores: np.ndarray, top_k: int, check: AnswerCheck) -> np.ndarray:
        """``scores`` plus the answer type's bonuses, computed where they can change the ``top_k``
        answers: a few regular expressions per sentence were 2.4 ms of a question over 60
        candidates. Candidates are checked best first; once ``top_k`` different texts reach t
        with their bonuses, a candidate whose score plus the largest bonus stays below t ranks
        after all of them, and so does every later one (bonuses only add): 6 sentences checked
        for a needle question of a topical corpus, where a bound by scores alone checked 20."""
        config = self.config
        most = config.answer_type_weight * (2 if check.slotted else 1) + (
            config.counted_weight if check.counting else 0.0
        )
        final = scores.copy()
        best: dict[str, float] = {}  # each text's best score with its bonus, among those checked
        for i in np.argsort(-scores, kind="stable"):
            if len(best) >= top_k and scores[i] + most < sorted(best.values())[-top_k]:
                break
            text = self.sentence_text[rows[i]]
            final[i] += config.answer_type_weight * check.holds(text)  # two additions, as two array adds made
            final[i] += config.counted_weight * check.counts(text)
            # a name in the asked slot ("… làm việc với Ban Thường vụ …"), weighed as the kind is
            final[i] += config.answer_type_weight * check.fills(text)
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
        by_long_form = self.search(long_form, 2 * top_k + len(defining), semantic)  # not all use it whole
        spelled = _spelled(long_form)
        uses = [a for a in by_long_form.answers if spelled in _spelled(a.sentence)]
        found = self._answers(defining, np.arange(len(defining), 0, -1, dtype=np.float64), top_k)
        seen = {a.sentence_id for a in found}
        found += [a for a in uses if a.sentence_id not in seen][: top_k - len(found)]
        query = analyze_question(question)
        return SearchResult(query, found, 1.0 if found else by_long_form.evidence)
