"""The segmenter against pyvi itself: the same words for every line of the shipped corpora and
every evaluation question, odd text included; its Viterbi against every path of short inputs."""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path

import pytest
from pyvi.ViTokenizer import ViTokenizer

from retrieval.text.segmenter import BEGIN, INSIDE, Segmenter, read_model

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


def _corpus_lines() -> list[str]:
    files = sorted((ROOT / "data").glob("*.txt")) + sorted((ROOT / "bench" / "xquad_vi" / "corpus").glob("*.txt"))
    return [line for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


def _questions() -> list[str]:
    records = [
        json.loads(line)
        for f in sorted((ROOT / "bench").glob("*/*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [r["question"] for r in records if isinstance(r, dict) and isinstance(r.get("question"), str)]


ODD = [
    "",
    "   ",
    "?!...",
    "==> -> >> ...",
    "TƯ LỆNH BỘ ĐỘI BIÊN PHÒNG LÀ AI",
    "tu lenh bo doi bien phong la ai",
    "Tư lệnh Bộ đội Biên phòng là ai?",  # NFD below
    "Ngày 30/4/1975, 1.000.000 người; 3,5% GDP; Tp. HCM; ThS. Nguyễn Văn A; Mr. B",
    "Liên hệ: bbt@bienphong.com.vn hoặc https://www.bienphong.com.vn/tin-tuc?id=1",
    "ΟΔΟΣ ΑΣ Σ σ ς İstanbul ǅ ǈ",  # context-dependent and special lower cases
    "BĐBP, KVBG, NTM và COVID-19 ở xã A Pa Chải",
    "😀 biên giới 😀😀 hòa bình",
    "a" * 3 + " b" * 400,
]


def test_every_corpus_line_is_segmented_as_pyvi_does(segmenter: Segmenter) -> None:
    lines = _corpus_lines()
    assert len(lines) > 300
    assert [segmenter.tokenize(line) for line in lines] == [ViTokenizer.tokenize(line) for line in lines]


def test_every_question_is_segmented_as_pyvi_does(segmenter: Segmenter) -> None:
    questions = _questions()
    assert len(questions) > 300
    assert [segmenter.tokenize(q) for q in questions] == [ViTokenizer.tokenize(q) for q in questions]


@pytest.mark.parametrize("text", [*ODD, __import__("unicodedata").normalize("NFD", ODD[6])])
def test_odd_text_is_segmented_as_pyvi_does(segmenter: Segmenter, text: str) -> None:
    assert segmenter.tokenize(text) == ViTokenizer.tokenize(text)


def test_words_are_joined(segmenter: Segmenter) -> None:
    assert segmenter.tokenize("Tư lệnh Bộ đội Biên phòng") == "Tư_lệnh Bộ_đội Biên_phòng"


def _path_score(segmenter: Segmenter, states: list[tuple[float, float]], labels: tuple[int, ...]) -> float:
    """A path's score as crfsuite's ``crf1dc_score`` adds it."""
    transitions = (segmenter._from_begin, segmenter._from_inside)
    score = states[0][labels[0]]
    for t in range(1, len(states)):
        score += transitions[labels[t - 1]][labels[t]]
        score += states[t][labels[t]]
    return score


def test_state_scores_are_crfsuites(segmenter: Segmenter) -> None:
    """A path's score minus another's is crfsuite's log-probability ratio of the two: every
    feature's weight is in the state scores (a feature left out shifts it by its weight)."""
    tagger = ViTokenizer.model.tagger_
    names = ("B_W", "I_W")
    for line in _corpus_lines()[:40]:
        _, syllables = ViTokenizer.sylabelize(line)
        states = segmenter.state_scores(syllables)
        best = segmenter.best_path(states)
        tagger.set(ViTokenizer.sent2features(syllables, False))
        assert tagger.tag() == [names[label] for label in best]
        best_log_p = math.log(tagger.probability([names[label] for label in best]))
        for t in range(0, len(best), 3):
            other = list(best)
            other[t] = 1 - other[t]
            expected = best_log_p - math.log(tagger.probability([names[label] for label in other]))
            got = _path_score(segmenter, states, tuple(best)) - _path_score(segmenter, states, tuple(other))
            assert got == pytest.approx(expected, abs=1e-6)


def test_best_path_scores_highest_of_all_paths(segmenter: Segmenter) -> None:
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(1, 7)
        states = [(rng.uniform(-4, 4), rng.uniform(-4, 4)) for _ in range(n)]
        best = segmenter.best_path(states)
        assert len(best) == n and set(best) <= {BEGIN, INSIDE}
        top = max(_path_score(segmenter, states, p) for p in itertools.product((BEGIN, INSIDE), repeat=n))
        assert _path_score(segmenter, states, tuple(best)) == top


def test_a_file_that_is_not_a_crfsuite_model_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "model.crfsuite"
    bogus.write_bytes(b"not a model" * 10)
    with pytest.raises(ValueError, match="not a crfsuite"):
        read_model(bogus)
