"""Which sentences go on from the sentence before them, read once at build time.

News lists what someone demands one subjectless sentence after another ("Đồng chí Phan Việt
Cường yêu cầu …" then "Phối hợp chặt chẽ với nước bạn Lào …"), announces things and names them in
the next sentence ("… nhiều quyết sách đúng đắn." then "Trong đó có việc chuyển đổi cơ cấu kinh
tế …"), or goes on with a connective ("Đồng thời, quán triệt …"). Such a sentence says what is
asked of the subject the sentence before names: ranking reads it with that one
(``retrieval.index.search``). A sentence goes on when it opens with a lead-in or a connective
(``LIST_LEAD``, ``_CONNECTIVE``) or with a verb, by pyvi's tagger.

pyvi's tagger (``ViPosTagger``) is a linear-chain CRF run through sklearn-crfsuite, which builds a
dict of features a word in Python: ~126 us for a sentence's first words. Here the same weights
(``state_features_``, ``transition_features_``, read once) and the same features give the same
tags, as crfsuite computes them: a string feature is the attribute "name:value" with value 1, a
number (or a bool) the attribute "name" with that value (0 adds nothing); a label's state score
is the sum of weight × value over a word's attributes; the best path by max-sum. Only the first
``_WORDS`` words are tagged: a word's features reach two words either side, and only the first
word's tag is asked. ``tests/test_discourse.py`` compares the tags with pyvi's.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Sequence

import numpy as np

_WORDS = 4
# pyvi's own set (ViPosTagger.filtered_tags): punctuation, an ellipsis and curly quotes
_FILTERED = frozenset(string.punctuation) | {"\u2026", "\u201d", "\u201c", "\u2019", "..."}


class FirstWordTagger:
    """pyvi's tagging model as arrays: a row of weights (one a label) per attribute."""

    def __init__(self) -> None:
        from pyvi.ViPosTagger import ViPosTagger  # the model loads on import: only when a build needs it

        model = ViPosTagger.model
        self.labels: list[str] = list(model.classes_)
        at = {label: i for i, label in enumerate(self.labels)}
        self._row: dict[str, int] = {}
        for attribute, _ in model.state_features_:
            self._row.setdefault(attribute, len(self._row))
        # one more row, of zeros, for an attribute the model has no weight for
        self._weights = np.zeros((len(self._row) + 1, len(self.labels)))
        for (attribute, label), weight in model.state_features_.items():
            self._weights[self._row[attribute], at[label]] = weight
        self._transitions = np.zeros((len(self.labels), len(self.labels)))
        for (before, after), weight in model.transition_features_.items():
            self._transitions[at[before], at[after]] = weight
        self._verb = at["V"]
        self._bos, self._eos = (self._row.get(end, len(self._row)) for end in ("BOS", "EOS"))
        self._cached_vectors = functools.lru_cache(maxsize=1 << 16)(self._vectors)

    def _attributes(self, word: str, offset: int) -> tuple[tuple[int, ...], tuple[float, ...]]:
        """The attribute rows and values pyvi's ``word2features`` gives ``word`` at ``offset``
        from the word tagged (0: its own), those of value 0 (they add nothing) left out."""
        if offset == 0:
            named = [
                ("bias", 1.0),
                (f"word.lower():{word.lower()}", 1.0),
                ("word.istitle()", word.istitle()),
                ("word.isdigit()", word.isdigit()),
                ("word[:1].isdigit()", word[:1].isdigit()),
                ("word[:3].isupper()", word[:3].isupper()),
                ("word.isfiltered", word in _FILTERED),
            ]
        elif offset == -1:
            named = [
                (f"-1:word.lower():{word.lower()}", 1.0),
                ("-1:word.istitle()", word.istitle()),
                ("-1:word[:1].isdigit()", word[:1].isdigit()),
                ("-1:word[:3].isupper()", word[:3].isupper()),
            ]
        elif offset == 1:
            named = [
                (f"+1:word.lower():{word.lower()}", 1.0),
                ("+1:word.istitle()", word.istitle()),
                ("+1:word[:1].isdigit()", word[:1].isdigit()),
                ("+1:word.isupper()", word.isupper()),
            ]
        else:
            sign = "-2" if offset < 0 else "+2"
            named = [
                (f"{sign}:word.lower():{word.lower()}", 1.0),
                (f"{sign}:word.istitle()", word.istitle()),
                (f"{sign}:word.isupper()", word.isupper()),
            ]
        unknown = len(self._row)
        kept = [(self._row.get(name, unknown), float(value)) for name, value in named if value]
        return tuple(r for r, _ in kept), tuple(v for _, v in kept)

    def _vectors(self, word: str) -> np.ndarray:
        """What ``word`` adds to the state scores of a word at each offset from it (-2 … +2):
        the sum of its attributes' weights there, (5, label)."""
        out = np.zeros((5, len(self.labels)))
        for offset in range(-2, 3):
            rows, values = self._attributes(word, -offset)  # a word 2 before the tagged one: its -2 attributes
            out[offset + 2] = np.asarray(values) @ self._weights[list(rows)] if rows else 0.0
        return out

    def _states(self, sentences: list[list[str]], length: int) -> np.ndarray:
        """The state score of each label at each word of sentences of ``length`` words:
        (sentence, word, label). A word's features add up from its own and its neighbours'
        (``_vectors``, once for each distinct word)."""
        known: dict[str, int] = {}
        ids = np.array([[known.setdefault(w, len(known)) for w in words] for words in sentences], dtype=np.int64)
        vectors = np.stack([self._cached_vectors(word) for word in known])  # (word, offset, label)
        states = np.zeros((len(sentences), length, len(self.labels)))
        for i in range(length):
            for j in range(max(i - 2, 0), min(i + 3, length)):
                states[:, i] += vectors[ids[:, j], i - j + 2]
        states[:, 0] += self._weights[self._bos]
        states[:, length - 1] += self._weights[self._eos]
        return states

    def first_tags(self, sentences: list[list[str]]) -> np.ndarray:
        """The tag pyvi gives the first of each sentence's words (as label numbers, in
        ``labels``), read from its first ``_WORDS``; sentences of one length at a time, all at
        once. The first label of the best path is the best of its state plus the best way on
        from it (max-sum from the end): no back-pointers to keep."""
        firsts = [words[:_WORDS] for words in sentences]
        out = np.full(len(firsts), -1)
        for length in range(1, _WORDS + 1):
            which = [s for s, words in enumerate(firsts) if len(words) == length]
            if not which:
                continue
            states = self._states([firsts[s] for s in which], length)
            onward = np.zeros((len(which), len(self.labels)))
            for i in range(length - 1, 0, -1):
                onward = (self._transitions[None] + (states[:, i] + onward)[:, None, :]).max(axis=2)
            out[which] = (states[:, 0] + onward).argmax(axis=1)
        return out

    def open_with_verbs(self, sentences: list[list[str]]) -> np.ndarray:
        """Whether pyvi tags the first of each sentence's words a verb ("V")."""
        return self.first_tags(sentences) == self._verb


