"""Diacritics put back into a question typed without them, from the corpus's own words.

pyvi's ``add_accents`` guesses from its own model ("tu lenh bo doi bien phong" -> "Tư lệnh bờ
đời biển phòng"); the index knows the corpus better: each of its words and syllables is a term
with a document frequency. A question's syllables are read as the corpus's words that fold to
them: longer words first (a compound decides its syllables: "bien phong" -> "biên phòng", not
"biển phòng"), the most frequent word where several fold alike ("nam" -> "năm", but "viet nam" ->
"việt nam"). A syllable no term folds to stays as typed. The corpus's named organisations get
their capitals back ("bộ đội biên phòng" -> "Bộ đội Biên phòng", "bdbp" -> "BĐBP"): the model
and the verdict read capitals as names ("Chính ủy Bộ đội Biên phòng" is the nation's).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.question.query import STOP_ACCENTED
from retrieval.text.normalize import fold_diacritics
from retrieval.text.tokenizer import FOLDED

LONGEST = 4  # syllables in the longest word looked up ("bộ_chỉ_huy_biên_phòng" is read in parts)
_SYLLABLE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Restored:
    """A question with its diacritics restored: ``text`` (lowercase but for the corpus's named
    organisations), and the share of its syllables found among the corpus's
    words (``known``: 1.0 when every one was)."""

    text: str
    known: float


class AccentRestorer:
    """Folded word -> the corpus's most frequent word that folds to it; built from an index's
    terms (syllables and pyvi compounds joined by "_", lowercase) and their document frequencies."""

    def __init__(self, terms: Iterable[tuple[str, float]], names: Iterable[str] = ()) -> None:
        """``names``: phrases spelt with their capitals (an abbreviation and its long form)."""
        df_of: dict[str, float] = {}
        best: dict[str, tuple[bool, float, str]] = {}
        for term, df in terms:
            if not term.startswith(FOLDED):
                df_of[term] = df
                key = fold_diacritics(term)
                if (False, df) > best.get(key, (False, 0.0, ""))[:2]:
                    best[key] = (False, df, term)
        # A question's own words (interrogatives, function words) come first for their spelling:
        # articles seldom ask "bao nhiêu", and a lone "ve" in a question is "về", not "vệ".
        for phrase in STOP_ACCENTED:
            word = "_".join(phrase)
            key, df = fold_diacritics(word), df_of.get(word, 0.0)
            if (True, df) > best.get(key, (False, 0.0, ""))[:2]:
                best[key] = (True, df, word)
        self._best = {key: (df, word) for key, (_, df, word) in best.items()}
        cased = {name.lower(): name for name in names if name != name.lower()}
        self._names = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(cased, key=len, reverse=True))) + r")(?!\w)")
            if cased
            else None
        )
        self._cased = cased

    def restore(self, question: str) -> Restored:
        """The question's syllables, each replaced by its spelling in the corpus (see module doc);
        what is between them stays (lowercase)."""
        folded = fold_diacritics(question).lower()
        spans = [m.span() for m in _SYLLABLE.finditer(folded)]
        syllables = [folded[a:b] for a, b in spans]
        if not syllables:
            return Restored("", 0.0)
        # The best reading of the first i syllables: (syllables inside words of two or more, sum
        # of the words' log document frequencies, the words). Compounds first, then frequency.
        readings: list[tuple[int, float, list[str]]] = [(0, 0.0, [])]
        for end in range(1, len(syllables) + 1):
            options = []
            for length in range(1, min(LONGEST, end) + 1):
                joined, logs, words = readings[end - length]
                found = self._best.get("_".join(syllables[end - length : end]))
                if found is not None:
                    df, word = found
                    options.append((joined + (length if length > 1 else 0), logs + math.log1p(df), [*words, word]))
                elif length == 1:
                    options.append((joined, logs, [*words, syllables[end - 1]]))
            readings.append(max(options, key=lambda option: option[:2]))
        known = sum(syllable in self._best for syllable in syllables) / len(syllables)
        spelt = [syllable for word in readings[-1][2] for syllable in word.split("_")]
        pieces, at = [], 0  # each syllable spelt in its place: "27-3", "33-NQ/TW" and "?" stay
        for (a, b), syllable in zip(spans, spelt, strict=True):
            pieces += [folded[at:a], syllable]
            at = b
        text = "".join([*pieces, folded[at:]]).strip()
        if self._names is not None:
            text = self._names.sub(lambda m: self._cased[m.group()], text)
        return Restored(text, known)

    def restore_cased(self, text: str, prefer: str = "") -> str | None:
        """``text`` with its diacritics restored and its own capitals kept ("Nguyen Xuan Ky phat
        bieu" -> "Nguyễn Xuân Ký phát biểu"), or None unless every syllable was found: an earlier
        turn typed without accents, read again for a follow-up typed with them. A name of two
        syllables or more that ``prefer`` (the answer that turn got) writes is spelt as it is
        there: a name is rarer than the words that fold alike ("Anh Tuấn", not "anh tuần")."""
        stripped = text.strip()
        restored = self.restore(stripped)
        if restored.known < 1.0 or len(restored.text) != len(stripped):
            return None
        spelt = list(restored.text)
        spans = [m.span() for m in _SYLLABLE.finditer(restored.text)]
        for a, b in spans:  # an abbreviation typed in capitals stays, unless the corpus spells it ("BĐBP")
            if len(stripped[a:b]) > 1 and stripped[a:b].isupper() and not restored.text[a:b].isupper():
                spelt[a:b] = stripped[a:b]
        folded = [fold_diacritics(restored.text[a:b]).lower() for a, b in spans]
        names = [m.group() for m in _SYLLABLE.finditer(prefer)]
        names_folded = [fold_diacritics(w).lower() for w in names]
        for i in range(len(spans)):
            for run in (folded[i : i + n] for n in (4, 3, 2)):
                at, n = _find(names_folded, run), len(run)
                if at is not None and all(w[0].isupper() for w in names[at : at + n]):
                    for (a, b), word in zip(spans[i : i + n], names[at : at + n], strict=True):
                        if b - a == len(word):
                            spelt[a:b] = word.lower()
                    break
        return "".join(r.upper() if t.isupper() else r for r, t in zip(spelt, stripped, strict=True))


def _find(words: list[str], run: list[str]) -> int | None:
    """Where ``run`` (two words or more) starts in ``words``, or None."""
    if len(run) < 2:
        return None
    return next((i for i in range(len(words) - len(run) + 1) if words[i : i + len(run)] == run), None)
