"""How candidate sentences are scored: the ranking's knobs, coverage, and fusion with the model.

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
(b = 0.75) punished it. Every number here comes from the evaluation (bench/README.md: ablation).

Abstention: ``evidence`` is the idf-weighted share of the question's content syllables found in
the best-covered top passage (an unknown word weighs as a word seen once). Below
``min_evidence`` the index answers nothing: "Giá vàng hôm nay bao nhiêu?" shares at most a stray
"nay" with a corpus about the border guard. The evaluation command reports how the threshold
separates answerable from out-of-domain questions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.index.bm25 import RowsView
from retrieval.question.query import Query

# A question word missing from a text but known to the corpus is weaker evidence against the
# text (a paraphrase, most often) than a word the corpus has never seen (another topic).
KNOWN_MISSING_WEIGHT = 0.3
FUSIONS = ("linear", "zscore", "rrf")  # see fuse


def coverage(
    view: RowsView, query: Query, context: RowsView | None = None, also_held: np.ndarray | None = None
) -> np.ndarray:
    """For each of the view's rows, how much of the question it covers, in [0, 1].

    matched / (matched + missing), both idf-weighted over the question's words (``Query.groups``):
    a word counts with the best credit among its terms found. A missing word the corpus knows
    weighs ``KNOWN_MISSING_WEIGHT``; one it has never seen weighs fully, as a word seen in one
    document. On the dev set this separates out-of-domain questions far better than a plain share
    (bench/README.md: abstention). ``context``: rows whose words count as the row's own;
    ``also_held``: credits for words held elsewhere (the names a row's article says), term by row.
    """
    index, rows, groups = view.index, view.rows, query.groups
    if not groups or rows.size == 0:
        return np.zeros(rows.size)
    # The words' credits in one reduceat and their idfs in one lookup: 81-87 us over a needle
    # question's top 20 passages, where numpy calls and an idf lookup per term took 190-200 us.
    held = view.held(query.evidence_terms)
    if context is not None:  # a row's words and those of another, its context, row for row
        held |= context.held(query.evidence_terms)
    if also_held is not None:  # held elsewhere for the row (its article's names), a credit by term and row
        held = np.maximum(held, also_held)
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
    """Knobs of the ranker; defaults are the values the evaluation chose (bench/README.md)."""

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
    scorer: str = "BM25Plus"  # or "BM25Okapi" (see retrieval.index.bm25)
    # Semantic re-ranking (used when a SemanticScorer is given; see retrieval.index.semantic).
    semantic_weight: float = 8.0
    semantic_passage_weight: float = 8.0
    semantic_evidence_weight: float = 10.0
    semantic_center: float = 0.85
    fusion: str = "linear"  # or "zscore", "rrf" (ablation: see fuse)
    # An unaccented question reaches the model with its diacritics restored from the corpus's
    # words (retrieval.index.accents) when every syllable was found; otherwise lexical only.
    restore_accents: bool = True
    # When the best sentence only talks about what was asked, the first of the next best that
    # states it (retrieval.question.verdict) and scores close to it takes its place; 0: never.
    stated_depth: int = 3
    stated_margin: float = 0.4
    # For "who is <office>?": a sentence that names someone as the office is stronger evidence
    # than a score, so it may come from further below.
    office_margin: float = 1.0
    # False: every reply with sentences is an "answer" (the baseline that bench.scale times).
    verdict: bool = True

    def __post_init__(self) -> None:
        if self.fusion not in FUSIONS:  # a misspelt name would silently rank as "linear"
            raise ValueError(f"unknown fusion {self.fusion!r}; one of {', '.join(FUSIONS)}")


def _standardised(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / (values.std() or 1.0)


def _reciprocal_ranks(values: np.ndarray, k: float = 60.0) -> np.ndarray:
    return 1.0 / (k + np.argsort(np.argsort(-values, kind="stable"), kind="stable"))


def fuse(lexical: np.ndarray, sentence: np.ndarray, passage: np.ndarray, config: RankingConfig) -> np.ndarray:
    """Lexical scores and the model's similarities in one ranking score per candidate.

    "linear" (default): lexical + w_s * cos_sentence + w_p * cos_passage. The lexical score is
    already scaled by its best candidate, and e5's cosines of related texts fall in a narrow
    band (0.75-0.95), so fixed weights work across questions; chosen on half of xquad_vi's
    articles (bench/README.md). "zscore" and "rrf" (reciprocal rank fusion, k = 60) are the standard
    alternatives, kept for the ablation: z-score won on dev2 but lost dev and xquad_vi, reciprocal
    rank fusion lost everywhere.
    """
    semantic = config.semantic_weight * sentence + config.semantic_passage_weight * passage
    if config.fusion == "zscore":
        return _standardised(lexical) + _standardised(semantic)
    if config.fusion == "rrf":
        return _reciprocal_ranks(lexical) + _reciprocal_ranks(semantic)
    return lexical + semantic
