"""The evaluation command: its scoring rule, and a quality floor so regressions fail."""

import asyncio
from types import SimpleNamespace

import pytest

from retrieval.evaluate import Outcome, Report, calibrate, evaluate, first_hit, in_split, main
from tests.conftest import DATA, ROOT


def _answer(sentence, doc="a.txt"):
    return SimpleNamespace(sentence=sentence, doc=doc)


def test_first_hit_needs_the_right_doc_and_the_answer_text():
    answers = [
        _answer("Không liên quan.", "a.txt"),
        _answer("Đạt 3,1  TỶ USD.", "b.txt"),
        _answer("3,1 tỷ USD", "a.txt"),
    ]
    assert first_hit(answers, ["3,1 tỷ USD"], "a.txt") == 3
    assert first_hit(answers, ["3,1 tỷ usd"], None) == 2
    assert first_hit(answers, ["không có"], None) is None


def test_metrics_apply_the_threshold():
    report = Report("x", 0.5, [Outcome("a", True, 0.9, 1), Outcome("a", True, 0.4, 1), Outcome("o", False, 0.3, None)])
    m = report.metrics()
    assert m["hit@1"] == 0.5 and m["wrongly_abstained"] == 0.5 and m["abstained"] == 1.0
    assert report.metrics(0.0)["hit@1"] == 1.0 and report.metrics(0.0)["abstained"] == 0.0


# Floors a little under today's values (bench/README.md), for the whole set and for each half of its
# articles: "tune" (where the weights were chosen) and "test" (held out from that choice).
@pytest.mark.parametrize(
    ("bench", "data_dir", "semantic", "floors"),
    [
        ("dev", DATA, True, {None: {"hit@1": 0.95, "hit@3": 0.98, "abstained": 0.90}}),
        # the verdict's set: near misses and small talk declined, right answers replied to as such
        ("dev3", DATA, True, {None: {"hit@1": 0.88, "answer_when_right": 0.97, "declined": 0.94},
                              "tune": {"hit@1": 0.89, "declined": 0.93}, "test": {"declined": 0.95}}),
        # written before measuring, then its misses fixed by principle: a regression guard
        ("dev5", DATA, True, {None: {"hit@1": 0.85, "answer_when_right": 0.97, "declined": 0.95}}),
        ("dev6", DATA, True, {None: {"hit@1": 0.99, "answer_when_right": 0.97, "declined": 0.97}}),
        ("dev7", DATA, True, {None: {"hit@1": 0.87, "answer_when_right": 0.97, "declined": 0.9}}),
        ("dev8", DATA, True, {None: {"hit@1": 0.83, "answer_when_right": 0.97, "declined": 0.88}}),
        ("dev9", DATA, True, {None: {"hit@1": 0.99, "answer_when_right": 0.97, "declined": 0.95}}),
        ("dev10", DATA, True, {None: {"hit@1": 0.74, "answer_when_right": 0.97, "declined": 0.95}}),
        ("dev11", DATA, True, {None: {"hit@1": 0.99, "answer_when_right": 0.97, "declined": 0.8}}),
        ("dev12", DATA, True, {None: {"hit@1": 0.99, "answer_when_right": 0.97, "declined": 0.85}}),
        ("dev13", DATA, True, {None: {"hit@1": 0.39, "answer_when_right": 0.97, "declined": 0.95}}),
        ("dev14", DATA, True, {None: {"hit@1": 0.66, "answer_when_right": 0.97, "declined": 0.95}}),
        ("dev15", DATA, True, {None: {"hit@1": 0.79, "answer_when_right": 0.97, "declined": 0.9}}),
        ("dev16", DATA, True, {None: {"hit@1": 0.99, "answer_when_right": 0.97, "declined": 0.95}}),
        ("dev17", DATA, True, {None: {"hit@1": 0.99, "answer_when_right": 0.97, "declined": 0.95}}),
        ("dev18", DATA, True, {None: {"hit@1": 0.49, "answer_when_right": 0.97, "declined": 0.9}}),
        ("dev19", DATA, True, {None: {"hit@1": 0.83, "answer_when_right": 0.97, "declined": 0.95}}),
        ("dev20", DATA, True, {None: {"hit@1": 0.74, "answer_when_right": 0.97, "declined": 0.95}}),
        # lexical 0.702 / 0.31: paraphrases, abbreviation questions and near-miss OOD questions
        ("dev2", DATA, True, {None: {"hit@1": 0.79, "mrr@5": 0.83, "abstained": 0.40, "declined": 0.65},
                              "tune": {"hit@1": 0.82}, "test": {"hit@1": 0.72}}),
        # with the model: the headline number (embedding its 1,177 sentences takes a minute)
        ("xquad_vi", None, True, {None: {"hit@1": 0.80, "mrr@5": 0.86, "answer_when_right": 0.93},
                                  "tune": {"hit@1": 0.76, "mrr@5": 0.84}, "test": {"hit@1": 0.84, "mrr@5": 0.89}}),
        # and without it; rank-bm25 over regex sentences: 0.728 / 0.801
        ("xquad_vi", None, False, {None: {"hit@1": 0.77, "mrr@5": 0.835}}),
    ],
)  # fmt: skip
def test_quality_floor(bench, data_dir, semantic, floors, eval_db_dir):
    report = asyncio.run(evaluate(ROOT / "bench" / bench, data_dir, db_dir=eval_db_dir, semantic=semantic))
    for half, floor in floors.items():
        metrics = report.metrics(half=half)
        for name, minimum in floor.items():
            assert metrics[name] >= minimum, (half, name, metrics)
    # dev2: 3 of 84 answerable (0.036) on 2026-11-30's machine, 4 (0.048) on 2026-12-01's with the
    # same code (452380c included): one answerable question sits at evidence 0.547 against 0.55.
    assert report.metrics()["wrongly_abstained"] <= 0.05


