"""From a question to weighted BM25 terms.

- Question and function words ("ai", "là gì", "bao nhiêu", "của", "thế nào") are dropped: they say
  what kind of answer is wanted, not where it is, and a rare one like "ai" would otherwise pull
  sentences that merely contain it.
- A question with diacritics matches its exact syllables and words at full weight and their
  accent-folded forms at ``FOLDED_WEIGHT``, so "đường" finds "đường" first but still finds text
  typed loosely. A question without any diacritic ("bo doi bien phong") can only be matched
  folded; adjacent syllables also form folded word candidates ("~bo_doi"), which pyvi cannot
  segment without accents but the index has from the accented text. Folded stop words are
  few: "tu" may be "từ" or "tư" (lệnh), "dang" "đang" or "Đảng", so only unambiguous ones go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, pairwise

import numpy as np

from retrieval.text.normalize import (
    canonical_tones,
    clean_unicode,
    fold_diacritics,
    has_diacritics,
    normalize,
    strip_markup,
)
from retrieval.text.tokenizer import FOLDED, segment, syllables

FOLDED_WEIGHT = 0.3

_STOP_PHRASES_ACCENTED = """
ai gì nào đâu sao bao_nhiêu bao_giờ khi_nào lúc_nào thế_nào như_thế_nào ra_sao tại_sao vì_sao
là_gì là_ai là_những_gì là_bao_nhiêu tên_gì tên_là_gì có_phải không chưa hả vậy nhỉ nhé ạ à ư
cho_biết xin_cho_biết hãy cho_hỏi hỏi
là của và các những có được cho trong với thì mà này đó ấy ở tại về từ đến bị bởi do nên
cũng đã đang sẽ rất hơn nhất một những việc gồm như theo hay hoặc nhưng
"""
_STOP_PHRASES_FOLDED = """
ai gi nao bao_nhieu bao_gio khi_nao luc_nao the_nao nhu_the_nao ra_sao tai_sao vi_sao
la_gi la_ai la_nhung_gi ten_gi ten_la_gi co_phai khong vay nhi nhe cho_biet xin_cho_biet cho_hoi
la va cac nhung duoc
"""


def _phrases(text: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(p.split("_")) for p in text.split())


STOP_ACCENTED = _phrases(_STOP_PHRASES_ACCENTED)
STOP_FOLDED = _phrases(_STOP_PHRASES_FOLDED)
_LONGEST = max(len(p) for p in STOP_ACCENTED | STOP_FOLDED)
# A word that is only an honorific ("Ông Nguyễn Văn Hưng …") addresses, it names nothing: news
# text writes ranks and offices, not "ông", so counting it would sink the evidence of any person.
# As part of a word ("ông bà", "Bà Rịa") it stays.
_HONORIFICS = frozenset({"ông", "bà"})


@dataclass(frozen=True)
class Evidence:
    """One content word of the question, for measuring how much of it a text covers.

    ``terms``: (term, credit) pairs; the word is present with the best credit among the terms found
    (exact 1.0; in an accented question a folded-only match, "mẫu" for "mau", earns
    ``FOLDED_WEIGHT``). Scattered syllables of a compound earn nothing ("thời tiết" is not in
    "thời gian ... tiết kiệm"). ``parts``: the syllables of a compound; the corpus "knows" the
    word when it has the word or all of them.
    """

    terms: tuple[tuple[str, float], ...]
    parts: tuple[str, ...] = ()
    name: bool = False  # capitalised as a name is ("Lai Châu"): an article may say it once for all


@dataclass(frozen=True)
class Query:
    """A question ready to score: ``terms`` (BM25 term -> weight) and ``groups`` (its words)."""

    text: str
    accented: bool
    terms: dict[str, float]
    groups: list[Evidence]

    @property
    def empty(self) -> bool:
        return not self.groups

    # What a coverage of the question needs (``retrieval.index.search.coverage``), worked out once for
    # the texts it is measured in: a question's top passages, then their sentences.
    @cached_property
    def evidence_terms(self) -> list[str]:
        """Every term of ``groups``, word after word."""
        return [term for group in self.groups for term, _ in group.terms]

    @cached_property
    def evidence_credits(self) -> np.ndarray:
        """Each of ``evidence_terms``' credit."""
        return np.array([credit for group in self.groups for _, credit in group.terms], dtype=np.float64)

    @cached_property
    def evidence_starts(self) -> list[int]:
        """Where each word's terms start in ``evidence_terms``."""
        return list(accumulate((len(group.terms) for group in self.groups[:-1]), initial=0))

    @cached_property
    def weighing_terms(self) -> list[str]:
        """Each word's first term, then every word's parts: whose idfs weigh the words."""
        return [group.terms[0][0] for group in self.groups] + [p for group in self.groups for p in group.parts]


