"""retrieval.web.extract: a news page -> its article, without the page around it, in any declared encoding."""

from __future__ import annotations

import pytest

from retrieval.web.extract import ExtractError, decode_html, extract_article, page_article
from tests.conftest import cp1258
from tests.news_site import FURNITURE, STORIES, news_page

URL = "http://bao.example.vn/bai/1.html"


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s.slug)
def test_the_article_and_nothing_else(story):
    article = extract_article(news_page(story), URL)
    assert article.title == story.title
    assert article.date == story.date
    assert article.url == URL
    assert article.paragraphs == story.paragraphs  # the headline is not repeated as a paragraph
    text = "\n".join(article.paragraphs)
    for furniture in FURNITURE:
        assert furniture not in text


@pytest.mark.parametrize(
    ("body", "header"),
    [
        (cp1258(news_page(STORIES[0], "windows-1258")), "windows-1258"),  # declared in the header
        (cp1258(news_page(STORIES[0], "windows-1258")), None),  # declared in <meta>
        (news_page(STORIES[0]).encode("utf-16"), None),  # UTF-16 with its byte-order mark
        (b"\xef\xbb\xbf" + news_page(STORIES[0]).encode(), "iso-8859-1"),  # a BOM wins over a wrong header
        (news_page(STORIES[0]).encode(), "no-such-charset"),  # an unknown label: guessed as UTF-8
    ],
)
def test_declared_encodings(body, header):
    page = decode_html(body, header)
    assert STORIES[0].paragraphs[0] in page  # composed (NFC), as the rest of the corpus


def test_a_wrong_declaration_falls_back_to_what_the_bytes_are():
    body = news_page(STORIES[1]).encode("utf-8")
    assert STORIES[1].title in decode_html(body, "ascii")


def test_undecidable_bytes_are_a_clear_error():
    with pytest.raises(ExtractError, match="encoding cannot be told"):
        decode_html(b"<html><body>" + bytes(range(0x80, 0x100)) * 4 + b"</body></html>", None)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"x" * 100, "image/png", "not a web page \\(image/png\\)"),
        (b'{"a": 1}', "application/json", "not a web page"),
        (b"   \n ", "text/html", "the page is empty"),
        ("<html><body><nav>Trang chủ</nav><ul><li>Tin 1</li></ul></body></html>".encode(), "text/html",
         "no article text"),
        (b"<html><body><p>\x00\x00<<<>>>&&&;</p><div", "text/html", "no article text"),
        (b"<<<<<<", "", "no article text"),
    ],
)  # fmt: skip
def test_pages_without_an_article_say_why(body, content_type, message):
    with pytest.raises(ExtractError, match=message):
        page_article(body, content_type, None, URL)


def test_broken_markup_still_gives_the_article():
    page = news_page(STORIES[2]).replace("</p>", "").replace("</article>", "").replace("</body></html>", "<div><span")
    article = page_article(page.encode(), "text/html", "utf-8", URL)
    assert "400 suất quà Tết" in "\n".join(article.paragraphs)
