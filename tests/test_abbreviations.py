from retrieval.text.abbreviations import (
    CURATED,
    Abbreviations,
    asked_abbreviation,
    defined_pairs,
    definitions,
    key,
    learned_pairs,
    spelled_out,
)
from retrieval.text.tokenizer import segment


def test_pairs_defined_in_text_need_matching_initials():
    text = "Bộ Tư lệnh Bộ đội Biên phòng (BĐBP) giúp khu vực biên giới (KVBG); ở Mỹ (USA) thì khác."
    assert defined_pairs(text) == {"BĐBP": "Bộ đội Biên phòng", "KVBG": "khu vực biên giới"}


def test_key_ignores_case_and_punctuation():
    assert key("QP-AN") == "qpan" and key("BĐBP") == "bđbp"


def test_each_form_brings_the_other():
    known = Abbreviations.learn(["Xây dựng nông thôn mới (NTM)."])
    assert {"nông_thôn", "mới"} <= set(known.extra_terms(segment("đạt chuẩn NTM nâng cao")))
    assert {"ntm", "~ntm"} <= set(known.extra_terms(segment("về đích nông thôn mới")))
    assert {"quốc_phòng", "an_ninh"} <= set(known.extra_terms(segment("đảm bảo QP-AN")))


def test_a_definition_is_not_counted_twice():
    known = Abbreviations.learn([])
    assert known.extra_terms(segment("khu vực biên giới (KVBG) tỉnh")) == []
    assert "bộ_đội" not in known.extra_terms(segment("Bộ đội Biên phòng (BĐBP) tỉnh"))


def test_learned_pairs_do_not_depend_on_article_order():
    texts = ["Ban chỉ huy (BCH) họp.", "Khu vực biên giới (KVBG).", "Bộ Chỉ huy (BCH) giao.", "Bộ Chỉ huy (BCH) nhận."]
    found = definitions(texts)
    assert [i for i, _ in found] == [0, 1, 2, 3]
    pairs = learned_pairs(p for _, p in found)
    assert pairs == learned_pairs(p for _, p in reversed(found))
    assert pairs["BCH"] == "Bộ Chỉ huy" and pairs["KVBG"] == "Khu vực biên giới"  # 2 votes beat 1
    tie = learned_pairs([{"BCH": "Ban chỉ huy"}, {"BCH": "Bộ Chỉ huy"}])
    assert tie["BCH"] == "Ban chỉ huy" and learned_pairs([])["BCH"] == CURATED["BCH"]


def test_questions_asking_what_an_abbreviation_stands_for():
    known = [*CURATED, "KVBG"]
    for question, expected in [
        ("NTM là viết tắt của gì?", "NTM"),
        ("kvbg la viet tat cua gi", "KVBG"),
        ("Chữ viết tắt KVBG là gì?", "KVBG"),
        ("MTTQ có nghĩa là gì", "MTTQ"),
        ("bdbp la gi", "BĐBP"),  # "X là gì?" for a known X
        ("UBND là chữ viết tắt của từ gì?", "UBND"),
    ]:
        assert asked_abbreviation(question, known) == expected, question
    for question in ["Biên phòng là gì?", "XYZ là gì?", "Tư lệnh BĐBP là ai?", "NTM đạt chuẩn ở đâu?"]:
        assert asked_abbreviation(question, known) is None, question


def test_spelled_out_for_the_model():
    expected = "Tư lệnh Bộ đội Biên phòng là ai? Ủy ban nhân dân tỉnh"
    assert spelled_out("Tư lệnh BĐBP là ai? UBND tỉnh", CURATED) == expected
    assert spelled_out("Giá USD hôm nay", CURATED) == "Giá USD hôm nay"  # not one the index knows
