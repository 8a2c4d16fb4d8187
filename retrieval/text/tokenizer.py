"""Vietnamese tokens for BM25: pyvi words, their syllables, and accent-folded forms.

One sentence gives one bag of terms in a single BM25 vocabulary:
- syllables ("tư", "lệnh") — robust to segmentation mistakes;
- multi-syllable words from pyvi ("tư_lệnh") — reward the right compound;
- folded syllables and words with a "~" prefix ("~tu", "~tu_lenh") — so a question typed
  without diacritics still matches, while exact spellings keep their own, rarer, terms.
Segmentation runs once per sentence at index time; its words are stored, so a restart does not
run it. It is pyvi's, computed by ``retrieval.text.segmenter`` (the same words, ~4× faster).
"""

from __future__ import annotations

import functools
import re
import threading

from retrieval.text.normalize import canonical_tones, clean_unicode, fold_diacritics, has_diacritics
from retrieval.text.segmenter import Segmenter

FOLDED = "~"
_PARTS = re.compile(r"[_\W]+")
_HAS_ALNUM = re.compile(r"[^\W_]")
# pyvi does not join a word that touches punctuation ("hòa bình." -> "hòa bình ."), so each
# punctuation-free span is segmented on its own. Inner marks of numbers and codes stay.
_SPAN_BREAK = re.compile(r"(?:(?<!\d),|,(?!\d)|[;:!?()\[\]{}\"“”‘’«»…]|\.(?!\d)|(?<!\w)[-–—/](?!\w)|\s[-–—]\s)+")


@functools.cache
def _segmenter() -> Segmenter:
    """Built on first use (pyvi's model loads then); stateless: questions are segmented from
    several threads, and two threads building it at once build two equal ones."""
    return Segmenter()


def segment(text: str) -> list[str]:
    """pyvi word segmentation of one sentence, normalised: ["tư_lệnh", "bộ_đội", "là", "ai"]."""
    prepared = canonical_tones(clean_unicode(text))
    letters = [ch for ch in prepared if ch.isalpha()]
    if letters and sum(ch.isupper() for ch in letters) * 2 > len(letters):
        prepared = prepared.lower()  # pyvi finds no words in shouted text ("TƯ LỆNH")
    words: list[str] = []
    for span in _SPAN_BREAK.split(prepared):
        if not _HAS_ALNUM.search(span):
            continue
        segmented = _segmenter().tokenize(span.strip())
        words.extend(w.lower() for w in segmented.split() if _HAS_ALNUM.search(w))
    return words


_TAGGER = threading.Lock()  # pyvi's tagger is one shared model; questions come from several threads


def _tagged(text: str) -> tuple[list[str], list[str]]:
    """pyvi's words of ``text`` ("Bí_thư") and their tags ("N", "Np", "V", …)."""
    from pyvi import ViPosTagger, ViTokenizer  # its model loads on import: only when a question needs it

    with _TAGGER:
        words, tags = ViPosTagger.postagging(ViTokenizer.tokenize(text))
    return list(words), [str(t) for t in tags]


def starts_with_verb(text: str) -> bool:
    """Whether pyvi's tagger reads the first word of a question as a verb ("Áp dụng đến năm
    nào?"): a Vietnamese subject comes before its verb, so such a question has none of its own
    ("Giá vàng hôm nay bao nhiêu?" has). Accented text only: the tagger reads words."""
    text = clean_unicode(text).strip()
    if not has_diacritics(text):
        return False
    tags = _tagged(text)[1]
    return len(tags) > 0 and tags[0] == "V"


def named_before_verb(text: str) -> str | None:
    """``text`` up to its first verb when a name or a number ends it, by pyvi's tagger
    ("Nghị quyết 33-NQ/TW của Bộ Chính trị" of "… Bộ Chính trị nói"; not "Nghị định 100 quy định
    mức" of "… mức phạt"), else None; None too for text typed without accents. A capitalised word
    is part of a name, never a verb ("Xuân Biên phòng")."""
    text = clean_unicode(text).strip()
    if not has_diacritics(text):
        return None
    at, last = 0, ""
    for word, tag in zip(*_tagged(text), strict=True):
        found = text.find(word.replace("_", " "), at)
        if found < 0:
            return None  # pyvi spelt it otherwise: no place to cut
        if tag == "V" and not word[0].isupper():
            return text[:found].strip() if last in ("Np", "Ny", "M") else None
        at, last = found + len(word), tag
    return None


