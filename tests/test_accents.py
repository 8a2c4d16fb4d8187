"""Diacritics restored from the corpus's own words (retrieval.index.accents)."""

from __future__ import annotations

import asyncio

from retrieval.engine import QAEngine
from retrieval.index.accents import AccentRestorer
from tests.conftest import DATA


def restorer(*terms: tuple[str, float]) -> AccentRestorer:
    return AccentRestorer(terms)


def test_a_compound_decides_its_syllables_and_frequency_the_rest():
    accents_terms = [("biển", 9.0), ("biên", 3.0), ("phòng", 5.0), ("biên_phòng", 2.0)]
    accents = restorer(*accents_terms, ("năm", 7), ("nam", 2), ("việt_nam", 1))
    assert accents.restore("bien").text == "biển"  # alone: the most frequent spelling
    assert accents.restore("bien phong").text == "biên phòng"  # in a compound: the compound's
    assert accents.restore("nam").text == "năm"
    assert accents.restore("viet nam").text == "việt nam"


def test_a_questions_own_words_come_before_the_corpus_frequencies():
    """Articles seldom ask: "bao nhieu" is "bao nhiêu" even where "bảo" and "nhiều" are frequent."""
    accents = restorer(("bảo", 50), ("nhiều", 40), ("vệ", 30), ("bảo_vệ", 30))
    assert accents.restore("bao nhieu").text == "bao nhiêu"
    assert accents.restore("ve").text == "về"
    assert accents.restore("bao ve").text == "bảo vệ"  # the corpus's compound still wins


def test_unknown_syllables_stay_as_typed_and_are_counted():
    accents = restorer(("giá", 3))
    restored = accents.restore("Gia vang?")
    assert restored.text == "giá vang?" and restored.known == 0.5  # what is between syllables stays
    assert accents.restore("").known == 0.0 and accents.restore("?!").text == ""


def test_a_cased_restoration_keeps_the_texts_capitals_or_gives_none():
    accents = restorer(("nguyễn", 5), ("ký", 2), ("phát", 3), ("biểu", 3), ("tại", 9), ("đâu", 1))
    assert accents.restore_cased(" Nguyen Ky phat bieu tai dau? ") == "Nguyễn Ký phát biểu tại đâu?"
    assert accents.restore_cased("Nguyen Ky phat bieu tai Ha Long?") is None  # "Ha Long" unknown: none half-accented


def test_a_cased_restoration_spells_a_name_as_the_answer_before_did():
    """ "tuần" (a week) is commoner than the name "Tuấn"; the answer the turn got writes the name."""
    accents = restorer(("trung", 5), ("tướng", 5), ("nguyễn", 5), ("anh", 5), ("tuần", 9), ("tuấn", 1), ("bộ", 3))
    answer = "Trung tướng Nguyễn Anh Tuấn, Bí thư Đảng ủy; bộ tuấn"
    assert accents.restore_cased("Trung tuong Nguyen Anh Tuan", answer) == "Trung tướng Nguyễn Anh Tuấn"
    assert accents.restore_cased("bo tuan", answer) == "bộ tuần"  # lowercase there: no name of theirs
    assert accents.restore_cased("Trung tuong TUAN", answer) == "Trung tướng TUAN"  # capitals typed: an abbreviation


def test_folded_terms_of_the_index_are_not_spellings():
    assert restorer(("~bien", 99), ("biên", 1)).restore("bien").text == "biên"


def test_the_shipped_corpus_restores_its_own_questions(tmp_path):
    async def restored(question: str) -> str:
        engine, _ = await QAEngine.open(DATA, tmp_path / "db.sqlite3")
        try:
            return engine.index.accents.restore(question).text
        finally:
            await engine.close()

    # the corpus's named organisations with their capitals (its abbreviations and long forms)
    assert asyncio.run(restored("tu lenh bo doi bien phong la ai")) == "tư lệnh Bộ đội Biên phòng là ai"
    assert asyncio.run(restored("chinh uy bdbp la ai")) == "chính ủy BĐBP là ai"
    assert asyncio.run(restored("lam viec sang 27-3?")) == "làm việc sáng 27-3?"
    assert (
        asyncio.run(restored("quang ninh thu hut dau tu nuoc ngoai nam 2023 dat bao nhieu"))
        == "quảng ninh thu hút đầu tư nước ngoài năm 2023 đạt bao nhiêu"
    )