def test_abbreviation_questions_are_answered_by_their_definition(eval_db_dir):
    report = asyncio.run(evaluate(ROOT / "bench" / "dev2", DATA, db_dir=eval_db_dir, semantic=False))
    assert report.metrics(kind="abbreviation")["hit@1"] == 1.0  # lexical 0.111 before definitions were used


def test_split_keeps_whole_articles_apart():
    questions = [{"id": f"q{i}", "doc": doc} for i, doc in enumerate(["a", "b", "c", "a", None, None])]
    docs = ["a", "b", "c"]
    tune = [q for q in questions if in_split(q, docs, "tune")]
    test = [q for q in questions if in_split(q, docs, "test")]
    assert sorted(q["id"] for q in tune + test) == sorted(q["id"] for q in questions)
    assert {q["doc"] for q in tune} & {q["doc"] for q in test} <= {None}


def test_cli_rejects_a_dir_without_questions(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert "no questions.jsonl" in capsys.readouterr().err


def test_calibrate_picks_the_lowest_threshold_with_the_most_abstention():
    answerable = [Outcome("a", True, e, 1) for e in (0.9, 0.8, 0.7, 0.62)]
    unanswerable = [Outcome("o", False, e, None) for e in (0.1, 0.3, 0.52)]
    report = Report("x", 0.5, answerable + unanswerable)
    # 0.55 abstains on all three unanswerable; 0.65 would lose an answerable one (25% > 1%)
    assert calibrate([report]) == 0.55


def test_a_semantic_run_without_its_vectors_fails_instead_of_reporting_lexical_numbers(tmp_path, monkeypatch, capsys):
    """Before: a model that did not load printed one line on stderr and the lexical numbers came
    out as the semantic run's."""
    import retrieval.evaluate as evaluation

    monkeypatch.setattr(evaluation, "shared_encoder", lambda: None)
    monkeypatch.setattr(evaluation, "ROOT", tmp_path)  # its cache: not the real var/eval
    (tmp_path / "bench").symlink_to(ROOT / "bench")
    assert main([str(ROOT / "bench" / "dev"), "--data-dir", str(DATA)]) == 1
    assert "the semantic run is incomplete (no model)" in capsys.readouterr().err
    assert main([str(ROOT / "bench" / "dev"), "--data-dir", str(DATA), "--lexical", "--json"]) == 0


def test_halves_come_from_one_run_and_add_up():
    outcomes = [Outcome("a", True, 0.9, 1, "tune"), Outcome("a", True, 0.9, None, "test"), Outcome("a", True, 0.9, 2)]
    report = Report("x", 0.5, outcomes)
    assert report.metrics(half="tune")["questions"] == 2 and report.metrics(half="test")["hit@1"] == 0.0


# Each ingredient, on the sets where its loss shows (the ablation table): switched off alone, it
# must lose at least one question's worth of hit@1 + MRR@5 there. Dev2 + dev for the lexical and
# abstention ingredients; the tune half of xquad_vi's articles (where the fusion weights were
# chosen) for those of the fusion, which the small sets no longer tell apart. Lesser ones are held
# by their smallest case: answer type, coverage, the counted bonus and a stated answer moved first
# in tests/test_index.py (test_each_sentence_ranking_ingredient_decides_a_case), BM25Plus there too
# (a commoner word never weighs more), sentence b = 0.3 by the national Chính ủy's long sentence in
# tests/test_conversation.py; accent restoration by the unaccented twin of a paraphrase in
# tests/test_semantic.py.
DEV = (("dev2", DATA, None), ("dev", DATA, None))
XQUAD_TUNE = (("xquad_vi", None, "tune"),)
TESTED_INGREDIENTS = {
    "semantic: sentence only (no passage context)": XQUAD_TUNE,
    "semantic: z-score fusion": XQUAD_TUNE,
    "semantic: reciprocal rank fusion": DEV,
    "abstention without the model's evidence": DEV,
    "no passage score in sentence ranking": XQUAD_TUNE,
    "no abbreviation expansion": DEV,
    "no title in passages": DEV,
    "the best sentence kept when a close one states the answer": XQUAD_TUNE,
}


@pytest.fixture(scope="module")
def ablation_score(eval_db_dir):
    """hit@1 + MRR@5, in questions, of a configuration over some sets (vectors embedded once)."""
    import functools
    from dataclasses import replace

    from retrieval.evaluate import ABLATIONS
    from retrieval.index.ranking import RankingConfig

    @functools.cache
    def score(name: str, sets: tuple) -> float:
        config = replace(RankingConfig(), **ABLATIONS[name])  # type: ignore[arg-type]
        total = 0.0
        for bench, data, half in sets:
            report = asyncio.run(evaluate(ROOT / "bench" / bench, data, config, db_dir=eval_db_dir, split=half))
            m = report.metrics()
            total += (m["hit@1"] + m["mrr@5"]) * m["questions"]
        return total

    return score


@pytest.mark.parametrize("ingredient", TESTED_INGREDIENTS)
def test_each_ranking_ingredient_earns_its_place(ablation_score, ingredient):
    """Switching the ingredient off loses at least one question's worth on its sets."""
    sets = TESTED_INGREDIENTS[ingredient]
    assert ablation_score("all ingredients (default)", sets) - ablation_score(ingredient, sets) >= 1.0


def test_the_threshold_is_chosen_on_the_tune_half_and_reported_on_the_test_half():
    from retrieval.evaluate import held_out_calibration

    tune = [Outcome("a", True, 0.9, 1, "tune"), Outcome("o", False, 0.5, None, "tune")]
    test = [Outcome("a", True, 0.58, 1, "test"), Outcome("o", False, 0.52, None, "test")]
    line = held_out_calibration([Report("x", 0.55, tune + test)])
    # the tune half alone allows 0.55 (its answerable question sits at 0.9); on the test half
    # that abstains on the unanswerable one and keeps the answerable one
    assert line == (
        "Chosen on the tune halves: 0.55; on the test halves at 0.55: "
        "x: 0.000 answerable abstained, 1.000 unanswerable abstained"
    )


# (set, follow-ups in context, unanswerable follow-ups declined, with the model)
@pytest.mark.parametrize(
    ("bench", "floor", "declined_floor", "semantic"),
    [
        ("conversations", 0.95, 1.0, False),
        ("dev3", 0.80, 1.0, False),
        ("dev3", 0.90, 1.0, True),
        ("dev4", 0.85, 1.0, False),  # "Giá vàng hôm nay bao nhiêu?" is no follow-up of a figure
        ("dev4", 0.92, 1.0, True),
        ("dev5", 0.95, 1.0, False),
        ("dev6", 0.85, 1.0, False),
        ("dev7", 0.85, 0.0, False),  # "Ở đâu?" of a meeting no sentence places: left (bench/README.md)
        ("dev8", 0.95, 1.0, False),
        ("dev9", 0.90, 1.0, False),
        ("dev10", 0.65, 1.0, False),
        ("dev11", 0.95, 1.0, False),
        ("dev12", 0.90, 1.0, False),
        ("dev13", 0.90, 1.0, False),
        ("dev14", 0.70, 1.0, False),
        ("dev15", 0.95, 1.0, False),
        ("dev16", 0.85, 1.0, False),
        ("dev17", 0.95, 1.0, False),
        ("dev18", 0.9, 1.0, False),
        ("dev19", 0.7, 1.0, False),
        ("dev20", 0.75, 1.0, False),
    ],
)
def test_follow_ups_in_context_keep_their_floor(bench, floor, declined_floor, semantic, eval_db_dir):
    """Follow-ups asked in context (lexical: no model to wait for), and context never bending a
    question that stands alone. dev3 holds the shapes added with the verdicts (a bare "Ông …",
    "ông ấy" after "Ai …?", fragments, "Còn X?" after an abbreviation question): 0.524 before;
    dev4 the shapes found by asking the console ("Còn X?" after "Ai là Y?", a title of another
    length, a subject-less "Được …?"), written after their rules (bench/dev4/README.md); with the
    model, "Ban hành ngày nào?" is read both ways and the better-supported reading kept; dev5 the
    shapes of a set written before it was run (a possessive "của ông ấy", "Còn ở Lai Châu?")."""
    from retrieval.evaluate import evaluate_conversations

    dev, bench_dir = ROOT / "bench" / "dev", ROOT / "bench" / bench
    scores = asyncio.run(evaluate_conversations(bench_dir, DATA, dev, db_dir=eval_db_dir, semantic=semantic))
    follow_ups = next(v for k, v in scores.items() if k.startswith("follow-ups: in context"))
    assert follow_ups >= floor, scores
    declined = next((v for k, v in scores.items() if k.startswith("unanswerable follow-ups: in context")), 1.0)
    assert declined >= declined_floor, scores
    alone = next(v for k, v in scores.items() if k.startswith("dev alone"))
    assert next(v for k, v in scores.items() if k.startswith("dev in one conversation")) == alone


def test_the_stored_vectors_are_the_models_own():
    """bench/vectors.npz stands in for the model in the evaluation (the floors above would embed
    1,311 sentences and 1,579 questions, two minutes): a sample of it re-embedded today must come
    out the same. A file of another model, or of vectors moved to other texts, fails here."""
    import random

    import numpy as np

    from retrieval.evaluate import StoredVectors
    from retrieval.index.semantic import Encoder

    live, stored = Encoder.load(), StoredVectors.load()
    assert live is not None and stored is not None
    assert len(stored.sentences) >= 1311 and len(stored.questions) >= 1579  # every set's, xquad_vi's included
    rng = random.Random(0)
    sentences = rng.sample(sorted(stored.sentences), 8)
    questions = rng.sample(sorted(stored.questions), 8)
    pairs = [*zip([stored.sentences[t] for t in sentences], live.passages(sentences), strict=True)]
    pairs += [(stored.questions[t], live.query(t)) for t in questions]
    cosines = [float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)) for a, b in pairs]
    assert min(cosines) >= 0.9995, cosines  # measured: 0.99998 (int8 sentences), 1.0 (float16 questions)


def test_a_run_gives_the_same_vectors_whether_they_were_stored_or_computed(tmp_path, monkeypatch):
    """Vectors are rounded as they would be stored, so that a run's numbers never depend on what
    the file held; and a saved file gives back exactly what was used."""
    import numpy as np

    import retrieval.evaluate as evaluation

    monkeypatch.setattr(evaluation, "VECTORS", tmp_path / "vectors.npz")
    first = evaluation.StoredVectors.load()
    assert first is not None and not first.sentences
    texts = ["Bộ đội Biên phòng tuần tra biên giới.", "Đồn Biên phòng Pò Hèn."]
    computed, question = first.passages(texts), first.query("Ai tuần tra biên giới?")
    assert np.array_equal(first.passages(texts[::-1]), computed[::-1])  # the second time: from memory
    first.save()
    second = evaluation.StoredVectors.load()
    assert second is not None and set(second.sentences) == set(texts)
    assert np.array_equal(second.passages(texts), computed)
    assert np.array_equal(second.query("Ai tuần tra biên giới?"), question)
