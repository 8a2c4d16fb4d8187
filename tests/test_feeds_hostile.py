"""Feeds under attack and accident: a bad entry, a tarpit, dead links and refused links cost a
bounded time and never stop another entry or feed. The hostile site is 127.0.0.2, the news site
127.0.0.1: two hosts to the fetcher."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest

from bot.corpus_admin import feeds_html
from retrieval.store.subscriptions import MAX_TRIES
from retrieval.web.feeds import parse_feed
from tests.conftest import open_web
from tests.news_site import STORIES

SUMMARY = "Đồn Biên phòng Hoành Mô tổ chức tuần tra song phương trên tuyến biên giới huyện Bình Liêu."


async def test_an_entry_redirecting_to_a_scheme_only_link_fails_alone(web, hostile, site):
    """Before: httpx.InvalidURL aborted ``feeds add``, and then every ``feeds poll``."""
    hostile.feed_items = [
        ("Chuyển hướng", hostile.link("/redirect?to=javascript:alert(1)"), ""),
        (STORIES[0].title, site.article_link(STORIES[0].slug), ""),
    ]
    report = await web.subscribe(hostile.link("/rss.xml"))
    assert [o.status for o in report.outcomes] == ["failed", "added"]
    assert "not an http or https link" in report.outcomes[0].reason
    # A second feed after it is polled too, and so is this one again.
    site.feed = [STORIES[1].slug]
    await web.subscribe(site.link("/rss.xml"))
    site.feed = [STORIES[2].slug, STORIES[1].slug]
    reports = await web.poll_all()
    assert [r.error is None or "could not be read" in r.error for r in reports] == [True, True]
    assert reports[1].added == 1


async def test_links_in_one_batch_fail_alone(web, hostile, site):
    outcomes = await web.add_links([hostile.link("/redirect?to=mailto:a@b.vn"), site.article_link(STORIES[1].slug)])
    assert [o.status for o in outcomes] == ["failed", "added"]


async def test_a_poll_keeps_to_its_time_and_a_tarpit_delays_no_other_feed(small_data, db_path, hostile, site):
    """Before: entries were fetched one after another without a budget: 500 tarpit entries held
    a poll for about two hours, and every other feed waited behind it."""
    web = await open_web(small_data, db_path, timeout=3.0, poll_seconds=1.5)
    try:
        hostile.feed_items = [(f"Bài {n}", hostile.link(f"/tarpit/{n}"), "") for n in range(5)]
        site.feed = [STORIES[0].slug]
        await web.subscriptions.add(hostile.link("/rss.xml"), "Bẫy", lambda n: f"feeds/bay-{n}.jsonl")
        await web.subscriptions.add(site.link("/rss.xml"), "Báo", lambda n: f"feeds/bao-{n}.jsonl")
        loop = asyncio.get_running_loop()
        started = loop.time()
        tarpit, news = await web.poll_all()
        assert loop.time() - started < 5  # the budget (1.5 s), the news feed beside it, a reload
        assert news.added == 1 and news.error is None
        assert tarpit.deferred == 5 and "5 left for the next poll" in (tarpit.error or "")
        assert sum(hostile.hits.get(f"/tarpit/{n}", 0) for n in range(5)) == 1  # one host: one at a time
        (stored,) = [s for s in await web.subscriptions.all() if s.id == tarpit.feed.id]
        assert stored.last_error == tarpit.error
    finally:
        await web.fetcher.close()
        await web.engine.close()


async def test_failing_entries_are_backed_off_then_given_up(web, hostile, db_path):
    """Before: an entry that failed was fetched again at every poll, forever."""
    hostile.feed_items = [("Mất", hostile.link("/missing/1"), "")]
    report = await web.subscribe(hostile.link("/rss.xml"))
    assert [o.status for o in report.outcomes] == ["failed"] and hostile.hits["/missing/1"] == 1
    await web.poll(report.feed)  # too soon: not fetched again
    assert hostile.hits["/missing/1"] == 1
    for tries in range(2, MAX_TRIES + 1):
        with sqlite3.connect(db_path) as db:  # its pause is over
            db.execute("UPDATE feed_failures SET next_try = 0")
        again = await web.poll(report.feed)
        assert hostile.hits["/missing/1"] == tries
    assert again.given_up == [hostile.link("/missing/1")]
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE feed_failures SET next_try = 0")
    await web.poll(report.feed)
    assert hostile.hits["/missing/1"] == MAX_TRIES  # given up: never again
    (subscription,) = await web.subscriptions.all()
    assert subscription.given_up == 1
    assert f"bỏ qua 1 bài không đọc được sau {MAX_TRIES} lần thử" in feeds_html([subscription], 30)


async def test_an_entry_whose_link_is_refused_is_not_added_from_its_summary(small_data, db_path, hostile):
    """Before: the summary was added with the private link as its public source."""
    web = await open_web(small_data, db_path, private=False)
    try:
        hostile.feed_items = [("Nội bộ", "http://10.11.12.13/tin/1", SUMMARY)]
        report = await web.subscribe(hostile.link("/rss.xml"))
        (outcome,) = report.outcomes
        assert outcome.status == "failed" and "not a public address" in outcome.reason
        assert report.given_up == ["http://10.11.12.13/tin/1"]  # a refusal is final
        assert not (small_data / report.feed.file).exists()
        assert web.engine.index.size[0] == 1
    finally:
        await web.fetcher.close()
        await web.engine.close()


async def test_credentials_in_entry_links_are_never_stored(web, site):
    site.feed = [STORIES[0].slug]
    feed = site.link("/rss.xml")
    report = await web.subscribe(feed)
    with_credentials = site.article_link(STORIES[1].slug).replace("http://", "http://bien:mat-khau@")
    (outcome,) = await web.add_links([with_credentials])
    assert outcome.status == "added" and outcome.url == site.article_link(STORIES[1].slug)
    stored = (web.engine.data_dir / "web.jsonl").read_text("utf-8")
    assert "mat-khau" not in stored and json.loads(stored)["url"] == outcome.url
    assert report.added == 1


def test_feed_titles_lose_terminal_escapes_and_are_capped():
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin \x1b[31mđỏ\x1b[0m</title>'
        f"<item><title>A\x1b]0;x\x07B{' dài' * 200}</title><link>http://a.vn/1</link></item></channel></rss>"
    ).encode()
    feed = parse_feed(body)
    assert feed.title == "Tin đỏ"
    (entry,) = feed.entries
    assert entry.title.startswith("AB dài") and len(entry.title) <= 300 and entry.title.isprintable()


@pytest.mark.parametrize("argument", ["²", "1" * 20, "١"])
async def test_odd_feed_numbers_find_nothing_and_crash_nothing(web, argument):
    """Before: int("²") raised ValueError and 20 digits overflowed SQLite's integer."""
    assert await web.unsubscribe(argument) is None


async def test_a_page_title_of_6000_characters_is_stored_cut(web, hostile):
    (outcome,) = await web.add_links([hostile.link("/long-title")])
    assert outcome.status == "added" and len(outcome.title) <= 300 and outcome.title.endswith("…")
    (row,) = await web.engine.store.articles_with_url(web.engine.corpus, outcome.url)
    assert row.title == outcome.title
