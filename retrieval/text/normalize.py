"""Unicode and spelling normalisation so that every way of typing a word maps to one key.

Users send NFD text, zero-width characters, and both tone placements ("hoà"/"hòa", "thuỷ"/"thủy").
``normalize`` gives the key used for matching; ``fold_diacritics`` gives the accent-free key used
when a question is typed without diacritics ("bo doi bien phong").
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that change nothing for a reader but break matching:
# zero-width space/joiners, LRM/RLM, bidi embeddings and isolates, word joiner, BOM, soft hyphen.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
# Old-style placement puts the tone on the second vowel of an open "oa", "oe", "uy" syllable
# ("hoà", "khoẻ", "thuỷ"); the new style on the first ("hòa", "khỏe", "thủy"). Both are common,
# so we rewrite to the new style. Not after "q": in "quý" the "u" belongs to the consonant.
# Only open syllables: in "hoàng", "khuỳnh" the tone sits on the same letter in both styles.
_OLD_TONE = re.compile(
    rf"(?<![qQ])([oO])([aAeE])([{_TONE_MARKS}])(?![\w\u0300-\u036f])"
    rf"|(?<![qQ])([uU])([yY])([{_TONE_MARKS}])(?![\w\u0300-\u036f])"
)


# Vietnamese letters by case, for patterns: "À-Ỹ" would also take lowercase "đ", "á", "ư" …
_LOWER = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệfghiìíỉĩịjklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvwxyỳýỷỹỵz"
LOWER_LETTER = f"[{_LOWER}]"
UPPER_LETTER = f"[{_LOWER.upper()}]"

_MARKUP = re.compile(r"</?[a-zA-Z][^<>]{0,80}>|[*_`~]{1,3}(?=\S)|(?<=\S)[*_`~]{1,3}")


def strip_markup(text: str) -> str:
    """Drop HTML tags and Markdown emphasis a user pasted: "<b>Tư lệnh</b> **BĐBP**" -> "Tư lệnh BĐBP"."""
    return _MARKUP.sub(" ", text)


def clean_unicode(text: str) -> str:
    """NFC, no invisible or control characters, single spaces; keeps case and punctuation."""
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


# A terminal's escape sequences (CSI "ESC [ … letter", OSC "ESC ] … BEL/ST", and two-character
# ones): whole, so that no "[31m" is left behind once the escape character itself is gone.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|\x9b[0-?]*[ -/]*[@-~]")


def printable(text: str) -> str:
    """Text from outside (a feed's title, a server's error) made safe to print on a terminal or
    show in a chat: escape sequences removed, then ``clean_unicode``."""
    return clean_unicode(_ESCAPES.sub("", text))


def _move_tone(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1) + match.group(3) + match.group(2)
    return match.group(4) + match.group(6) + match.group(5)


def canonical_tones(text: str) -> str:
    """Rewrite old tone placement to the new one: "Uỷ ban hoà bình" -> "Ủy ban hòa bình"."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _OLD_TONE.sub(_move_tone, decomposed))


def normalize(text: str) -> str:
    """The matching key: clean Unicode, canonical tone placement, lowercase."""
    return canonical_tones(clean_unicode(text)).lower()


class _FoldTable(dict[int, str]):
    """``str.translate`` table, filled on first sight of each character: the character without
    its marks ("ệ" -> "e", a lone combining mark -> ""). Indexing folds every word of the corpus,
    so this runs tens of millions of times; a per-character generator was a third of build time."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFD", chr(code))
        value = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        self[code] = value
        return value


_FOLD = _FoldTable({ord("đ"): "d", ord("Đ"): "D"})


# Beyond ASCII, what Vietnamese text holds once decomposed: the combining diacritics U+0300–U+036F
# (all of them combining but the grapheme joiner U+034F) and đ.
_NOT_VIETNAMESE = re.compile("[^\x00-\x7f\u0300-\u034e\u0350-\u036fđĐ]")


def fold_diacritics(text: str) -> str:
    """Strip every diacritic and map đ to d: "Đường biên giới" -> "Duong bien gioi".

    Vietnamese text decomposes to ASCII letters and combining marks, which an ASCII encoding
    drops in one call: 4 us for a 200-character sentence where the per-character table takes
    19 us (a question's answer checks fold ~20 sentences). Other text goes through the table."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    if _NOT_VIETNAMESE.search(decomposed) is None:
        return decomposed.replace("đ", "d").replace("Đ", "D").encode("ascii", "ignore").decode("ascii")
    return unicodedata.normalize("NFC", text.translate(_FOLD))


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese diacritic (so the user typed accents)."""
    return fold_diacritics(text) != text
