"""Feed subscriptions as OPML 2.0, the file every feed reader exports and imports.

``feeds export`` writes one ``<outline type="rss" text=… xmlUrl=…/>`` per subscription;
``feeds import`` reads the ``xmlUrl`` of every outline, nested ones included (readers group
feeds in folders). An imported file is untrusted: at most ``MAX_OPML_BYTES``, no DTD (no entity
can expand), only http(s) links.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

MAX_OPML_BYTES = 1_000_000


class OpmlError(ValueError):
    """The file is not OPML this bot can read (the message says why)."""


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str


def to_opml(feeds: list[OpmlFeed], title: str = "Bot hỏi đáp: nguồn tin") -> str:
    """An OPML 2.0 document listing ``feeds`` (XML-escaped by ElementTree)."""
    root = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(root, "head"), "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        ET.SubElement(body, "outline", type="rss", text=feed.title, title=feed.title, xmlUrl=feed.url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def from_opml(data: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML file, in document order, each URL once; OpmlError when it cannot be read."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError(f"the file is larger than {MAX_OPML_BYTES:,} bytes")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise OpmlError("the file declares a DTD or entities, which OPML never needs")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML ({exc})") from None
    if root.tag != "opml":
        raise OpmlError(f"the root element is <{root.tag}>, not <opml>")
    feeds: dict[str, OpmlFeed] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if url.lower().startswith(("http://", "https://")) and url not in feeds:
            feeds[url] = OpmlFeed(url, (outline.get("title") or outline.get("text") or url).strip())
    return list(feeds.values())
