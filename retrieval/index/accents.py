"""Diacritics put back into a question typed without them, from the corpus's own words.

pyvi's ``add_accents`` guesses from its own model ("tu lenh bo doi bien phong" -> "Tư lệnh bờ
đời biển phòng"); the index knows the corpus better: each of its words and syllables is a term
with a document frequency. A question's syllables are read as the corpus's words that fold to
them: longer words first (a compound decides its syllables: "bien phong" -> "biên phòng", not
"biển phòng"), the most frequent word where several fold alike ("nam" -> "năm", but "viet nam" ->
"việt nam"). A syllable no term folds to stays as typed.
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
    """A question with its diacritics restored: ``text`` (lowercase), and the share of its
    syllables found among the corpus's words (``known``: 1.0 when every one was)."""

    text: str
    known: float


class AccentRestorer:
    """Folded word -> the corpus's most frequent word that folds to it; built from an index's
    terms (syllables and pyvi compounds joined by "_", lowercase) and their document frequencies."""

    def __init__(self, terms: Iterable[tuple[str, float]]) -> None:
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

    def restore(self, question: str) -> Restored:
        """The question's syllables, each replaced by its spelling in the corpus (see module doc)."""
        syllables = _SYLLABLE.findall(fold_diacritics(question).lower())
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
        return Restored(" ".join(readings[-1][2]).replace("_", " "), known)
