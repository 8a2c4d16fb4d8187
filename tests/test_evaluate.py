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


@pytest.mark.parametrize(
    ("bench", "data_dir", "semantic", "floor"),
    [
        ("dev", DATA, True, {"hit@1": 0.95, "hit@3": 0.98, "abstained": 0.90}),
        # lexical 0.524 / 0.31: paraphrases, abbreviation questions and near-miss OOD questions
        ("dev2", DATA, True, {"hit@1": 0.72, "mrr@5": 0.79, "abstained": 0.40}),
        # lexical only here (embedding its 1,177 sentences takes a minute); rank-bm25: 0.728 / 0.801
        ("xquad_vi", None, False, {"hit@1": 0.77, "mrr@5": 0.835}),
    ],
)
def test_quality_floor(bench, data_dir, semantic, floor, tmp_path):
    report = asyncio.run(evaluate(ROOT / "bench" / bench, data_dir, db_dir=tmp_path, semantic=semantic))
    metrics = report.metrics()
    for name, minimum in floor.items():
        assert metrics[name] >= minimum, (name, metrics)
    # dev2: 3 of 84 answerable (0.036) on 2026-11-30's machine, 4 (0.048) on 2026-12-01's with the
    # same code (452380c included): one answerable question sits at evidence 0.547 against 0.55.
    assert metrics["wrongly_abstained"] <= 0.05


def test_abbreviation_questions_are_answered_by_their_definition(tmp_path):
    report = asyncio.run(evaluate(ROOT / "bench" / "dev2", DATA, db_dir=tmp_path, semantic=False))
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
