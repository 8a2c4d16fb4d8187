import pytest

from bot.render import (
    MAX_MESSAGE,
    answers_html,
    answers_keyboard,
    callback,
    format_date,
    highlighted,
    passage_html,
    utf16_len,
)
from retrieval.index.search import Answer, SearchResult
from retrieval.question.query import analyze_question
from tests.fake_telegram import parse_html


def _answer(sentence, title="Tiêu đề <b>&", url=None, sid=1):
    return Answer(sentence, "a.txt", title, "2024-03-27", url, 1.0, sid)


def test_everything_user_visible_is_escaped():
    result = SearchResult(analyze_question("biên phòng"), [], 1.0)
    text = answers_html(result, [_answer("<script>alert(1)</script> biên phòng & co", url='https://x.vn/?a=1&b="2"')])
    shown = parse_html(text)  # would raise if Telegram could not parse it
    assert "<script>alert(1)</script> biên phòng & co" in shown and "Tiêu đề <b>&" in shown
    assert "<b>biên phòng</b>" in text


def test_long_answers_are_shortened_to_fit():
    result = SearchResult(analyze_question("biên phòng"), [], 1.0)
    answers = [_answer("biên phòng " + "rất dài " * 2000, sid=i) for i in range(3)]
    text = answers_html(result, answers)
    assert utf16_len(text) <= MAX_MESSAGE and text.count("…") == 3
    parse_html(text)


def test_passage_focus_is_bold_and_fits():
    text = passage_html("T", None, None, ["Một.", "Hai < ba.", "Bốn."], 1)
    assert "<b>Hai &lt; ba.</b>" in text
    long = passage_html("T", None, None, ["x " * 5000, "y " * 5000], 0)
    assert utf16_len(long) <= MAX_MESSAGE
    parse_html(long)


def test_highlight_cut_keeps_tags_balanced():
    text = highlighted("abc def ghi jkl", [(4, 11)], limit=9)
    assert text == "abc <b>def</b>…"
    parse_html(text)


def test_callback_data_is_limited_and_keyboard_shape():
    assert callback("fb", 12, 1) == "fb:12:1"
    with pytest.raises(ValueError):
        callback("x" * 70)
    markup = answers_keyboard(10**15, 1, 5, 16, [_answer("a", sid=10**15)])
    rows = markup.inline_keyboard
    assert [b.text for b in rows[0]] == ["📄 16"] and [b.text for b in rows[1]] == ["👍", "👎"]
    assert [(b.text, b.callback_data) for b in rows[2]] == [
        ("⬅️", f"more:{10**15}:0"),
        ("2/5", "page"),
        ("➡️", f"more:{10**15}:2"),
    ]
    last = answers_keyboard(7, 4, 5, 13, [_answer("a")]).inline_keyboard[2]
    assert [b.text for b in last] == ["⬅️", "5/5"]  # no page after the last
    assert len(answers_keyboard(7, 0, 1, 1, [_answer("a")]).inline_keyboard) == 2  # one page: no arrows


def test_format_date():
    assert format_date("2024-03-27") == "27/03/2024"
    assert format_date("2023-06") == "06/2023"
    assert format_date(None) is None


def test_whatever_a_record_holds_every_reply_fits():
    """Before: a 6,000-character title turned a 3-answer reply into "no answer" and made the
    passage 6,124 UTF-16 units, over Telegram's 4,096."""
    from bot.corpus_admin import articles_html
    from retrieval.store.records import ArticleRow

    title, url = "Đồn Biên phòng 🛡 " * 350, "https://bienphong.vn/" + "a" * 6000
    result = SearchResult(analyze_question("biên phòng"), [], 1.0)
    text = answers_html(result, [_answer("biên phòng " + "dài " * 300, title, url, sid=i) for i in range(3)])
    assert utf16_len(text) <= MAX_MESSAGE and [f"<b>{n}.</b>" in text for n in (1, 2, 3)] == [True] * 3
    parse_html(text)
    passage = passage_html(title, "2024-05-14", url, ["Một câu dài. " * 300], 0)
    assert utf16_len(passage) <= MAX_MESSAGE
    parse_html(passage)
    page = articles_html([ArticleRow(title, None, url, "web.jsonl", 3, None)] * 10, 1, 1, 1)
    assert utf16_len(page) <= MAX_MESSAGE and "\n10. " in page  # page 1 whole, each title cut


def test_every_failure_an_admin_meets_reads_in_vietnamese():
    """The web layer's reasons (English, for logs and the CLI) as an admin's chat shows them."""
    from bot.corpus_admin import in_vietnamese

    reasons = {
        "HTTP 404 Not Found": "máy chủ trả lời HTTP 404 Not Found",
        "timed out after 15 s": "quá thời gian chờ (15 giây)",
        "too big (over the 5,242,880-byte limit)": "trang quá lớn",
        "not a web page (image/png)": "không phải trang web (image/png)",
        "no article text found on the page": "không tìm thấy nội dung bài viết trên trang",
        "10.0.0.1 is not a public address; refused (ALLOW_PRIVATE_URLS=1 allows it on an intranet)":
            "10.0.0.1 không phải địa chỉ công khai nên bị từ chối",
        "x.vn resolves to a non-public address (10.0.0.2); refused (ALLOW_PRIVATE_URLS=1 allows it on an intranet)":
            "x.vn trỏ tới địa chỉ nội bộ (10.0.0.2) nên bị từ chối",
        "cannot resolve khong-co.vn ([Errno -2] Name or service not known)": "không tìm thấy tên miền khong-co.vn",
        "more than 5 redirects": "chuyển hướng quá 5 lần",
        "not a readable RSS or Atom feed (mismatched tag)": "không phải nguồn tin RSS/Atom đọc được",
        "not an RSS or Atom feed": "không phải nguồn tin RSS/Atom đọc được",
        "something new": "something new",  # unknown: as it came, rather than nothing
    }  # fmt: skip
    assert {reason: in_vietnamese(reason) for reason in reasons} == reasons
