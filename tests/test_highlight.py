from retrieval.question.highlight import matched_spans
from retrieval.question.query import analyze_question

SENTENCE = "Trung tướng Lê Đức Thái, Tư lệnh Bộ đội Biên phòng; đường biên dương"


def _marked(question):
    return [SENTENCE[a:b] for a, b in matched_spans(SENTENCE, analyze_question(question))]


def test_matches_are_merged_into_runs():
    assert _marked("Tư lệnh Bộ đội Biên phòng là ai?") == ["Tư lệnh Bộ đội Biên phòng", "biên"]


def test_unaccented_question_lights_folded_matches():
    assert _marked("tu lenh bien phong") == ["Tư lệnh", "Biên phòng", "biên"]
    assert _marked("duong") == ["đường", "dương"]


def test_accented_question_lights_exact_matches_only():
    assert _marked("đường") == ["đường"]
    assert _marked("Giá vàng") == []
