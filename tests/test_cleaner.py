"""Cleaning of the five real seed articles: titles, dates, and no page furniture left."""

import re

import pytest

from retrieval.text.cleaner import parse_record, parse_text_article
from tests.conftest import DATA

EXPECTED = {
    "000_7322326c6deb17f8.txt": (
        "Đại tướng Lương Cường: Nâng cao năng lực tham mưu và tổ chức thực hiện công tác biên phòng ở tất cả các cấp",
        "2024-03-27",  # "Sáng 27-3", year from the text ("năm 2024")
    ),
    "001_39bc64e63a913f08.txt": (None, "2023-06-13"),  # "date 2023-06" + "chiều nay 13/6"
    "002_79f83d946e63c172.txt": ("Phát huy truyền thống, xây dựng thế trận lòng dân vững chắc", None),
    "003_6c49856dbec365b0.txt": (
        '"Thi đua thực hiện thắng lợi Nghị quyết ngay từ những ngày đầu, tháng đầu"',
        "2020-10-01",  # "Thứ Năm, 01/10/2020, 08:10 [GMT+7]"
    ),
    "004_6c83cc2604363b12.txt": (
        "Phối hợp bảo vệ vững chắc chủ quyền, an ninh biên giới, biển, đảo",  # under "Đời sống xã hội"
        "2024-03-07",  # "Trúc Linh 07/03/2024 - 06:00"
    ),
}

NOISE = [
    r"\.jpg",
    r"^Ảnh:",
    r"Ảnh: T\.C",
    r"^\.+$",
    r"^Tin liên quan$",
    r"^Ý kiến",
    r"^Phản hồi$",
    r"^Các tin khác$",
    r"^Mới nhất$",
    r"^Liên kết website$",
    r"^Đời sống xã hội$",
    r"^Trúc Linh",
    r"\(thực hiện\)",
    r"^date ",
    r"\(QNO\)",
    r"GMT",
]


def _article(name):
    return parse_text_article((DATA / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_titles_and_dates_of_the_seed_articles(name):
    title, date = EXPECTED[name]
    article = _article(name)
    assert article.date == date
    if title is not None:
        assert article.title == title
    else:  # no title line in the file: the lead stands in, without the dateline or agency tag
        assert article.title.startswith("Đó là chỉ đạo của Ủy viên Trung ương Đảng")
        assert len(article.title) <= 91


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_noise_is_gone(name):
    article = _article(name)
    for paragraph in article.paragraphs:
        for pattern in NOISE:
            assert not re.search(pattern, paragraph), (pattern, paragraph)


def test_captions_printed_twice_are_kept_once():
    article = _article("003_6c49856dbec365b0.txt")
    captions = [p for p in article.paragraphs if p.startswith("Đại tá Nguyễn Thanh Hải, Chính ủy BĐBP tỉnh kiểm tra")]
    assert len(captions) == 1
    assert sum(p.startswith("Đại tá Nguyễn Thanh Hải, Chính ủy BĐBP tỉnh Quảng Ninh") for p in article.paragraphs) == 1


def test_photo_credit_is_cut_but_caption_kept():
    article = _article("001_39bc64e63a913f08.txt")
    assert "Bí thư Tỉnh ủy Phan Việt Cường phát biểu chỉ đạo tại buổi làm việc." in article.paragraphs
    assert article.paragraphs[0].startswith("Đó là chỉ đạo")


def test_body_ends_before_the_related_links():
    assert _article("003_6c49856dbec365b0.txt").paragraphs[-1] == "- Xin cảm ơn đồng chí!"
    assert _article("002_79f83d946e63c172.txt").paragraphs[-1].startswith("Xây dựng phong trào toàn dân")


def test_jsonl_record():
    article = parse_record({"title": "Tiêu đề", "text": "Câu một.\nẢnh: A.B\nCâu hai.", "url": "https://x.vn/a"})
    assert article.title == "Tiêu đề"
    assert article.paragraphs == ["Câu một.", "Câu hai."]
    assert article.url == "https://x.vn/a" and article.date is None


@pytest.mark.parametrize("record", [{"title": "x"}, {"title": "x", "text": "   "}, {"title": 3, "text": "Câu."}])
def test_jsonl_record_errors(record):
    with pytest.raises(ValueError):
        parse_record(record)
