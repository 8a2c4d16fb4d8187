"""How candidates are scored (retrieval.index.ranking): coverage against its definition, the
configuration's checks."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.index.ranking import KNOWN_MISSING_WEIGHT, RankingConfig, coverage
from retrieval.question.query import analyze_question
from tests.test_index import small_index


def test_a_missing_word_the_corpus_knows_in_parts_costs_less_than_an_unknown_one():
    """Coverage = matched / (matched + missing), idf-weighted; a missing compound the corpus has
    never seen whole but knows syllable by syllable ("thời tiết": "thời gian", "tiết kiệm") is
    a paraphrase more likely than another topic: it weighs KNOWN_MISSING_WEIGHT of its idf."""
    index = small_index("Thời gian tuần tra kéo dài. Tiết kiệm điện là cần thiết. Đồn Biên phòng tuần tra.")
    sentences = index.sentences
    assert sentences.idf("thời_tiết") is None and sentences.idf("thời") and sentences.idf("tiết")
    row = next(r for r, text in enumerate(index.sentence_text) if text == "Đồn Biên phòng tuần tra.")
    held = sentences.idf("tuần_tra")
    known_missing = max(sentences.idf("thời"), sentences.idf("tiết"))  # the word's weight: its best part
    got = coverage(sentences.at(np.array([row])), analyze_question("Thời tiết tuần tra"))
    assert got[0] == pytest.approx(held / (held + KNOWN_MISSING_WEIGHT * known_missing))
    unknown = coverage(sentences.at(np.array([row])), analyze_question("Zyxw tuần tra"))
    assert unknown[0] == pytest.approx(held / (held + sentences.unseen_idf))  # never seen: its full weight
    assert coverage(sentences.at(np.array([], dtype=np.int64)), analyze_question("tuần tra")).size == 0


def test_an_unknown_fusion_or_scorer_is_refused():
    with pytest.raises(ValueError, match="fusion"):
        RankingConfig(fusion="linar")
    assert RankingConfig(fusion="rrf").fusion == "rrf"