def verb_before(text: str, noun: str) -> str | None:
    """The verb right before ``noun`` in ``text``, lowercase, by pyvi's tagger ("chủ trì" of "…
    Chính uỷ Bộ đội Biên phòng tỉnh chủ trì Hội nghị ra nghị quyết …" for "hội nghị"); None
    when no verb comes right before it, or the text is typed without accents."""
    text = clean_unicode(text).strip()
    if not has_diacritics(text):
        return None
    words, tags = _tagged(text)
    wanted = noun.lower().replace(" ", "_")
    for i in range(1, len(words)):
        if words[i].lower() == wanted and tags[i - 1] == "V" and not words[i - 1][0].isupper():
            return words[i - 1].replace("_", " ")
    return None


_WHAT = re.compile(r"\bgì\b|\b(?:với|cùng) ai\b", re.IGNORECASE)
_WHO_HAD = re.compile(r"^ai\s+(?:được|bị)\s", re.IGNORECASE)  # who had something done to them


def _names(word: str, tag: str) -> bool:
    """Whether a tagged word is a name: pyvi's "Np", or syllables all capitalised, which pyvi
    tags "N" at the start of a question ("Nguyễn_Xuân_Ký khẳng_định gì …")."""
    return tag == "Np" or ("_" in word and all(part[:1].isupper() for part in word.split("_")))


def asked_act(text: str) -> str | None:
    """The verb whose object a question asks of someone it names, lowercase ("khẳng định" of
    "Nguyễn Xuân Ký khẳng định gì về …?", "mong muốn" of "… mong muốn điều gì?"): a compound verb
    right before "(điều / những / cái) gì" after a proper noun, else the compound verb right after
    the proper noun ("lưu ý" of "… Lương Cường lưu ý BĐBP làm tốt công tác gì?", "kết nghĩa" of
    "BĐBP Lai Châu kết nghĩa với ai?"; "phỏng vấn" of "Ai được phỏng vấn về …?"), by pyvi's
    tagger; None for any other question, or one typed without accents."""
    text = clean_unicode(text).strip()
    who_had = _WHO_HAD.match(text) is not None
    if not (who_had or _WHAT.search(text)) or not has_diacritics(text):
        return None
    words, tags = _tagged(text)
    if who_had:  # "Ai được phỏng vấn …?": the answer says it ("… trả lời phỏng vấn …")
        return words[2].replace("_", " ").lower() if len(words) > 2 and tags[2] == "V" and "_" in words[2] else None
    for i, word in enumerate(words):
        if word.lower() != "gì" and not (word.lower() == "ai" and i and words[i - 1].lower() in ("với", "cùng")):
            continue
        j = i - 1 if i > 1 and words[i - 1].lower() in ("điều", "những", "cái") else i
        named = any(map(_names, words[: max(j - 1, 0)], tags))  # what someone named does, says, wants
        if j > 0 and named and tags[j - 1] == "V" and "_" in words[j - 1]:
            return words[j - 1].replace("_", " ").lower()
        # "X lưu ý BĐBP làm tốt công tác gì?": the first verb after the one named
        after = next(
            (k for k in range(1, j) if tags[k] == "V" and _names(words[k - 1], tags[k - 1]) and "_" in words[k]), None
        )
        if after is not None:
            return words[after].replace("_", " ").lower()
    return None


@functools.lru_cache(maxsize=1 << 18)
def syllables(word: str) -> tuple[str, ...]:
    """The parts of one word: "tư_lệnh" -> ("tư", "lệnh"), "33-nq" -> ("33", "nq"). Cached, as
    ``word_terms``."""
    return tuple(p for p in _PARTS.split(word) if p)


@functools.lru_cache(maxsize=1 << 18)
def word_terms(word: str) -> tuple[str, ...]:
    """The BM25 terms of one word (see module docstring). Cached: words repeat (Zipf), so an
    index of 300k sentences makes ~18M lookups for ~200k distinct words."""
    parts = syllables(word)
    terms = [*parts, *(FOLDED + fold_diacritics(p) for p in parts)]
    if len(parts) > 1:
        compound = "_".join(parts)
        terms += [compound, FOLDED + fold_diacritics(compound)]
    return tuple(terms)


def index_terms(words: list[str]) -> list[str]:
    """All BM25 terms of a segmented text, word by word in text order."""
    return [term for word in words for term in word_terms(word)]
