"""retrieval.question.smalltalk: small talk is told from questions by principle, both ways."""

import json

import pytest

from retrieval.question.smalltalk import small_talk, without_small_talk
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Xin chào", "greeting"), ("chào bot", "greeting"), ("hello bạn", "greeting"), ("Chúc ngủ ngon", "greeting"),
        ("Cảm ơn nhé!", "thanks"), ("cam on ban nhieu", "thanks"), ("Thanks!", "thanks"),
        ("Tạm biệt", "goodbye"), ("bye", "goodbye"), ("Mình đi đây, bye", "goodbye"), ("Thôi, cảm ơn nhé", "thanks"),
        ("Bạn là ai?", "about"), ("Bạn làm được gì?", "about"), ("Ai tạo ra bạn?", "about"), ("Bot ơi", "about"),
        ("ok", "ack"), ("haha", "ack"), ("👍", "ack"), ("😀😀", "ack"), ("Hay quá", "ack"), ("Bạn giỏi quá", "about"),
        ("Good morning", "greeting"), ("Good night", "goodbye"), ("See you", "goodbye"), ("Chào anh", "greeting"),
        ("Bạn hiểu tiếng Việt không?", "about"), ("Bạn ơi cho mình hỏi chút", "about"),
        ("Bạn được ai lập trình?", "about"), ("Ai đang trả lời tôi vậy?", "about"),
        ("Bạn ngoan quá", "about"), ("Hôm nay bạn thế nào?", "about"), ("Xin lỗi, tôi hỏi nhầm", "ack"),
        ("Sai rồi", "feedback"), ("Không đúng", "feedback"), ("chinh xac", "feedback"),
        ("Bạn biết những gì?", "about"), ("Dữ liệu của bạn lấy từ đâu?", "about"),
        ("Bạn có thông minh không?", "about"),
        ("Hướng dẫn sử dụng", "about"), ("help", "about"), ("Tôi cần giúp đỡ", "about"), ("Mình nên hỏi gì?", "about"),
        ("Cảm ơn bot nhé, rất hữu ích", "thanks"), ("Thank you so much", "thanks"), ("Bạn ở đâu?", "about"),
        ("Bạn bao nhiêu tuổi?", "about"), ("Bạn là robot à?", "about"), ("Bạn có phải người thật không?", "about"),
        ("Rất vui được gặp bạn", "about"), ("Tuyệt vời", "ack"),
        ("Mình hỏi thêm được không?", "about"),
        ("Có ai ở đó không?", "greeting"), ("Có ai ở đây không", "greeting"), ("Thanks a lot", "thanks"),
        ("Ý bạn là sao?", "puzzled"), ("Tôi không hiểu", "puzzled"), ("Hiểu rồi", "ack"),
        ("Thế à", "ack"), ("Vậy sao?", "ack"), ("Cho mình hỏi chút", "about"), ("Ê bot", "about"),
        ("Bạn trả lời nhanh ghê", "about"), ("Giúp tôi với", "about"), ("giup minh voi", "about"),
    ],
)  # fmt: skip
def test_small_talk_and_its_kind(line, kind):
    assert small_talk(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "Bạn có biết Tư lệnh Bộ đội Biên phòng là ai?",  # addressed to the bot, but a question
        "Chào bạn, Chính ủy BĐBP là ai?",
        "ai la ai",  # no word says it is small talk
        "Giá vàng",
        "Không đúng quy định thì xử lý thế nào?",  # "quy định" is a word of a question
        "Bộ đội Biên phòng giúp đỡ nhân dân thế nào?",  # "giúp đỡ" beside words of a question
        "Phóng viên hỏi gì?",
        "Phối hợp với nước nào?",
        "BĐBP giúp dân với phương châm gì?",  # "với", "giúp" beside a question's words
        "Có ai ở Lai Châu không?",  # a place: a question of the corpus
        "Ý kiến của Tư lệnh là gì?",  # "ý kiến": an opinion asked of the corpus
        "",
        "   ",
    ],
)
def test_a_question_is_never_small_talk(line):
    assert small_talk(line) is None


def test_no_evaluation_question_is_taken_for_small_talk():
    """Every question of every set, answerable or not, stays a question (dev's "Xin chào" aside,
    which is small talk and is declined either way)."""
    lines = []
    for path in sorted((ROOT / "bench").glob("*/*.jsonl")):
        if path.name in ("questions.jsonl", "unanswerable.jsonl"):
            lines += [json.loads(line)["question"] for line in path.read_text("utf-8").splitlines() if line.strip()]
    assert len(lines) > 1400
    assert [line for line in lines if small_talk(line)] == ["Xin chào"]


def test_a_question_after_small_talk_is_asked_without_it():
    assert without_small_talk("Xin chào, Tư lệnh BĐBP là ai?") == "Tư lệnh BĐBP là ai?"
    assert without_small_talk("Bot ơi! Cảm ơn nhé. Chính ủy là ai?") == "Chính ủy là ai?"
    assert without_small_talk("Chào bạn, cảm ơn nhé") == "Chào bạn, cảm ơn nhé"  # small talk only
    assert without_small_talk("Quảng Ninh, Lai Châu có bao nhiêu đồn?") == "Quảng Ninh, Lai Châu có bao nhiêu đồn?"
    assert without_small_talk("Tư lệnh BĐBP là ai?") == "Tư lệnh BĐBP là ai?"
    assert without_small_talk("Thế à, ông ấy kiểm tra đồn nào?") == "ông ấy kiểm tra đồn nào?"  # surprise first
    assert without_small_talk("Thế thì sao?") == "Thế thì sao?"  # "sao" alone says no surprise


def test_a_polite_way_into_a_question_is_left_out():
    """ "Cho mình hỏi …" was shown back as the question understood; it asks nothing itself."""
    asked = "Chính ủy BĐBP Quảng Ninh tên gì?"
    assert without_small_talk(f"Chào bot, cho mình hỏi {asked}") == asked
    assert without_small_talk("Bạn có biết Tư lệnh Bộ đội Biên phòng là ai?") == "Tư lệnh Bộ đội Biên phòng là ai?"
    assert without_small_talk("Xin hỏi, Đồn Pò Hèn ở đâu?") == "Đồn Pò Hèn ở đâu?"
    assert without_small_talk("cho minh hoi tu lenh bdbp la ai") == "tu lenh bdbp la ai"  # as typed
    assert without_small_talk("Cho mình hỏi chút") == "Cho mình hỏi chút"  # no question follows
    assert without_small_talk("Bạn có biết tôi là ai không?") == "Bạn có biết tôi là ai không?"  # talk, whole
    # what the bot knows of a topic: the corpus on it ("bạn" is no word of it: "nước bạn Lào" was first)
    assert without_small_talk("Bạn biết gì về biên phòng Lai Châu?") == "biên phòng Lai Châu"
    assert without_small_talk("Kể cho mình nghe về Đồn Biên phòng Pò Hèn") == "Đồn Biên phòng Pò Hèn"
    assert without_small_talk("ban biet gi ve bdbp") == "bdbp"
    assert without_small_talk("Bạn có biết Tư lệnh BĐBP là ai không?") == "Tư lệnh BĐBP là ai?"
    assert without_small_talk("ban co biet tu lenh bdbp la ai khong") == "tu lenh bdbp la ai"
    assert without_small_talk("Bạn có biết Lai Châu có phải tỉnh biên giới không?") == (
        "Lai Châu có phải tỉnh biên giới không?"
    )
    assert without_small_talk("'; DROP TABLE queries; --") == "'; DROP TABLE queries; --"  # no words of talk
