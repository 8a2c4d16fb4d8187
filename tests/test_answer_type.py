import pytest

from retrieval.answer_type import expected_answer, holds_answer


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


def test_holds_answer_needs_something_new():
    question = "Năm 2023 Quảng Ninh thu hút bao nhiêu vốn?"
    assert holds_answer("number", "Năm 2023 đạt 3,1 tỷ USD.", question)
    assert not holds_answer("number", "Năm 2023 Quảng Ninh thu hút vốn.", question)
    assert holds_answer("person", "Dự có Trung tướng Lê Đức Thái.", "Tư lệnh là ai?")
    assert not holds_answer("person", "tư lệnh đã phát biểu.", "Tư lệnh là ai?")
    assert holds_answer("time", "Nghị quyết ngày 28/9/2018.", "Nghị quyết ban hành khi nào?")
