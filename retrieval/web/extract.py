"""A news page (bytes as fetched) -> an Article: its title, date and text, without the page around it.

trafilatura finds the article among the site's header, menus, "Tin liên quan" lists, comments
and footer (``favor_precision``: a sentence of a menu returned as an answer is worse than a lost
sentence of the article); the result then goes through the same cleaning as every ``.jsonl``
record (``cleaner.parse_record``). Decoding follows the page's own declarations the way a browser
does: a byte-order mark, then the Content-Type header, then ``<meta charset>``; Vietnamese sites
still serve Windows-1258 (tones as combining marks, composed here) and UTF-16.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from retrieval.corpus import CorpusFileError, decode_text
from retrieval.text.cleaner import Article, parse_record

HTML_TYPES = ("text/html", "application/xhtml+xml")
# A page whose article has fewer characters than this is a list, a login wall or an error page.
MIN_ARTICLE_CHARS = 200

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)


class ExtractError(Exception):
    """A page with no article in it; the message says why."""


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label, or None for an unknown one."""
    if not label:
        return None
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(body: bytes, header_charset: str | None) -> str:
    """The page as text (NFC), decoded as declared; ExtractError when it cannot be read."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", errors="replace")
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body.decode("utf-16", errors="replace")
    declared = _codec(header_charset)
    if declared is None and (found := _META_CHARSET.search(body[:4096])):
        declared = _codec(found.group(1).decode("ascii"))
        if declared is not None and declared.startswith("utf-16"):
            declared = "utf-8"  # a page that says so in ASCII is not UTF-16 (the HTML standard's rule)
    if declared is not None:
        try:
            return unicodedata.normalize("NFC", body.decode(declared))
        except UnicodeDecodeError:
            pass  # declared wrongly, or a stray byte: guessed below
    try:
        return unicodedata.normalize("NFC", "".join(decode_text(body, "the page")[0]))
    except CorpusFileError:
        if declared is None:
            raise ExtractError("the page's text encoding cannot be told (not UTF-8, no charset declared)") from None
    # Declared, and no other encoding fits better: a few bad bytes become U+FFFD, as in a browser.
    return unicodedata.normalize("NFC", body.decode(declared, errors="replace"))


def extract_article(page: str, url: str) -> Article:
    """The article of a page: title, ISO date and cleaned paragraphs, with ``url`` as its link."""
    # Imported on first use, in the worker thread that extracts (0.3 s of imports the console,
    # which never fetches, does not pay, and the event loop never waits for).
    import trafilatura

    try:
        document = trafilatura.bare_extraction(
            page, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
        )
    except Exception as exc:  # lxml and trafilatura raise many kinds on broken markup
        raise ExtractError(f"the page could not be parsed ({type(exc).__name__})") from None
    text = (document.text or "") if document is not None else ""
    title = ((document.title or "") if document is not None else "").strip()
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and title and _same(lines[0], title):
        lines = lines[1:]  # the headline, printed again above the article
    if sum(len(line) for line in lines) < MIN_ARTICLE_CHARS:
        raise ExtractError("no article text found on the page")
    record = {"title": title or None, "text": "\n".join(lines), "date": document.date, "url": url}
    try:
        return parse_record(record)
    except ValueError:
        raise ExtractError("no article text found on the page") from None


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def page_article(body: bytes, content_type: str, charset: str | None, url: str) -> Article:
    """A fetched response -> its article (see ``extract_article``), or ExtractError for a response
    that is not an HTML page."""
    if content_type and content_type not in HTML_TYPES:
        raise ExtractError(f"not a web page ({content_type})")
    if not body.strip():
        raise ExtractError("the page is empty")
    return extract_article(decode_html(body, charset), url)
