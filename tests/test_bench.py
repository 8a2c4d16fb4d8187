"""The benchmark's parts: the corpus generator, the one-article edit, and a whole (small) run."""

import json

import bench.scale as scale
from bench.generate import generate
from retrieval.corpus import read_file, scan_data_dir


def test_generated_corpora_are_deterministic_readable_and_sized(tmp_path):
    assert generate(503, tmp_path / "a") == 101  # 5 passages per article, the last one short
    generate(503, tmp_path / "b")
    files = sorted((tmp_path / "a").glob("*.jsonl"))
    assert [f.read_bytes() for f in files] == [f.read_bytes() for f in sorted((tmp_path / "b").glob("*.jsonl"))]
    [entry] = scan_data_dir(tmp_path / "a")
    content = read_file(entry)
    articles = content.articles
    assert len(articles) == 101 and not content.warnings
    assert sum(len(a.paragraphs) for a in articles) == 503
    assert all(a.title and a.date for a in articles)


def test_edit_article_changes_one_line_and_returns_the_file_as_it_was(tmp_path):
    generate(50, tmp_path)
    [path] = tmp_path.glob("*.jsonl")
    before = path.read_bytes()
    assert scale.edit_article(path, 1) == before
    old, new = before.decode().splitlines(), path.read_text(encoding="utf-8").splitlines()
    assert len(old) == len(new) and [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b] == [1]
    assert json.loads(new[1])["text"].startswith(json.loads(old[1])["text"] + "\n")


def test_the_scale_benchmark_measures_a_small_corpus_and_restores_it(tmp_path, monkeypatch):
    monkeypatch.setattr(scale, "WORK", tmp_path)
    data = scale.corpus(500)
    before = {f.name: f.read_bytes() for f in data.glob("*.jsonl")}
    m = scale.measure(500, questions_asked=200)
    assert {f.name: f.read_bytes() for f in data.glob("*.jsonl")} == before
    assert m["passages"] == 500 and m["p50_ms"] <= m["p99_ms"] and m["rss_mb"] > 0
    assert m["plain_p50_ms"] > 0  # the same questions timed without the verdict and the restoration
    assert all(m[key] > 0 for key in ("cold_s", "warm_s", "changed_s", "reload_s"))
    assert m["changed_saved_s"] >= m["changed_s"] and m["reload_saved_s"] >= m["reload_s"]
    run, phase = m["loop_lag"][1].split(", ")
    assert run in {"cold", "warm", "changed"} and phase in {"opening", "saving", "questions", "reloading"}
    assert 0 <= m["loop_lag_unstolen_ms"] <= m["loop_lag"][0]  # the longest of some of the same waits
    assert 0 <= m["cold_loop_lag"][1] <= m["cold_loop_lag"][0] <= m["loop_lag"][0]  # one of those runs


def test_the_semantic_benchmark_estimates_big_sizes_with_stored_random_vectors(tmp_path, monkeypatch):
    import sqlite3

    monkeypatch.setattr(scale, "WORK", tmp_path)
    m = scale.measure(200, semantic=True, embed_limit=0, rate=10.0, asked=1, questions_asked=60)
    with sqlite3.connect(tmp_path / "200" / "bench.sqlite3") as db:
        sentences, vectors = db.execute(
            "SELECT (SELECT count(*) FROM sentences), (SELECT count(*) FROM sentence_vectors)"
        ).fetchone()
    # every sentence has a (random) vector, but the edited article's new ones (a complete index)
    assert 0.9 * sentences < vectors <= sentences
    assert m["estimated"]  # the vectors' time is an estimate from the rate, said so
    assert 0 < m["p50_ms"] <= m["p99_ms"] and m["rss_mb"] > 0
    # before that, questions asked with no vector yet got their own sentences' vectors first
    assert m["asked_n"] == 1 and 0 < m["asked_p50_s"] <= m["asked_max_s"] < 300


def test_the_txt_shape_holds_the_same_articles_as_the_jsonl_one(tmp_path):
    generate(120, tmp_path / "jsonl")
    generate(120, tmp_path / "txt", shape="txt")
    as_jsonl = [a for e in scan_data_dir(tmp_path / "jsonl") for a in read_file(e).articles]
    as_txt = [a for e in scan_data_dir(tmp_path / "txt") for a in read_file(e).articles]
    assert len(scan_data_dir(tmp_path / "txt")) == 24  # one file per article
    assert [(a.title, a.paragraphs) for a in as_txt] == [(a.title, a.paragraphs) for a in as_jsonl]


def test_the_topical_shape_repeats_the_topic_and_plants_answerable_needles(tmp_path):
    generate(600, tmp_path / "data", shape="topical")
    articles = [a for e in scan_data_dir(tmp_path / "data") for a in read_file(e).articles]
    passages = [p for a in articles for p in a.paragraphs]
    assert sum("Đồn Biên phòng" in p for p in passages) > 0.6 * len(passages)  # one topic everywhere
    needles = [json.loads(line) for line in (tmp_path / "needles.jsonl").read_text("utf-8").splitlines()]
    assert len(needles) == 120
    texts = ["\n".join(a.paragraphs) for a in articles]
    for needle in needles:  # each answer in exactly one article, asked with the topic's words
        assert sum(needle["answer"] in text for text in texts) == 1
        assert needle["question"].endswith("có bao nhiêu cán bộ, chiến sĩ?")


def test_the_benchmark_finds_the_needles_and_states_the_pyvi_floor(tmp_path, monkeypatch):
    monkeypatch.setattr(scale, "WORK", tmp_path)
    m = scale.measure(300, shape="topical", questions_asked=100)
    assert m["needle_hit1"] >= 0.9 and 0 < m["needle_p50_ms"] <= m["needle_p99_ms"]
    assert m["characters"] > 0 and m["pyvi_rate"] > 0 and 0 < m["floor_s"] < m["cold_s"]
    assert m["peak_rss_mb"] > 0 and m["files"] == 1
