import pytest

from retrieval.answer_type import AnswerCheck, expected_answer


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Quảng Ninh thu hút đầu tư đạt bao nhiêu?", "number"),
        ("quang ninh thu hut dau tu dat bao nhieu", "number"),
        ("Nghị quyết 33 ban hành năm nào?", "time"),
        ("nghi quyet 33 ban hanh khi nao", "time"),
        ("Tư lệnh Bộ đội Biên phòng là ai?", "person"),
        ("tu lenh bo doi bien phong la ai", "person"),
        ("Huyện nào về đích nông thôn mới?", "place"),
        ("Phương châm 3 bám 4 cùng là gì?", None),
        ("may bay", None),  # unaccented "may" may be "máy"
    ],
)
def test_expected_answer(question, kind):
    assert expected_answer(question) == kind


def test_an_answer_must_hold_something_new():
    number = AnswerCheck("Năm 2023 Quảng Ninh thu hút bao nhiêu vốn?")
    assert number.holds("Năm 2023 đạt 3,1 tỷ USD.")
    assert not number.holds("Năm 2023 Quảng Ninh thu hút vốn.")
    person = AnswerCheck("Tư lệnh là ai?")
    assert person.holds("Dự có Trung tướng Lê Đức Thái.")
    assert not person.holds("tư lệnh đã phát biểu.")
    assert AnswerCheck("Nghị quyết ban hành khi nào?").holds("Nghị quyết ngày 28/9/2018.")
    assert not AnswerCheck("Phương châm là gì?").holds("Có 3 bám, 4 cùng.")  # no kind asked
