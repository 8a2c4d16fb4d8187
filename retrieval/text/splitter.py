"""Sentence splitting that knows Vietnamese news text.

A boundary is terminal punctuation (". ! ? …", optionally closed by a quote or bracket) followed
by white space and a capital, a digit or an opening quote. It is not a boundary after
abbreviations and titles ("TP.", "PGS.TS.", "Th.S."), after a personal initial ("John C.
Messenger"), inside numbers ("1.000", "3,1", "28/9/2018": no space follows), or before a
lowercase word ("cứu nạn... và"). Interview lines keep their words but lose the "- "/"+ " marker.
"""

from __future__ import annotations

import re

# Period-terminated abbreviations seen in Vietnamese news; compared case-sensitively, each part of
# a dotted run ("PGS.TS.") must be one of them.
ABBREVIATIONS = frozenset(
    {
        "TP",
        "Tp",
        "TX",
        "TT",
        "Q",
        "P",
        "H",
        "X",
        "Th",
        "S",
        "ThS",
        "TS",
        "GS",
        "PGS",
        "BS",
        "KS",
        "CN",
        "NCS",
        "Ths",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Prof",
        "St",
        "Jr",
        "Sr",
        "Co",
        "Ltd",
        "Inc",
        "No",
        "vs",
        "v.v",
        "tr",
        "Tr",
        "ĐT",
        "Đ",
        "Bs",
        "Ts",
        "Gs",
        "Pgs",
    }
)

_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’»)\]]*)(\s+)(?=[\"'“‘«(\[]?\s*[\w])")
_LIST_MARKER = re.compile(r"^\s*[-+–—•*]\s+")


def _is_abbreviation(word: str) -> bool:
    """True for "TP", "PGS.TS", "Th.S", single capitals used as initials ("C")."""
    if len(word) == 1 and word.isupper():
        return True
    parts = [p for p in word.split(".") if p]
    return bool(parts) and all(p in ABBREVIATIONS or (len(p) == 1 and p.isupper()) for p in parts)


def _starts_sentence(text: str) -> bool:
    stripped = text.lstrip("\"'“‘«([ ")
    return bool(stripped) and (stripped[0].isupper() or stripped[0].isdigit())


def strip_list_marker(line: str) -> str:
    """Drop an interview or bullet marker: "- Xin cảm ơn đồng chí!" -> "Xin cảm ơn đồng chí!"."""
    return _LIST_MARKER.sub("", line, count=1)


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph (no newlines) into sentences, keeping their punctuation."""
    text = strip_list_marker(paragraph.strip())
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        rest = text[match.end() :]
        if not _starts_sentence(rest):
            continue
        if match.group(1) == ".":
            before = text[start : match.start()].rsplit(None, 1)
            word = before[-1] if before else ""
            if _is_abbreviation(word):
                continue
        end = match.end() - len(match.group(3))
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences
