"""The evaluation command: its scoring rule, and a quality floor so regressions fail."""

import asyncio
from types import SimpleNamespace

import pytest

from retrieval.evaluate import Outcome, Report, calibrate, evaluate, first_hit, main
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
    ("bench", "data_dir", "floor"),
    [
        ("dev", DATA, {"hit@1": 0.95, "hit@3": 0.98, "abstained": 0.90}),
        ("xquad_vi", None, {"hit@1": 0.77, "mrr@5": 0.835}),  # rank-bm25 baseline: 0.728 / 0.801
    ],
)
def test_quality_floor(bench, data_dir, floor, tmp_path):
    report = asyncio.run(evaluate(ROOT / "bench" / bench, data_dir, db_dir=tmp_path))
    metrics = report.metrics()
    for name, minimum in floor.items():
        assert metrics[name] >= minimum, (name, metrics)
    assert metrics["wrongly_abstained"] <= 0.03


def test_cli_rejects_a_dir_without_questions(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert "no questions.jsonl" in capsys.readouterr().err


def test_calibrate_picks_the_lowest_threshold_with_the_most_abstention():
    answerable = [Outcome("a", True, e, 1) for e in (0.9, 0.8, 0.7, 0.62)]
    unanswerable = [Outcome("o", False, e, None) for e in (0.1, 0.3, 0.52)]
    report = Report("x", 0.5, answerable + unanswerable)
    # 0.55 abstains on all three unanswerable; 0.65 would lose an answerable one (25% > 1%)
    assert calibrate([report]) == 0.55