@functools.cache
def first_word_tagger() -> FirstWordTagger:
    """One per process, built on first use (~1 s: pyvi's model and its weights)."""
    return FirstWordTagger()


# A sentence that lists what the one before announced: "Có thể kể đến: “…”", "Đó là …", "Trong đó có …"
LIST_LEAD = re.compile(
    r"\s*(?:có thể kể đến|đó là|gồm|bao gồm|cụ thể|tiêu biểu là|điển hình là|như|trong đó)\b", re.IGNORECASE
)
# A connective that goes on with the subject of the sentence before: "Đồng thời, quán triệt …"
_CONNECTIVE = re.compile(
    r"\s*(?:đồng thời|bên cạnh đó|ngoài ra|cùng với đó|qua đó|từ đó|nhờ đó|tiếp đó|sau đó)\b", re.IGNORECASE
)


def goes_on(texts: Sequence[str], words: Sequence[list[str]], first: Sequence[bool]) -> np.ndarray:
    """Whether each sentence goes on from the one before it: a lead-in, a connective or a verb
    first (``words``: the words stored for it), never the ``first`` of its article."""
    said = np.array([bool(LIST_LEAD.match(t) or _CONNECTIVE.match(t)) for t in texts], dtype=bool)
    if len(texts):
        said |= first_word_tagger().open_with_verbs([first_words(t, w) for t, w in zip(texts, words, strict=True)])
    return said & ~np.asarray(first, dtype=bool)


_PIECE = re.compile(r"[^\W_]+|[^\w\s]")  # a syllable, or one mark (pyvi makes each a word)


def first_words(text: str, tokens: list[str]) -> list[str]:
    """A sentence's first words as pyvi's tagger reads them, from the words stored for it
    (``tokens``: lowercase, without punctuation): their capitals and the marks between them
    put back from ``text``, as stored ("Đảng_ủy", ",", "Bộ", "Tư_lệnh"). Where the two do not line up
    (a number or a code written with marks: "33-NQ/TW"), the stored words as they are."""
    pieces = _PIECE.finditer(text)  # as stored: cleaned at ingest
    out: list[str] = []
    piece = next(pieces, None)
    for token in tokens[:_WORDS]:
        while piece is not None and not piece.group()[0].isalnum():
            out.append(piece.group())
            piece = next(pieces, None)
        said = []
        for syllable in token.split("_"):
            if piece is None or piece.group().lower() != syllable:
                return tokens[:_WORDS]
            said.append(piece.group())
            piece = next(pieces, None)
        out.append("_".join(said))
    return out[:_WORDS]
