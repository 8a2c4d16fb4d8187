"""Offices read from a question: the head of a body asked by what it heads."""

import pytest

from retrieval.question.offices import head_named


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Ai là người đứng đầu Tỉnh ủy Quảng Ninh?", "Ai là Bí thư Tỉnh ủy Quảng Ninh?"),
        ("Ai đứng đầu Bộ đội Biên phòng?", "Ai là Tư lệnh Bộ đội Biên phòng?"),
        ("Người đứng đầu BĐBP là ai?", "Tư lệnh BĐBP là ai?"),
        ("Vị lãnh đạo cao nhất của Bộ Quốc phòng là ai?", "Bộ trưởng Bộ Quốc phòng là ai?"),
        ("Người đứng đầu UBND tỉnh Lai Châu là ai?", "Chủ tịch UBND tỉnh Lai Châu là ai?"),
        ("Người đứng đầu Bộ Chỉ huy BĐBP tỉnh là ai?", "Chỉ huy trưởng Bộ Chỉ huy BĐBP tỉnh là ai?"),
        ("ai la nguoi dung dau tinh uy quang ninh", "ai la bi thu tinh uy quang ninh"),  # folded whole
    ],
)
def test_the_head_of_a_body_is_asked_by_the_title_it_holds(question, expected):
    assert head_named(question) == expected


@pytest.mark.parametrize(
    "question",
    ["Ai đứng đầu danh sách thi đua?", "Tư lệnh BĐBP là ai?", "Quảng Ninh đứng đầu cả nước về FDI?"],
)
def test_a_question_without_a_head_of_a_known_body_is_unchanged(question):
    assert head_named(question) == question
