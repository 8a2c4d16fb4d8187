"""Articles by link, feeds, /articles and /remove through the real PTB client and the fake Bot API,
with pages and feeds from the local news site (everything on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path

from bot.corpus_admin import LINKS_ADMIN_ONLY, PRIVATE_ONLY
from bot.service import ADMIN_ONLY
from tests.fake_telegram import parse_html
from tests.news_site import STORIES
from tests.telegram_env import ADMIN, USER, running_bot, service


def web_bot(small_data: Path, db_path: Path):
    return running_bot(small_data, db_path, allow_private_urls=True, fetch_timeout=1.0, feed_interval_minutes=7)


async def edited_to(server, chat_id: int, words: str, timeout: float = 20.0):
    """The status message once edited to a text with ``words`` in it."""
    calls = await server.wait_for(
        lambda: [c for c in server.sent("editMessageText", chat_id) if words in parse_html(c.params["text"])], timeout
    )
    return calls[-1]


def buttons(call) -> list[str]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]


async def test_an_admin_adds_a_link_and_users_get_answers_with_it_as_source(small_data, db_path, site):
    link = site.article_link("hoanh-mo-tuan-tra")
    async with web_bot(small_data, db_path) as (server, _):
        server.send_text(ADMIN, ADMIN, f"  {link} ")  # a message that is nothing but a link
        done = await edited_to(server, ADMIN, "Đã thêm")
        text = parse_html(done.params["text"])
        assert STORIES[0].title in text and "14/05/2024" in text and "4 câu" in text
        assert f'<a href="{link}">' in done.params["text"]
        server.send_text(USER, USER, "Đồn trưởng Đồn Biên phòng Hoành Mô là ai?")
        (answer,) = await server.reply_to(USER)
        assert "Hoàng Văn Lực" in parse_html(answer.params["text"])
        assert f'📰 <i><a href="{link}">' in answer.params["text"]  # the title links to the page
        server.send_text(ADMIN, ADMIN, f"/add {link}")
        again = await edited_to(server, ADMIN, "Đã có trong kho")
        assert STORIES[0].title in parse_html(again.params["text"])
        server.send_text(ADMIN, ADMIN, f"/add {site.link('/error/404')} {site.link('/anh.png')}")
        failed = parse_html((await edited_to(server, ADMIN, "Không thêm được")).params["text"])
        # in the admin's language, the technical part as it came
        assert "máy chủ trả lời HTTP 404 Not Found" in failed and "không phải trang web (image/png)" in failed
        server.send_text(ADMIN, ADMIN, "/add")
        assert "Cách dùng: /add" in (await server.reply_to(ADMIN, 4))[-1].params["text"]


async def test_with_the_production_policy_private_addresses_are_refused(small_data, db_path, site):
    """ALLOW_PRIVATE_URLS off, as deployed: /add of the local site (127.0.0.1) and of an intranet
    address, and /feed of the local site, are refused before any connection; nothing is written."""
    async with running_bot(small_data, db_path, fetch_timeout=1.0) as (server, _):
        server.send_text(ADMIN, ADMIN, f"/add {site.article_link('hoanh-mo-tuan-tra')} http://10.11.12.13/tin.html")
        refused = parse_html((await edited_to(server, ADMIN, "Không thêm được")).params["text"])
        assert refused.count("Không thêm được") == 2 and refused.count("không phải địa chỉ công khai") == 2
        server.send_text(ADMIN, ADMIN, f"/feed {site.link('/rss.xml')}")
        refused = parse_html((await edited_to(server, ADMIN, "Không đăng ký được")).params["text"])
        assert "127.0.0.1 không phải địa chỉ công khai" in refused
    assert site.hits == {} and sorted(p.name for p in small_data.iterdir()) == ["coc-pai.txt"]


async def test_everyone_else_is_refused_and_nothing_happens(small_data, db_path, site):
    async with web_bot(small_data, db_path) as (server, app):
        files = sorted(p.name for p in small_data.rglob("*"))
        commands = [f"/add {site.article_link('hoanh-mo-tuan-tra')}", f"/feed {site.link('/rss.xml')}", "/feeds",
                    "/unfeed 1", "/articles", "/remove coc-pai.txt"]  # fmt: skip
        for command in commands:
            server.send_text(USER, USER, command)
        server.send_text(USER, USER, site.article_link("mo-lo-tu-thien"))
        replies = await server.reply_to(USER, len(commands) + 1)
        texts = sorted(r.params["text"] for r in replies)
        assert texts == sorted([ADMIN_ONLY] * len(commands) + [LINKS_ADMIN_ONLY])
        # An admin in a group: the corpus commands only in a private chat.
        server.send_text(-100, ADMIN, "/articles", chat_type="group")
        assert (await server.reply_to(-100))[0].params["text"] == PRIVATE_ONLY
        assert site.hits == {} and sorted(p.name for p in small_data.rglob("*")) == files
        assert await service(app).web.subscriptions.all() == []


async def test_feeds_subscribe_list_poll_by_the_job_and_stop(small_data, db_path, site):
    async with web_bot(small_data, db_path) as (server, app):
        server.send_text(ADMIN, ADMIN, f"/feed {site.link('/rss.xml')}")
        subscribed = parse_html((await edited_to(server, ADMIN, "Đã đăng ký")).params["text"])
        assert "Báo Biên phòng - Tin mới" in subscribed and "thêm 3 bài mới" in subscribed
        # The JobQueue polls every FEED_INTERVAL_MINUTES; its job run now, as the scheduler would.
        (job,) = app.job_queue.get_jobs_by_name("poll-feeds")
        assert job.trigger.interval.total_seconds() == 7 * 60
        site.feed.insert(0, "tin-5")
        await job.run(app)
        assert site.hits["/bai/tin-5.html"] == 1 and site.hits["/bai/hoanh-mo-tuan-tra.html"] == 1
        await job.run(app)  # nothing new: no page fetched again
        assert site.hits["/bai/tin-5.html"] == 1
        site.feed_status = 500
        await job.run(app)
        server.send_text(ADMIN, ADMIN, "/feeds")
        listing = parse_html((await server.reply_to(ADMIN, 2))[-1].params["text"])
        assert site.link("/rss.xml") in listing and "đã thêm 4 bài" in listing and "HTTP 500" in listing
        server.send_text(ADMIN, ADMIN, "/unfeed 1")
        stopped = parse_html((await server.reply_to(ADMIN, 3))[-1].params["text"])
        assert "Đã ngừng đăng ký" in stopped and "4 bài đã thêm vẫn ở trong kho" in stopped
        server.send_text(ADMIN, ADMIN, "/feeds")
        assert "Chưa đăng ký nguồn tin nào" in (await server.reply_to(ADMIN, 4))[-1].params["text"]
        assert service(app).engine.index.size[0] == 5  # the seed and the feed's 4 stay
        server.send_text(ADMIN, ADMIN, f"/feed {site.link('/broken.xml')}")
        assert "Không đăng ký được" in (await edited_to(server, ADMIN, "Không đăng ký được")).params["text"]


async def test_articles_pages_with_buttons_and_remove(small_data, db_path, site):
    async with web_bot(small_data, db_path) as (server, app):
        site.feed = [f"tin-{n}" for n in range(12)]
        server.send_text(ADMIN, ADMIN, f"/feed {site.link('/rss.xml')}")
        await edited_to(server, ADMIN, "thêm 12 bài mới")
        server.send_text(ADMIN, ADMIN, "/articles")
        first = (await server.reply_to(ADMIN, 2))[-1]
        text = parse_html(first.params["text"])
        assert "trang 1/2" in text and text.count("\n1") >= 1 and "10. " in text and "11. " not in text
        assert buttons(first) == ["arts:2"]
        server.press(USER, first.result, "arts:2")  # not an admin: refused, nothing changes
        refusal = await server.wait_for(lambda: [c for c in server.sent("answerCallbackQuery") if c.params.get("text")])
        assert refusal[0].params["text"] == ADMIN_ONLY
        server.press(ADMIN, first.result, "arts:2")
        second = await edited_to(server, ADMIN, "trang 2/2")
        assert "11. " in parse_html(second.params["text"]) and "coc-pai.txt" in parse_html(second.params["text"])
        assert buttons(second) == ["arts:1"]
        link = site.article_link("tin-3")
        server.send_text(ADMIN, ADMIN, f"/remove {link}")
        removed = parse_html((await server.reply_to(ADMIN, 3))[-1].params["text"])
        assert "Đã xóa 1 bài" in removed and "Đồn Biên phòng số 3" in removed
        assert not [a for a in service(app).engine.search("Đồn Biên phòng số 3 tuần tra", 10).answers if a.url == link]
        server.send_text(ADMIN, ADMIN, "/remove khong-co.txt")
        assert "Không có bài hay tệp nào" in parse_html((await server.reply_to(ADMIN, 4))[-1].params["text"])


async def test_unfeed_after_remove_says_nothing_of_it_is_left(small_data, db_path, site):
    """Before: /unfeed said the articles stayed in a file /remove had already deleted."""
    site.feed = [STORIES[0].slug]
    async with web_bot(small_data, db_path) as (server, _):
        server.send_text(ADMIN, ADMIN, f"/feed {site.link('/rss.xml')}")
        await edited_to(server, ADMIN, "Đã đăng ký")
        server.send_text(ADMIN, ADMIN, "/remove feeds/127.0.0.1-1.jsonl")
        await server.wait_for(lambda: [c for c in server.sent("sendMessage", ADMIN) if "Đã xóa" in c.params["text"]])
        server.send_text(ADMIN, ADMIN, "/unfeed 1")
        stopped = await server.wait_for(
            lambda: [c for c in server.sent("sendMessage", ADMIN) if "Đã ngừng đăng ký" in c.params["text"]]
        )
        assert "Không còn bài nào của nguồn tin này trong kho" in parse_html(stopped[0].params["text"])


async def test_every_admin_action_is_in_the_audit_log_and_only_admins_read_it(small_data, db_path, site):
    link = site.article_link("hoanh-mo-tuan-tra")
    async with web_bot(small_data, db_path) as (server, _):
        server.send_text(ADMIN, ADMIN, link)
        await edited_to(server, ADMIN, "Đã thêm")
        server.send_text(ADMIN, ADMIN, "/reload")
        await edited_to(server, ADMIN, "Tệp")
        server.send_document(ADMIN, ADMIN, "moi.txt", "Tin mới\n\nĐồn Biên phòng A tuần tra.".encode())
        await edited_to(server, ADMIN, "moi.txt")
        server.send_text(ADMIN, ADMIN, "/remove moi.txt")
        server.send_text(USER, USER, "/reload")  # refused: not an action, not in the log
        server.send_text(ADMIN, ADMIN, "/feeds")  # only reads: not in the log
        await server.reply_to(USER)
        await server.wait_for(lambda: len(server.sent("sendMessage", ADMIN)) >= 5)
        server.send_text(ADMIN, ADMIN, "/audit")
        log = await server.wait_for(
            lambda: [c for c in server.sent("sendMessage", ADMIN) if "Thao tác quản trị" in c.params["text"]]
        )
        lines = parse_html(log[0].params["text"]).splitlines()[1:]
        assert [line.split(" · ")[1:] for line in lines] == [
            [str(ADMIN), "/remove moi.txt"], [str(ADMIN), "/upload moi.txt"], [str(ADMIN), "/reload"],
            [str(ADMIN), f"/add {link}"],
        ]  # fmt: skip
        server.send_text(USER, USER, "/audit")
        assert (await server.reply_to(USER, 2))[1].params["text"] == ADMIN_ONLY
