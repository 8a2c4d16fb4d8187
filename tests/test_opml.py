"""Subscriptions as OPML (retrieval.web.opml): what readers export, read back; hostile files refused."""

from __future__ import annotations

import pytest

from retrieval.web.opml import MAX_OPML_BYTES, OpmlError, OpmlFeed, from_opml, to_opml


def test_feeds_round_trip_with_any_title():
    feeds = [
        OpmlFeed("https://bienphong.com.vn/rss?a=1&b=2", 'Báo Biên phòng <"Tin mới"> & ảnh'),
        OpmlFeed("http://x.vn/feed", "Tin\u2028dòng"),
    ]
    text = to_opml(feeds)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert from_opml(text.encode("utf-8")) == feeds


def test_a_readers_file_with_folders_gives_each_feed_once():
    data = b"""<?xml version="1.0"?>
<opml version="1.0"><head><title>Feedly</title></head><body>
  <outline text="Tin tuc">
    <outline type="rss" text="A" xmlUrl="https://a.vn/rss"/>
    <outline type="rss" title="B" text="b" xmlUrl=" https://b.vn/atom "/>
  </outline>
  <outline type="rss" text="A again" xmlUrl="https://a.vn/rss"/>
  <outline type="link" text="not a feed" url="https://c.vn/"/>
  <outline type="rss" text="bad" xmlUrl="javascript:alert(1)"/>
  <outline type="rss" text="file" xmlUrl="file:///etc/passwd"/>
</body></opml>"""
    assert from_opml(data) == [OpmlFeed("https://a.vn/rss", "A"), OpmlFeed("https://b.vn/atom", "B")]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body/></opml>', "DTD"),
        (b"<opml><body><outline", "not well-formed"),
        (b"<rss><channel/></rss>", "not <opml>"),
        (b"<opml>" + b" " * MAX_OPML_BYTES + b"</opml>", "larger than"),
    ],
)
def test_hostile_or_wrong_files_are_refused_with_the_reason(data, reason):
    with pytest.raises(OpmlError, match=reason):
        from_opml(data)
