"""Abbreviations: "BĐBP" and "Bộ đội Biên phòng" must find each other, in both directions.

Pairs come from a small curated list of common ones and from the corpus itself, wherever an
article defines one: "Bộ đội Biên phòng (BĐBP)", "khu vực biên giới (KVBG)" — the letters in
brackets must be the initials of the words before them. At index time a sentence that holds one
form also gets the BM25 terms of the other, so a question with either form matches both, and the
evidence used for abstention needs no special case.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import chain, pairwise

from retrieval.text.normalize import fold_diacritics, normalize
from retrieval.text.tokenizer import FOLDED, index_terms, segment, syllables

CURATED = {
    "BĐBP": "Bộ đội Biên phòng",
    "BP": "biên phòng",
    "KVBG": "khu vực biên giới",
    "NTM": "nông thôn mới",
    "QP-AN": "quốc phòng - an ninh",
    "QPAN": "quốc phòng an ninh",
    "KT-XH": "kinh tế - xã hội",
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "CBCS": "cán bộ, chiến sĩ",
    "TTATXH": "trật tự an toàn xã hội",
    "ANTT": "an ninh trật tự",
    "ANCT": "an ninh chính trị",
    "MTTQ": "Mặt trận Tổ quốc",
    "QĐND": "Quân đội nhân dân",
    "BCH": "Bộ Chỉ huy",
    "BTL": "Bộ Tư lệnh",
    "XNC": "xuất nhập cảnh",
    "FDI": "đầu tư trực tiếp nước ngoài",
    "CSGT": "cảnh sát giao thông",
    "THPT": "trung học phổ thông",
    "TW": "Trung ương",
    "ĐBQH": "đại biểu Quốc hội",
    "CHXHCN": "Cộng hòa xã hội chủ nghĩa",
    "TP.HCM": "Thành phố Hồ Chí Minh",
    "TPHCM": "Thành phố Hồ Chí Minh",
}

_DEFINED = re.compile(r"\(([A-ZĐ][A-ZĐ\-.]{1,9})\)")
_WORD = re.compile(r"[^\W\d_]+")


def key(abbreviation: str) -> str:
    """ "QP-AN" -> "qpan", "BĐBP" -> "bđbp": how an abbreviation is looked up."""
    return re.sub(r"[\W_]+", "", normalize(abbreviation))


def defined_pairs(text: str) -> dict[str, str]:
    """Abbreviations a text defines: "... Bộ đội Biên phòng (BĐBP) ..." -> {"BĐBP": "Bộ đội Biên phòng"}."""
    pairs = {}
    for match in _DEFINED.finditer(text):
        abbreviation = match.group(1).strip(".-")
        letters = fold_diacritics(key(abbreviation))
        words = _WORD.findall(text[max(0, match.start() - 200) : match.start()])[-len(letters) :]
        if len(words) == len(letters) and "".join(fold_diacritics(w[0].lower()) for w in words) == letters:
            pairs[abbreviation] = " ".join(words)
    return pairs


def definitions(texts: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """(position, pairs) for each text that defines an abbreviation: what an index keeps so that
    a corpus change can tell whether the learned pairs moved (then everything is counted again)."""
    found = []
    for i, text in enumerate(texts):
        if "(" in text and (pairs := defined_pairs(text)):
            found.append((i, pairs))
    return found


def learned_pairs(defined: Iterable[dict[str, str]]) -> dict[str, str]:
    """The curated pairs, overridden by the corpus's definitions. Where the corpus defines one
    abbreviation in several ways the most frequent wins (then the first in alphabetical order),
    so the result does not depend on the order of the articles."""
    votes = Counter((short, long) for pairs in defined for short, long in pairs.items())
    best: dict[str, tuple[int, str]] = {}
    for (short, long), count in votes.items():
        if short not in best or (-count, long) < best[short]:
            best[short] = (-count, long)
    return CURATED | {short: long for short, (_, long) in best.items()}


class Abbreviations:
    """The known pairs, and the extra index terms a segmented sentence gets from them."""

    def __init__(self, pairs: dict[str, str]) -> None:
        self.long_terms: dict[str, list[str]] = {}  # abbreviation key -> terms of the long form
        self.long_forms: dict[tuple[str, ...], str] = {}  # long-form syllables -> abbreviation key
        for abbreviation, long_form in pairs.items():
            k = key(abbreviation)
            words = segment(long_form)
            self.long_terms[k] = index_terms(words)
            self.long_forms[tuple(s for w in words for s in syllables(w))] = k
        self._longest = max((len(f) for f in self.long_forms), default=0)
        self._max_parts = 3  # "QP-AN" reaches the index as "qp", "an"
        # Syllables that can begin a match; most syllables begin none, and skip the inner loops.
        self._short_starts = {k[:n] for k in self.long_terms for n in range(1, len(k) + 1)}
        # A long form is two syllables or more, and begins with one of these pairs: common
        # syllables ("thành", "quốc", "bộ") begin one in most sentences, the pairs in few.
        self._long_starts = {form[:2] for form in self.long_forms if len(form) > 1}
        self._starts = self._short_starts | {first for first, _ in self._long_starts}
        self._parts: dict[str, tuple[str, ...]] = {}  # word -> its syllables, for each word met
        self._beginning: set[str] = set()  # the words met with a syllable that can begin a match

    @classmethod
    def learn(cls, texts: Iterable[str]) -> Abbreviations:
        """The curated pairs plus those the texts define (see ``learned_pairs``)."""
        return cls(learned_pairs(pairs for _, pairs in definitions(texts)))

    def extra_terms(self, words: list[str]) -> list[str]:
        """Terms to add for the abbreviations and long forms found in ``words``.

        Only the form that is missing is added: where a sentence defines "Bộ đội Biên phòng
        (BĐBP)" it has both already, and adding them again would count them twice.
        """
        parts = self._parts
        try:  # each word's syllables in one call (a dict lookup each, not lru_cache's call)
            syllables_of = list(map(parts.__getitem__, words))
        except KeyError:  # a word met for the first time
            for word in words:
                if word not in parts:
                    parts[word] = syllables(word)
                    if any(s in self._starts for s in parts[word]):
                        self._beginning.add(word)
            syllables_of = list(map(parts.__getitem__, words))
        if self._beginning.isdisjoint(words):
            return []  # most sentences: nothing to look for
        sylls = list(chain.from_iterable(syllables_of))
        short_found: set[str] = set()
        long_found: set[str] = set()
        for i in [i for i, first in enumerate(sylls) if first in self._short_starts]:
            joined = ""
            for part in sylls[i : i + self._max_parts]:
                joined += part
                if joined in self.long_terms:
                    short_found.add(joined)
        for i in [i for i, pair in enumerate(pairwise(sylls)) if pair in self._long_starts]:
            for n in range(min(self._longest, len(sylls) - i), 1, -1):
                abbreviation = self.long_forms.get(tuple(sylls[i : i + n]))
                if abbreviation is not None:
                    long_found.add(abbreviation)
                    break
        extra: list[str] = []
        for abbreviation in sorted(short_found - long_found):
            extra.extend(self.long_terms[abbreviation])
        for abbreviation in sorted(long_found - short_found):
            extra.extend((abbreviation, FOLDED + fold_diacritics(abbreviation)))
        return extra


# "X là viết tắt của gì?", "X viết tắt của từ gì", "X nghĩa là gì?", "chữ viết tắt X là gì",
# "X là gì?" — matched on the folded, lowercased question (typed with or without accents).
_ABBREVIATION = r"(?P<x>[a-z][a-z.\-]{1,11})"
_ASKS_MEANING = [
    re.compile(
        rf"^(?:chu |tu )?(?:viet tat )?{_ABBREVIATION} (?:la )?(?:chu |tu )?viet tat (?:cua |la )?"
        r"(?:tu |chu |cum tu )?(?:gi|cai gi|nhung tu gi)$"
    ),
    re.compile(rf"^(?:chu |tu )?(?:viet tat )?{_ABBREVIATION} (?:co )?(?:nghia|y nghia) la (?:gi|sao)$"),
    re.compile(rf"^(?:chu |tu )?viet tat {_ABBREVIATION} (?:la gi|co nghia la gi|nghia la gi)$"),
]
_IS_WHAT = re.compile(rf"^{_ABBREVIATION} la (?:gi|cai gi)$")  # only for a known abbreviation


def asked_abbreviation(question: str, known: Iterable[str]) -> str | None:
    """The abbreviation whose meaning ``question`` asks for, as it is spelled in ``known``
    ("NTM là viết tắt của gì?" -> "NTM"), or None. "X là gì?" counts only for a known X (else
    "Biên phòng là gì?" would be one); the other forms name an abbreviation outright."""
    text = re.sub(r"\s+", " ", fold_diacritics(normalize(question))).strip(" ?.!")
    for pattern in [*_ASKS_MEANING, _IS_WHAT]:
        match = pattern.match(text)
        if match:  # only now the known ones' keys: hundreds at 100k passages, 0.3 ms a question
            wanted = fold_diacritics(key(match.group("x")))
            return {fold_diacritics(key(k)): k for k in known}.get(wanted)
    return None


_CAPITALISED = re.compile(r"(?<![\w-])[A-ZĐ][A-ZĐ.\-]*[A-ZĐ](?![\w-])")


def spelled_out(text: str, pairs: dict[str, str]) -> str:
    """``text`` with each known abbreviation replaced by its long form ("Tư lệnh BĐBP là ai?" ->
    "Tư lệnh Bộ đội Biên phòng là ai?"): what the semantic model is given, since it knows the
    words far better than the letters."""
    by_key = {key(short): long for short, long in pairs.items()}
    return _CAPITALISED.sub(lambda m: by_key.get(key(m.group()), m.group()), text)
