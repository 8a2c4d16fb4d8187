"""Which words of an answer sentence matched the question, as character spans (for bold)."""

from __future__ import annotations

import re

from retrieval.question.query import Query
from retrieval.text.normalize import canonical_tones, fold_diacritics
from retrieval.text.tokenizer import FOLDED

_SYLLABLE = re.compile(r"[^\W_]+")


def matched_spans(sentence: str, query: Query) -> list[tuple[int, int]]:
    """Character spans of ``sentence`` whose syllables match a content syllable of ``query``.

    A question typed with accents highlights exact matches only ("đường" does not light up
    "dương"); one typed without accents highlights every folded match. Adjacent matches
    separated only by spaces are merged into one span.
    """
    wanted = {t for g in query.groups for t, credit in g.terms if credit >= 1.0 and "_" not in t}
    wanted |= {p for g in query.groups for p in g.parts}
    spans: list[tuple[int, int]] = []
    for match in _SYLLABLE.finditer(sentence):
        syllable = canonical_tones(match.group()).lower()
        key = syllable if query.accented else FOLDED + fold_diacritics(syllable)
        if key not in wanted:
            continue
        start, end = match.span()
        if spans and not sentence[spans[-1][1] : start].strip():
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans
