"""pyvi's word segmentation, computed faster: the same model, the same features, the same words.

pyvi (``ViTokenizer.tokenize``) tags each syllable B_W (begins a word) or I_W (inside one) with
a linear-chain CRF (crfsuite, through sklearn-crfsuite). Per syllable it builds a dict of ~15
features in Python, and crfsuite turns each into a string ("word.lower():biên") and looks it
up: ~30 us a syllable here, two thirds of a cold build's time. This module reads pyvi's own
model file (its weights, bit for bit) and computes what crfsuite computes:

- state score of label y at syllable i: crfsuite adds ``weight(attribute, y) * value`` over the
  item's attributes in their order (``crf1dt_state_score``), value 1 for a string feature and
  for a true one, 0 (nothing added) for a false one. The first five attributes are the syllable's
  own (bias, its lower form, isupper, istitle, isdigit): their sum from 0 is the same float
  whatever the neighbours, so it is kept per syllable; the neighbours' are added one at a time,
  in pyvi's order, as crfsuite adds them (float addition is not associative).
- Viterbi over the two labels in the log domain (``crf1dc_viterbi``), ties to the lower label.

The per-syllable parts are cached (a news corpus has ~20k distinct syllables), so a syllable
costs a few dict lookups and float additions. ``tests/test_segmenter.py`` compares every word
with pyvi's on the corpus and on odd text; bench/README.md gives the measured rates.
"""

from __future__ import annotations

import itertools
import string
import struct
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

BEGIN, INSIDE = 0, 1  # label ids in pyvi's model ('B_W', 'I_W'; checked when it is read)
_FEATURE = np.dtype([("type", "<u4"), ("source", "<u4"), ("target", "<u4"), ("weight", "<f8")])
_STATE, _TRANSITION = 0, 1


def _cqdb_strings(model: bytes, begin: int) -> list[str]:
    """The strings of a crfsuite string table (CQDB) by id: its backward array gives each
    record's offset; a record is (id, size with the NUL, bytes)."""
    _, _, _, _, count, backward = struct.unpack_from("<4sIIIII", model, begin)
    strings = []
    for sid, offset in enumerate(struct.unpack_from(f"<{count}I", model, begin + backward)):
        stored, size = struct.unpack_from("<II", model, begin + offset)
        if stored != sid:
            raise ValueError("unexpected crfsuite model layout")
        strings.append(model[begin + offset + 8 : begin + offset + 7 + size].decode("utf-8"))
    return strings


def read_model(path: Path) -> tuple[dict[str, tuple[float, float]], tuple[tuple[float, float], ...]]:
    """A crfsuite CRF1d model file (format: crfsuite's ``crf1d_model.c``): each attribute's
    (B_W, I_W) weights and the transition weights [from][to], as float64s, exactly as stored."""
    model = path.read_bytes()
    magic, _, kind, _, _, labels_count, _, features_at, labels_at, attributes_at, _, _ = struct.unpack_from(
        "<4sI4sIIIIIIIII", model, 0
    )
    if magic != b"lCRF" or kind != b"FOMC":
        raise ValueError(f"{path}: not a crfsuite CRF1d model")
    if _cqdb_strings(model, labels_at) != ["B_W", "I_W"] or labels_count != 2:
        raise ValueError(f"{path}: not pyvi's labels")
    attributes = _cqdb_strings(model, attributes_at)
    _, _, count = struct.unpack_from("<4sII", model, features_at)
    features = np.frombuffer(model, dtype=_FEATURE, count=count, offset=features_at + 12)
    weights: dict[str, list[float]] = {}
    transitions = [[0.0, 0.0], [0.0, 0.0]]
    for kind_, source, target, weight in features.tolist():
        if kind_ == _STATE:
            weights.setdefault(attributes[source], [0.0, 0.0])[target] = weight
        elif kind_ == _TRANSITION:
            transitions[source][target] = weight
    return {name: (w[0], w[1]) for name, w in weights.items()}, (tuple(transitions[0]), tuple(transitions[1]))


_NONE = (0.0, 0.0)


@cache
def pyvi_tokenizer() -> Any:
    """pyvi's ``ViTokenizer`` class, imported on first use: loading its model costs about a
    second, which the commands that never segment (``feeds list``, ``backup``) need not pay."""
    from pyvi.ViTokenizer import ViTokenizer

    return ViTokenizer


class Segmenter:
    """``tokenize(text)`` returns what ``ViTokenizer.tokenize(text)`` returns (words joined by
    "_", separated by spaces). Stateless once built: safe from any thread."""

    def __init__(self, model_path: Path | None = None) -> None:
        pyvi = pyvi_tokenizer()
        self._bigrams, self._trigrams, self._sylabelize = pyvi.bi_grams, pyvi.tri_grams, pyvi.sylabelize
        path = model_path or Path(pyvi.model.modelfile.name)
        self._weights, (self._from_begin, self._from_inside) = read_model(path)
        get = self._weights.get
        self._bias = get("bias", _NONE)
        self._previous_bigram = get("-1:word.bi_gram()", _NONE)
        self._previous_trigram = get("-2:word.tri_gram()", _NONE)
        self._next_bigram = get("+1:word.bi_gram()", _NONE)
        self._next_trigram = get("+2:word.tri_gram()", _NONE)
        self._syllable = lru_cache(maxsize=1 << 16)(self._syllable_parts)

    def _syllable_parts(self, syllable: str) -> tuple:
        """What a syllable adds, for B_W and I_W: its own attributes summed from 0 (in pyvi's
        order: bias, lower, isupper, istitle, isdigit); the weights it gives as the previous
        syllable and as the next (lower, istitle, isupper: B_W's three, then I_W's); its lower form."""
        get = self._weights.get
        lower, upper, title = syllable.lower(), syllable.isupper(), syllable.istitle()
        own_b, own_i = self._bias
        for name, held in (
            (f"word.lower():{lower}", True),
            ("word.isupper()", upper),
            ("word.istitle()", title),
            ("word.isdigit()", syllable.isdigit()),
        ):
            if held and (w := get(name)) is not None:
                own_b += w[0]
                own_i += w[1]

        def neighbour(side: str) -> tuple[float, ...]:
            weights = (
                get(f"{side}:word.lower():{lower}", _NONE),
                get(f"{side}:word.istitle()", _NONE) if title else _NONE,
                get(f"{side}:word.isupper()", _NONE) if upper else _NONE,
            )
            return tuple(w[0] for w in weights) + tuple(w[1] for w in weights)

        return own_b, own_i, neighbour("-1"), neighbour("+1"), lower

    def labels(self, syllables: list[str]) -> list[int]:
        """BEGIN or INSIDE for each syllable, as pyvi's CRF tags them."""
        return self.best_path(self.state_scores(syllables))

    def state_scores(self, syllables: list[str]) -> list[tuple[float, float]]:
        """Each syllable's (B_W, I_W) state score, added up as crfsuite adds it."""
        n = len(syllables)
        parts = [self._syllable(s) for s in syllables]
        lower = [p[4] for p in parts]
        # pyvi looks up " ".join(words).lower(); lowering each syllable first gives the same
        # string (str.lower is per character but for a final sigma, which a space ends either way).
        bigrams, trigrams = self._bigrams, self._trigrams
        pair = [f"{a} {b}" in bigrams for a, b in itertools.pairwise(lower)]
        triple = [f"{a} {b} {c}" in trigrams for a, b, c in zip(lower, lower[1:], lower[2:], strict=False)]
        previous_bigram, previous_trigram = self._previous_bigram, self._previous_trigram
        next_bigram, next_trigram = self._next_bigram, self._next_trigram
        states = []
        for i in range(n):
            state_b, state_i = parts[i][0], parts[i][1]
            # The previous syllable's attributes (lower, istitle, isupper, bigram, trigram), then
            # the next one's, each added on its own: the order crfsuite adds them in.
            for neighbour, side, with_pair, bigram, with_triple, trigram in (
                (i - 1, 2, i > 0 and pair[i - 1], previous_bigram, i > 1 and triple[i - 2], previous_trigram),
                (i + 1, 3, i < n - 1 and pair[i], next_bigram, i < n - 2 and triple[i], next_trigram),
            ):
                if not 0 <= neighbour < n:
                    continue
                b1, b2, b3, i1, i2, i3 = parts[neighbour][side]
                state_b += b1
                state_b += b2
                state_b += b3
                state_i += i1
                state_i += i2
                state_i += i3
                if with_pair:
                    state_b += bigram[0]
                    state_i += bigram[1]
                if with_triple:
                    state_b += trigram[0]
                    state_i += trigram[1]
            states.append((state_b, state_i))
        return states

    def best_path(self, states: list[tuple[float, float]]) -> list[int]:
        """The labels of the best-scoring path (Viterbi, crfsuite's ``crf1dc_viterbi``): state
        scores plus transition weights, a tie going to the lower label (B_W)."""
        (t_bb, t_bi), (t_ib, t_ii) = self._from_begin, self._from_inside
        score_b, score_i = states[0]
        back: list[tuple[int, int]] = []
        for state_b, state_i in states[1:]:
            via_b, via_i = score_b + t_bb, score_i + t_ib
            from_b, into_b = (INSIDE, via_i) if via_b < via_i else (BEGIN, via_b)
            via_b, via_i = score_b + t_bi, score_i + t_ii
            from_i, into_i = (INSIDE, via_i) if via_b < via_i else (BEGIN, via_b)
            back.append((from_b, from_i))
            score_b, score_i = into_b + state_b, into_i + state_i
        label = INSIDE if score_b < score_i else BEGIN
        labels = [label]
        for step in reversed(back):
            label = step[label]
            labels.append(label)
        labels.reverse()
        return labels

    def tokenize(self, text: str) -> str:
        """``ViTokenizer.tokenize(text)``: its syllables (its own ``sylabelize``), tagged here,
        joined by its rules (no word across punctuation, digits, or into a capitalised syllable)."""
        _, syllables = self._sylabelize(text)
        if not syllables:
            return text
        labels = self.labels(syllables)
        out = [syllables[0]]
        punctuation = string.punctuation
        for i in range(1, len(syllables)):
            here, before = syllables[i], syllables[i - 1]
            joined = (
                labels[i] == INSIDE
                and here not in punctuation
                and before not in punctuation
                and not here[0].isdigit()
                and not before[0].isdigit()
                and not (here[0].istitle() and not before[0].istitle())
            )
            out.append("_" if joined else " ")
            out.append(here)
        return "".join(out)
