"""retrieval.web.feeds: RSS and Atom entries, their fallback text, and feeds that are not feeds."""

from __future__ import annotations

import pytest

from retrieval.web.feeds import FeedEntry, FeedError, entry_article, parse_feed, plain_text

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Báo Biên phòng &amp; Tin mới</title><link>https://bao.example.vn/</link>
<item><title>Tuần tra &lt;b&gt;biên giới&lt;/b&gt;</title><link>https://bao.example.vn/a.html</link>
<pubDate>Tue, 14 May 2024 01:30:00 GMT</pubDate>
<description>&lt;p&gt;Ngày 13/5, đồn tổ chức tuần tra.&lt;/p&gt;
&lt;p&gt;Có 12 cán bộ tham gia.&lt;/p&gt;</description></item>
<item><title>Không có link hợp lệ</title><link>javascript:alert(1)</link></item>
<item><title>Link tương đối</title><link>/b.html</link></item>
<item><title>Trùng link</title><link>https://bao.example.vn/a.html</link></item>
<item><title>Không ngày</title><link>http://bao.example.vn/c.html</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Tin Atom</title>
<entry><title>Bài Atom</title><link href="https://atom.example.vn/1"/><updated>2024-06-02T08:00:00Z</updated>
<summary type="html">&lt;div&gt;Đồn Biên phòng Khánh Hội khám bệnh cho 320 người dân.&lt;/div&gt;</summary></entry>
</feed>"""


def test_rss_entries_with_plain_text_and_only_absolute_web_links():
    feed = parse_feed(RSS.encode())
    assert feed.title == "Báo Biên phòng & Tin mới"
    assert [e.link for e in feed.entries] == ["https://bao.example.vn/a.html", "http://bao.example.vn/c.html"]
    first = feed.entries[0]
    assert first.title == "Tuần tra biên giới"
    assert first.date == "2024-05-14"
    assert first.summary == "Ngày 13/5, đồn tổ chức tuần tra.\nCó 12 cán bộ tham gia."
    assert feed.entries[1].date is None


def test_atom():
    (entry,) = parse_feed(ATOM.encode()).entries
    assert (entry.link, entry.title, entry.date) == ("https://atom.example.vn/1", "Bài Atom", "2024-06-02")
    assert "320 người dân" in entry.summary


def test_an_empty_feed_is_a_feed():
    feed = parse_feed('<?xml version="1.0"?><rss version="2.0"><channel><title>Trống</title></channel></rss>'.encode())
    assert (feed.title, feed.entries) == ("Trống", [])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<rss><channel><item><title>H", "not a readable RSS or Atom feed"),
        ("<html><body><p>Trang chủ</p></body></html>".encode(), "not a"),
        (b"", "not a"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a"),
    ],
)
def test_what_is_not_a_feed_says_so(body, message):
    with pytest.raises(FeedError, match=message):
        parse_feed(body)


def test_the_entry_itself_as_an_article_when_its_page_gives_nothing():
    entry = FeedEntry("https://bao.example.vn/a.html", "Tuần tra", "2024-05-14",
                      "Ngày 13/5, Đồn Biên phòng Hoành Mô tổ chức tuần tra với 12 cán bộ, chiến sĩ.")  # fmt: skip
    article = entry_article(entry)
    assert article is not None
    assert (article.title, article.date, article.url) == ("Tuần tra", "2024-05-14", "https://bao.example.vn/a.html")
    assert entry_article(FeedEntry("https://bao.example.vn/b.html", "Ngắn", None, "Xem tiếp")) is None


def test_plain_text_of_markup():
    assert plain_text("<p>Một &amp; hai</p><br/>ba <script>x</script>") == "Một & hai\nba x"
