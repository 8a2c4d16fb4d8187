"""retrieval.web.ingest under accident: odd records in the data dir, a read-only or shared data dir,
files that fill up. Nothing written before may be lost, and each link fails on its own line."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
from pathlib import Path

from retrieval.corpus import write_atomically
from retrieval.web.ingest import LINKS_FILE, _edit_jsonl
from tests.conftest import cp1258, open_web
from tests.news_site import STORIES

ODD = {
    "title": "Đồn Biên phòng Lũng Cú\x85 nơi địa đầu",
    "url": "https://bienphong.example.vn/lung-cu",
    "text": "Đồn Biên phòng Lũng Cú quản lý 18 km\u2028đường biên giới.\u2029Đơn vị có 45 cán bộ, chiến sĩ.",
}
NEIGHBOUR = {
    "title": "Đồn Biên phòng Sà Phìn",
    "url": "https://bienphong.example.vn/sa-phin",
    "text": "Đồn Biên phòng Sà Phìn tổ chức 12 đợt tuần tra song phương trong năm.",
}


def records(path: Path) -> list[dict]:
    """Every line of a .jsonl file must be a whole JSON record."""
    return [json.loads(line) for line in path.read_text("utf-8").split("\n") if line]


async def test_a_record_with_unicode_line_separators_survives_every_edit(small_data, db_path, site):
    """Before: ``splitlines()`` cut the record at U+2028/U+2029/U+0085 on the next add, and
    ``/remove`` of its neighbour left the removed article answering while this one was gone."""
    (small_data / LINKS_FILE).write_text(
        json.dumps(ODD, ensure_ascii=False) + "\n" + json.dumps(NEIGHBOUR, ensure_ascii=False) + "\n", "utf-8"
    )
    web = await open_web(small_data, db_path, timeout=2.0)
    try:
        (outcome,) = await web.add_links([site.article_link("hoanh-mo-tuan-tra")])
        assert outcome.status == "added"
        assert [r["url"] for r in records(small_data / LINKS_FILE)] == [ODD["url"], NEIGHBOUR["url"], outcome.url]
        assert records(small_data / LINKS_FILE)[0]["text"] == ODD["text"]  # the characters themselves kept
        removed = await web.remove(NEIGHBOUR["url"])
        assert removed is not None and [r.url for r in removed.articles] == [NEIGHBOUR["url"]]
        assert [r["url"] for r in records(small_data / LINKS_FILE)] == [ODD["url"], outcome.url]
        assert not await web.engine.store.articles_with_url(web.engine.corpus, NEIGHBOUR["url"])
        assert await web.engine.store.articles_with_url(web.engine.corpus, ODD["url"])
        answer = web.engine.search("Đồn Lũng Cú có bao nhiêu cán bộ, chiến sĩ?").answers[0]
        assert answer.url == ODD["url"] and "45 cán bộ" in answer.sentence
    finally:
        await web.fetcher.close()
        await web.engine.close()


async def test_a_links_file_resaved_as_windows_1258_is_read_and_kept(small_data, db_path, site):
    """Before: a traceback (UnicodeDecodeError) instead of a ``failed:`` line or an added article."""
    (small_data / LINKS_FILE).write_bytes(cp1258(json.dumps(NEIGHBOUR, ensure_ascii=False) + "\n"))
    web = await open_web(small_data, db_path, timeout=2.0)
    try:
        (outcome,) = await web.add_links([site.article_link("hoanh-mo-tuan-tra")])
        assert outcome.status == "added"
        assert [r["title"] for r in records(small_data / LINKS_FILE)] == [NEIGHBOUR["title"], STORIES[0].title]
    finally:
        await web.fetcher.close()
        await web.engine.close()


async def test_a_record_whose_url_is_not_a_string_is_kept_and_does_not_stop_an_add(small_data, db_path, site):
    odd = {"title": "Tin ngắn", "url": ["https://x.example.vn"], "text": NEIGHBOUR["text"]}
    (small_data / LINKS_FILE).write_text(json.dumps(odd, ensure_ascii=False) + "\n", "utf-8")
    web = await open_web(small_data, db_path, timeout=2.0)
    try:
        (outcome,) = await web.add_links([site.article_link("hoanh-mo-tuan-tra")])
        assert outcome.status == "added"
        assert records(small_data / LINKS_FILE)[0] == odd
    finally:
        await web.fetcher.close()
        await web.engine.close()


async def test_an_unwritable_links_file_is_each_links_failure_line(web, site):
    """Before: a traceback ended the whole ``add``. (A folder where the file should be: unwritable
    even for root, who writes into read-only folders.)"""
    (web.engine.data_dir / LINKS_FILE).mkdir()
    outcomes = await web.add_links([site.article_link("hoanh-mo-tuan-tra"), site.article_link("mo-lo-tu-thien")])
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert all(o.reason.startswith("cannot write web.jsonl") for o in outcomes)
    assert web.engine.index.size[0] == 1  # the seed article only, the old index serving


async def test_a_full_file_rolls_over_to_the_next_of_its_series(small_data, db_path, site):
    """Before: appends grew a feed's file past MAX_FILE_BYTES, after which every add to it failed
    and a rebuild dropped the whole file."""
    web = await open_web(small_data, db_path, timeout=2.0, max_file_bytes=1_000)  # one story's record each
    try:
        outcomes = await web.add_links([site.article_link(s.slug) for s in STORIES])
        assert [o.status for o in outcomes] == ["added"] * 3
        files = sorted(p.name for p in small_data.glob("web*.jsonl"))
        assert files == ["web.2.jsonl", "web.3.jsonl", "web.jsonl"]
        assert all((small_data / f).stat().st_size <= 1_000 for f in files)
        assert sorted(o.file for o in outcomes) == sorted(f for f in files for _ in records(small_data / f))
        for story in STORIES:  # every one indexed and answering
            assert web.engine.search(story.paragraphs[1]).answers[0].title == story.title
    finally:
        await web.fetcher.close()
        await web.engine.close()


def _append_many(data_dir: str, writer: int, count: int) -> None:
    for number in range(count):
        url = f"https://x.example.vn/{writer}/{number}"
        _edit_jsonl(Path(data_dir), LINKS_FILE, [{"url": url, "title": "t", "text": f"Bài {writer} số {number}."}],
                    set())  # fmt: skip


def test_two_processes_editing_one_data_dir_lose_no_update(tmp_path):
    """Before: no lock between the running bot and a cron ``feeds poll`` and one temporary name
    for both: concurrent read-modify-writes lost records."""
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_append_many, args=(str(tmp_path), w, 40)) for w in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
    assert [w.exitcode for w in writers] == [0, 0]
    urls = {r["url"] for r in records(tmp_path / LINKS_FILE)}
    assert urls == {f"https://x.example.vn/{w}/{n}" for w in range(2) for n in range(40)}
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_writers_never_share_a_temporary_file(tmp_path, monkeypatch):
    names: list[str] = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (names.append(Path(a).name), real_replace(a, b)))
    write_atomically(tmp_path / "a.jsonl", b"1\n")
    write_atomically(tmp_path / "a.jsonl", b"2\n")
    assert len(set(names)) == 2 and all(n.startswith(".a.jsonl.") for n in names)


async def test_the_edit_lock_is_released_after_each_edit(tmp_path):
    await asyncio.to_thread(_edit_jsonl, tmp_path, LINKS_FILE, [dict(NEIGHBOUR)], set())
    await asyncio.to_thread(_edit_jsonl, tmp_path, LINKS_FILE, [dict(ODD)], set())  # would wait 30 s if held
    assert [r["url"] for r in records(tmp_path / LINKS_FILE)] == [NEIGHBOUR["url"], ODD["url"]]


async def test_a_subscriptions_files_are_its_own_and_its_rolled_ones(small_data, db_path, site):
    web = await open_web(small_data, db_path, timeout=2.0, max_file_bytes=1_000)  # one story's record a file
    try:
        site.feed = [s.slug for s in STORIES]
        report = await web.subscribe(site.link("/rss.xml"))
        base = report.feed.file
        assert web.files_of(report.feed) == [
            base,
            base.replace(".jsonl", ".2.jsonl"),
            base.replace(".jsonl", ".3.jsonl"),
        ]
        await web.remove(base)
        assert web.files_of(report.feed) == [base.replace(".jsonl", ".2.jsonl"), base.replace(".jsonl", ".3.jsonl")]
    finally:
        await web.fetcher.close()
        await web.engine.close()