def _stop_mask(sylls: list[str], stops: frozenset[tuple[str, ...]]) -> list[bool]:
    """Mark syllables covered by stop phrases, longest phrase first, left to right."""
    mask = [False] * len(sylls)
    i = 0
    while i < len(sylls):
        for n in range(min(_LONGEST, len(sylls) - i), 0, -1):
            if tuple(sylls[i : i + n]) in stops:
                mask[i : i + n] = [True] * n
                i += n
                break
        else:
            i += 1
    return mask


def _capitalised(text: str) -> frozenset[str]:
    """The syllables ``text`` writes with a capital and then lowercase ("Lai", "Châu"; not "BĐBP"),
    lowercased and in the tone placement ``segment`` gives them."""
    words = re.findall(r"[^\W\d_]+", canonical_tones(text))
    return frozenset(w.lower() for w in words if w[0].isupper() and w[1:].islower())


def _add(terms: dict[str, float], term: str, weight: float) -> None:
    terms[term] = terms.get(term, 0.0) + weight


def analyze_question(question: str) -> Query:
    """Turn raw user text into a ``Query`` (see module docstring for the weighting)."""
    text = clean_unicode(strip_markup(question))
    accented = has_diacritics(normalize(text))
    words = segment(text)
    # Flatten to syllables, remembering which word each came from.
    sylls: list[str] = []
    owner: list[int] = []
    for w_idx, word in enumerate(words):
        for part in syllables(word):
            sylls.append(part if accented else fold_diacritics(part))
            owner.append(w_idx)
    stop = _stop_mask(sylls, STOP_ACCENTED if accented else STOP_FOLDED)
    if accented:
        for i, syllable in enumerate(sylls):
            stop[i] = stop[i] or (syllable in _HONORIFICS and owner.count(owner[i]) == 1)

    terms: dict[str, float] = {}
    groups: list[Evidence] = []
    kept = [i for i in range(len(sylls)) if not stop[i]]
    for i in kept:
        folded = FOLDED + fold_diacritics(sylls[i])
        if accented:
            _add(terms, sylls[i], 1.0)
            _add(terms, folded, FOLDED_WEIGHT)
        else:
            _add(terms, folded, 1.0)
            groups.append(Evidence(((folded, 1.0),)))
    if accented:
        capitalised = _capitalised(text)
        # Evidence per pyvi word; whole words are terms too when none of their syllables is a stop word.
        for w_idx in range(len(words)):
            parts = [sylls[i] for i in range(len(sylls)) if owner[i] == w_idx and not stop[i]]
            if not parts:
                continue
            word = "_".join(parts)
            folded = FOLDED + fold_diacritics(word)
            if len(parts) > 1:
                _add(terms, word, 1.0)
                _add(terms, folded, FOLDED_WEIGHT)
            compound = tuple(parts) if len(parts) > 1 else ()
            name = bool(compound) and all(part in capitalised for part in parts)
            groups.append(Evidence(((word, 1.0), (folded, FOLDED_WEIGHT)), compound, name))
    else:
        # Without accents pyvi cannot find words; try every adjacent pair as a folded word.
        for a, b in pairwise(kept):
            if b == a + 1:
                _add(terms, f"{FOLDED}{sylls[a]}_{sylls[b]}", 1.0)
    return Query(text=text, accented=accented, terms=terms, groups=groups)
