"""Alerts to an operator's chat through the real client and the fake Bot API: an unhandled error,
a failed reload, a feed failing poll after poll; one message a kind per interval, never a flood."""

from __future__ import annotations

from bot.alerts import FEED_ALERT_AFTER
from tests.fake_telegram import parse_html
from tests.telegram_env import ADMIN, TOKEN, USER, running_bot, service

ALERTS = -1001234


async def test_errors_alert_once_an_interval_and_count_what_was_held(data_dir, db_path):
    async with running_bot(data_dir, db_path, alert_chat_id=ALERTS) as (server, app):

        def broken(*args, **kwargs):
            raise RuntimeError(f"disk on fire near {TOKEN}")

        service(app).engine.ask = broken  # a fault inside the bot's own code
        for user in (USER, USER + 1, USER + 2):
            server.send_text(user, user, "Tư lệnh Bộ đội Biên phòng là ai?")
            await server.reply_to(user)  # each user is told something went wrong
        (alert,) = server.sent("sendMessage", ALERTS)  # one alert for three errors
        text = parse_html(alert.params["text"])
        assert "Lỗi khi xử lý tin nhắn" in text and "RuntimeError: disk on fire near [REDACTED]" in text
        assert TOKEN not in alert.params["text"]
        service(app).alerts.every = 0  # the interval is over
        server.send_text(USER + 3, USER + 3, "Chính ủy là ai?")
        await server.reply_to(USER + 3)
        alerts = await server.wait_for(lambda: len(server.sent("sendMessage", ALERTS)) == 2 and server.sent(
            "sendMessage", ALERTS))  # fmt: skip
        assert "và 2 lần nữa" in parse_html(alerts[1].params["text"])


async def test_a_failed_reload_alerts_the_admins(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, app):  # no ALERT_CHAT_ID: the admins

        async def broken(*args, **kwargs):
            raise OSError("No space left on device")

        service(app).engine.reload = broken
        server.send_text(ADMIN, ADMIN, "/reload")
        alert = await server.wait_for(
            lambda: [c for c in server.sent("sendMessage", ADMIN) if "🚨" in c.params["text"]]
        )
        assert "Nạp lại dữ liệu thất bại" in parse_html(alert[0].params["text"])
        assert "No space left on device" in parse_html(alert[0].params["text"])


async def test_a_feed_failing_poll_after_poll_alerts_once(data_dir, db_path, site):
    async with running_bot(data_dir, db_path, alert_chat_id=ALERTS, allow_private_urls=True) as (server, app):
        server.send_text(ADMIN, ADMIN, f"/feed {site.link('/rss.xml')}")
        await server.wait_for(lambda: service(app).web is not None and server.sent("editMessageText", ADMIN))
        site.feed_status = 500
        (job,) = app.job_queue.get_jobs_by_name("poll-feeds")
        for _ in range(FEED_ALERT_AFTER + 2):  # two polls more than it takes: still one alert
            await job.run(app)
        (alert,) = server.sent("sendMessage", ALERTS)
        text = parse_html(alert.params["text"])
        assert "Nguồn tin lỗi liên tục" in text and "HTTP 500" in text and site.link("/rss.xml") in text
        site.feed_status = 200
        await job.run(app)  # it works again: the count starts over
        assert service(app).alerts.feed_failures == {1: 0}
