"""retrieval.web.ingest: articles by link and from feeds, written to the data dir, indexed, listed, removed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from retrieval.engine import QAEngine
from retrieval.web.fetch import Fetcher
from retrieval.web.ingest import LINKS_FILE, WebCorpus
from tests.news_site import FURNITURE, STORIES, Story, generated_story


def indexed_sentences(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as db:
        return [text for (text,) in db.execute("SELECT text FROM sentences")]


async def test_a_link_is_indexed_and_answers_with_its_link_as_source(web, site, db_path):
    link = site.article_link("hoanh-mo-tuan-tra")
    (outcome,) = await web.add_links([link])
    assert (outcome.status, outcome.title, outcome.date, outcome.file) == (
        "added", STORIES[0].title, "2024-05-14", LINKS_FILE)  # fmt: skip
    assert outcome.sentences == 4
    result = web.engine.search("Đồn trưởng Đồn Biên phòng Hoành Mô là ai?")
    top = result.answers[0]
    assert "Hoàng Văn Lực" in top.sentence and top.url == link and top.title == STORIES[0].title
    assert web.engine.search("don truong don bien phong hoanh mo la ai").answers[0].url == link
    # In the data dir, in the usual .jsonl format with its link: a fresh index sees it too.
    (record,) = [json.loads(line) for line in (web.engine.data_dir / LINKS_FILE).read_text("utf-8").splitlines()]
    assert record["url"] == link and record["title"] == STORIES[0].title and record["date"] == "2024-05-14"
    assert record["text"].split("\n") == STORIES[0].paragraphs and record["fetched"].endswith("Z")


async def test_no_menu_sidebar_comment_or_footer_text_is_ever_indexed(web, site, db_path):
    outcomes = await web.add_links([site.article_link(s.slug) for s in STORIES])
    assert [o.status for o in outcomes] == ["added"] * 3
    sentences = indexed_sentences(db_path)
    for furniture in FURNITURE:
        assert not [s for s in sentences if furniture in s], furniture
    for question in ("Ai cảm ơn các anh bộ đội canh giữ biên cương?", "Bắt giữ đối tượng vận chuyển heroin Lạng Sơn",
                     "Giấy phép số 123/GP-BTTTT cấp ngày nào?"):  # fmt: skip
        for answer in web.engine.search(question, 5).answers:
            assert not any(furniture in answer.sentence for furniture in FURNITURE)


async def test_the_same_link_again_is_already_there_or_updated_when_the_page_changed(web, site):
    link = site.article_link("mo-lo-tu-thien")
    assert (await web.add_links([link]))[0].status == "added"
    assert (await web.add_links([link]))[0].status == "unchanged"
    old = site.stories["mo-lo-tu-thien"]
    changed = [p.replace("320 người dân", "450 người dân") for p in old.paragraphs]
    site.stories["mo-lo-tu-thien"] = Story(old.slug, old.title, old.date, changed)
    (outcome,) = await web.add_links([link])
    assert outcome.status == "updated"
    lines = (web.engine.data_dir / LINKS_FILE).read_text("utf-8").splitlines()
    assert len(lines) == 1 and "450 người dân" in lines[0]  # replaced in place, not appended
    answer = web.engine.search("Chương trình khám bệnh cho bao nhiêu người dân?").answers[0]
    assert "450 người dân" in answer.sentence


async def test_the_same_text_under_another_link_is_not_added_twice(web, site):
    await web.add_links([site.article_link("xuan-bien-gioi")])
    (outcome,) = await web.add_links([site.link("/cp1258-header/xuan-bien-gioi")])  # same article, other link
    assert outcome.status == "duplicate" and STORIES[2].title in outcome.reason
    assert web.engine.index.size[0] == 2  # the seed and the first copy
    # A redirect lands on the link already there: the same article.
    await web.add_links([site.article_link("hoanh-mo-tuan-tra")])
    assert (await web.add_links([site.link("/moved/hoanh-mo-tuan-tra")]))[0].status == "unchanged"


async def test_failed_fetches_change_nothing_and_say_why(web, site, db_path):
    await web.add_links([site.article_link("hoanh-mo-tuan-tra")])
    before = (web.engine.data_dir / LINKS_FILE).read_bytes()
    await web.engine.saved()  # the index is served mapped from disk once saved
    index = web.engine.index
    outcomes = await web.add_links([
        site.link("/error/404"), site.link("/error/500"), site.link("/slow"), site.link("/big"),
        site.link("/anh.png"), site.link("/empty"), site.link("/chuyen-muc"), "ftp://example.vn/a", "không phải link",
    ])  # fmt: skip
    reasons = [o.reason for o in outcomes]
    assert all(o.status == "failed" for o in outcomes), outcomes
    expected = ["HTTP 404", "HTTP 500", "timed out", "too big", "not a web page", "empty", "no article text",
                "only http", "only http"]  # fmt: skip
    for reason, words in zip(reasons, expected, strict=True):
        assert words in reason
    assert (web.engine.data_dir / LINKS_FILE).read_bytes() == before
    assert web.engine.index is index  # nothing to reload: the same index serves


async def test_pages_in_other_encodings(web, site):
    outcomes = await web.add_links([site.link("/cp1258-meta/hoanh-mo-tuan-tra"), site.link("/utf16/mo-lo-tu-thien")])
    assert [o.status for o in outcomes] == ["added", "added"]
    assert "Hoàng Văn Lực" in web.engine.search("Đồn trưởng Đồn Biên phòng Hoành Mô là ai?").answers[0].sentence


async def test_a_feed_adds_its_entries_then_only_new_ones(web, site):
    report = await web.subscribe(site.link("/rss.xml"))
    assert report.subscribed and report.error is None and report.added == 3
    feed = report.feed
    assert feed.title == "Báo Biên phòng - Tin mới" and feed.file.startswith("feeds/127.0.0.1-")
    assert (web.engine.data_dir / feed.file).is_file()
    assert web.engine.search("Chương trình Xuân Biên phòng trao bao nhiêu suất quà Tết?").answers[0].url == (
        site.article_link("xuan-bien-gioi"))  # fmt: skip
    hits = dict(site.hits)
    assert (await web.poll(feed)).outcomes == []  # nothing new: no page fetched again
    assert {k: v for k, v in site.hits.items() if k != "/rss.xml"} == {k: v for k, v in hits.items() if k != "/rss.xml"}
    site.feed.insert(0, "tin-7")
    report = await web.poll(feed)
    assert [o.url for o in report.outcomes] == [site.article_link("tin-7")] and report.added == 1
    assert site.hits["/bai/tin-7.html"] == 1
    (stored,) = await web.subscriptions.all()
    assert stored.added == 4 and stored.last_error is None and stored.last_poll is not None


async def test_an_entry_whose_page_fails_is_added_from_the_feed_summary(web, site):
    site.feed.insert(0, "tin-9")  # listed in the feed, but its page is a 404
    report = await web.subscribe(site.link("/rss.xml"))
    (fallback,) = [o for o in report.outcomes if o.url == site.article_link("tin-9")]
    assert fallback.status == "added" and fallback.from_feed_text and "HTTP 404" in fallback.reason
    assert (
        "Đồn Biên phòng số 9"
        in web.engine.search("Đồn Biên phòng số 9 tuần tra với bao nhiêu cán bộ?").answers[0].sentence
    )


async def test_a_failing_feed_keeps_its_error_and_recovers(web, site):
    feed = (await web.subscribe(site.link("/rss.xml"))).feed
    site.feed_status = 500
    site.feed.insert(0, "tin-3")
    report = await web.poll(feed)
    assert report.error == "HTTP 500 Internal Server Error" and report.outcomes == []
    assert (await web.subscriptions.find(str(feed.id))).last_error == "HTTP 500 Internal Server Error"
    site.feed_status = 200
    report = await web.poll(feed)
    assert report.added == 1 and (await web.subscriptions.find(str(feed.id))).last_error is None


async def test_what_is_not_a_feed_is_not_subscribed(web, site):
    from retrieval.web.feeds import FeedError
    from retrieval.web.fetch import FetchError

    for link, error in ((site.link("/broken.xml"), FeedError), (site.article_link("hoanh-mo-tuan-tra"), FeedError),
                        (site.link("/error/404"), FetchError)):  # fmt: skip
        with pytest.raises(error):
            await web.subscribe(link)
    assert await web.subscriptions.all() == []


async def test_a_feed_entry_added_by_hand_before_is_not_added_again(web, site):
    await web.add_links([site.article_link("hoanh-mo-tuan-tra")])
    report = await web.subscribe(site.link("/rss.xml"))
    assert report.added == 2 and site.hits["/bai/hoanh-mo-tuan-tra.html"] == 1


async def test_unsubscribe_keeps_the_articles(web, site):
    feed = (await web.subscribe(site.link("/rss.xml"))).feed
    size = web.engine.index.size
    assert (await web.unsubscribe(str(feed.id))).url == feed.url
    assert await web.subscriptions.all() == [] and web.engine.index.size == size
    assert await web.unsubscribe("99") is None


async def test_articles_newest_first_and_remove_by_link_or_file(web, site):
    await web.add_links([site.article_link(s.slug) for s in STORIES])
    shown = await web.articles(1)
    rows, pages = shown.rows, shown.pages
    assert pages == 1
    assert [r.date for r in rows] == ["2024-06-02", "2024-05-14", "2024-01-28", None]  # undated seed last
    assert rows[-1].file == "coc-pai.txt" and rows[0].url == site.article_link("mo-lo-tu-thien")
    removed = await web.remove(site.article_link("mo-lo-tu-thien"))
    assert [r.title for r in removed.articles] == [STORIES[1].title] and removed.deleted_file is None
    assert not [a for a in web.engine.search("khám bệnh cấp thuốc cho ngư dân", 5).answers if a.url ==
                site.article_link("mo-lo-tu-thien")]  # fmt: skip
    assert len((web.engine.data_dir / LINKS_FILE).read_text("utf-8").splitlines()) == 2
    removed = await web.remove("coc-pai.txt")
    assert removed.deleted_file == "coc-pai.txt" and not (web.engine.data_dir / "coc-pai.txt").exists()
    assert web.engine.index.size[0] == 2
    assert await web.remove("../../etc/passwd") is None and await web.remove("https://khong.co/bai") is None
    # The last link of a file takes the file with it.
    for story in (STORIES[0], STORIES[2]):
        removed = await web.remove(site.article_link(story.slug))
    assert removed.deleted_file == LINKS_FILE and not (web.engine.data_dir / LINKS_FILE).exists()


async def test_everything_survives_a_restart_and_a_fresh_index(small_data, db_path, site):
    engine, _ = await QAEngine.open(small_data, db_path)
    web = WebCorpus(engine, Fetcher(timeout=1.0, allow_private=True))
    await web.subscribe(site.link("/rss.xml"))
    await web.fetcher.close()
    await engine.close()
    for database in (db_path, db_path.with_name("fresh.sqlite3")):  # the same database, then a new one
        engine, report = await QAEngine.open(small_data, database)
        try:
            assert report.articles == 4
            web = WebCorpus(engine, Fetcher(allow_private=True))
            feeds = await web.subscriptions.all()
            assert [f.url for f in feeds] == ([site.link("/rss.xml")] if database == db_path else [])
            answer = engine.search("Đồn trưởng Đồn Biên phòng Hoành Mô là ai?").answers[0]
            assert answer.url == site.article_link("hoanh-mo-tuan-tra")
            await web.fetcher.close()
        finally:
            await engine.close()


async def test_a_big_feed_is_ingested_in_one_update(web, site):
    site.feed = [f"tin-{n}" for n in range(40)]
    report = await web.subscribe(site.link("/rss.xml"))
    assert report.added == 40 and report.reload is not None and len(report.reload.changed + report.reload.added) == 1
    answer = web.engine.search("Đồn Biên phòng số 17 tổ chức tuần tra với bao nhiêu cán bộ, chiến sĩ?").answers[0]
    assert answer.sentence == generated_story(17).paragraphs[0]
