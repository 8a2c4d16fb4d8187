import unicodedata

from retrieval.question.query import FOLDED_WEIGHT, analyze_question


def test_question_words_do_not_become_terms():
    query = analyze_question("Tư lệnh Bộ đội Biên phòng là ai?")
    assert "ai" not in query.terms and "là" not in query.terms
    assert query.terms["tư_lệnh"] == 1.0 and query.terms["~tu_lenh"] == FOLDED_WEIGHT
    assert [g.terms[0][0] for g in query.groups] == ["tư_lệnh", "bộ_đội", "biên_phòng"]
    assert query.groups[0].terms == (("tư_lệnh", 1.0), ("~tu_lenh", FOLDED_WEIGHT))
    assert query.groups[0].parts == ("tư", "lệnh")


def test_unaccented_question_matches_folded_terms_and_pairs():
    query = analyze_question("tu lenh bo doi bien phong la ai")
    assert not query.accented
    assert {"~tu", "~lenh", "~tu_lenh", "~bo_doi", "~bien_phong"} <= set(query.terms)
    assert "~ai" not in query.terms and "~la" not in query.terms


def test_spelling_variants_give_the_same_query():
    base = analyze_question("Ủy ban hòa bình")
    for variant in ("Uỷ ban hoà bình", unicodedata.normalize("NFD", "Ủy ban hòa bình"), "  ỦY BAN   HÒA BÌNH ?!"):
        assert analyze_question(variant).terms == base.terms


def test_multi_word_question_phrases_are_dropped():
    assert set(analyze_question("Bao nhiêu đồn biên phòng như thế nào?").terms) == set(
        analyze_question("đồn biên phòng").terms
    )
    assert analyze_question("là gì vậy ?").empty
    # "tên gì" asks for a name as "là ai" does ("Chính ủy … tên gì?" was given nothing in dev2)
    assert set(analyze_question("Chính ủy biên phòng tên gì?").terms) == set(
        analyze_question("chính ủy biên phòng").terms
    )
    assert set(analyze_question("chinh uy bien phong ten la gi").terms) == set(
        analyze_question("chinh uy bien phong").terms
    )
    assert analyze_question("😀 🎉").empty


def test_an_honorific_alone_names_nothing():
    """News text writes ranks, not "ông": the word would sink the evidence of any person asked about."""
    assert set(analyze_question("Ông Nguyễn Văn Hưng mang quân hàm gì?").terms) == set(
        analyze_question("Nguyễn Văn Hưng mang quân hàm gì?").terms
    )
    assert "bà_rịa" in analyze_question("Bà Rịa ở đâu?").terms  # part of a word, it stays
    assert "ông" in analyze_question("Ông bà ở đâu?").terms


def test_names_are_marked_for_the_evidence_of_their_article():
    """A word written as a name ("Lai Châu", "Quảng Ninh") may be held by the passage's article
    rather than the passage; an office ("Chủ tịch"), an abbreviation or a word typed in
    lowercase is no name."""
    groups = analyze_question("Ai là Chủ tịch UBND tỉnh Lai Châu?").groups
    assert [g.terms[0][0] for g in groups if g.name] == ["lai_châu"]
    assert not any(g.name for g in analyze_question("chủ tịch ubnd tỉnh lai châu là ai?").groups)
    assert not any(g.name for g in analyze_question("Tư lệnh BĐBP là ai?").groups)
