"""Sentences that go on from the one before (retrieval.text.discourse): pyvi's tag of a first
word computed from its weights, compared with pyvi's tagger; the words it reads; the flags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pyvi import ViTokenizer
from pyvi.ViPosTagger import ViPosTagger

from retrieval.text.discourse import first_word_tagger, first_words, goes_on
from retrieval.text.splitter import split_sentences
from retrieval.text.tokenizer import segment

DATA = Path(__file__).resolve().parents[1] / "data"
ODD = [
    "Phối hợp chặt chẽ với nước bạn Lào trong đấu tranh phòng chống tội phạm.",
    "“Tổ chức đảng trong lực lượng biên phòng phải thực sự trong sạch”.",
    "33-NQ/TW, ngày 28/9/2018 của Bộ Chính trị.",
    "BĐBP!",
    "Đi.",
    "... và 3,1 tỷ USD",
]


def corpus_sentences() -> list[str]:
    return [s for p in sorted(DATA.glob("*.txt")) for s in split_sentences(p.read_text(encoding="utf-8"))] + ODD


def test_the_first_tag_is_pyvis_at_every_length():
    """Every sentence of the shipped articles and some odd ones, cut to 1 … 6 words and whole:
    the tag of the first word is the one pyvi's tagger gives (crfsuite's sums, its best path)."""
    tagger = first_word_tagger()
    cut = [
        words[:n]
        for words in (ViTokenizer.tokenize(s).split() for s in corpus_sentences())
        for n in (1, 2, 3, 4, 6, 99)
    ]
    expected = [ViPosTagger.postagging_tokens(words)[1][0] if words else None for words in cut if words]
    got = [tagger.labels[i] for i in tagger.first_tags([words for words in cut if words])]
    assert len(got) > 800 and got == expected
    assert {"V", "N", "Np", "E"} <= set(got)  # verbs, nouns, names, prepositions among them


def test_the_first_words_get_their_capitals_and_marks_back():
    text = "Đảng ủy, Bộ Tư lệnh BĐBP và Tỉnh ủy Quảng Ninh đã chủ động phối hợp."
    assert first_words(text, segment(text)) == ["Đảng_ủy", ",", "Bộ", "Tư_lệnh"]
    assert first_words("“Tổ chức đảng trong lực lượng", segment("“Tổ chức đảng trong lực lượng")) == [
        "“", "Tổ_chức", "đảng", "trong",
    ]  # fmt: skip
    # stored words that do not line up with the text: the stored ones
    assert first_words("Theo 33-NQ/TW, …", ["theo", "33-nq/tw"]) == ["theo", "33-nq/tw"]


@pytest.mark.parametrize(
    ("sentence", "going_on"),
    [
        ("Phối hợp chặt chẽ với nước bạn Lào trong đấu tranh phòng chống tội phạm.", True),  # a verb first
        ("Chủ động rà soát, bổ sung quy hoạch cán bộ chỉ huy các cấp.", True),
        ("Trong đó có việc chuyển đổi cơ cấu kinh tế.", True),  # a lead-in
        ("Có thể kể đến: “Mái ấm cho người nghèo nơi biên giới”.", True),
        ("Đồng thời, quán triệt sâu sắc chỉ đạo của Tổng Bí thư.", True),  # a connective
        ("Đồng chí Phan Việt Cường yêu cầu Đảng ủy BĐBP tỉnh tăng cường công tác xây dựng Đảng.", False),
        ("Quảng Ninh đã giữ vững 9 năm liên tiếp tăng trưởng 2 con số.", False),
        ("Công tác xây dựng Đảng bộ đạt nhiều kết quả tích cực.", False),
    ],
)
def test_a_sentence_goes_on_by_a_lead_in_a_connective_or_a_verb_first(sentence, going_on):
    before = "Bí thư Tỉnh ủy Phan Việt Cường phát biểu tại buổi làm việc."
    texts = [before, sentence]
    flags = goes_on(texts, [segment(t) for t in texts], [True, False])
    assert flags.tolist() == [False, going_on]


def test_the_first_sentence_of_an_article_goes_on_from_nothing():
    texts = ["Phối hợp chặt chẽ với nước bạn Lào.", "Tập trung xây dựng Đảng bộ trong sạch."]
    assert goes_on(texts, [segment(t) for t in texts], [True, False]).tolist() == [False, True]
    assert goes_on([], [], []).size == 0 and goes_on([], [], []).dtype == np.bool_
