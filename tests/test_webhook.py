"""Webhook mode: ``python -m bot`` as a real process with WEBHOOK_URL; the fake Bot API pushes
updates to it as Telegram does (POST, the secret in a header) once the bot has set its webhook."""

from __future__ import annotations

import asyncio
import sys

import aiohttp
import pytest

from bot.config import ConfigError, load_settings
from tests.fake_telegram import FakeTelegram, parse_html
from tests.telegram_env import TOKEN, USER
from tests.test_bot_startup import bot_env, free_port

SECRET = "s3cret-Token_for-tests"


async def test_updates_come_by_webhook_and_only_with_its_secret(tmp_path, data_dir):
    server = FakeTelegram(TOKEN)
    await server.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    env = bot_env(tmp_path, data_dir, server.url)
    env.update(WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET, WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    try:
        await server.wait_for(lambda: server.webhook is not None, timeout=60)
        assert server.webhook == (url, SECRET)
        assert not server.sent("getUpdates")  # no polling beside the webhook
        server.send_text(USER, USER, "tu lenh bo doi bien phong la ai")
        (reply,) = await server.reply_to(USER, timeout=60)
        assert "Lê Đức Thái" in parse_html(reply.params["text"])
        update = {"update_id": 999, "message": {"message_id": 1, "date": 0, "text": "Ai?",
                  "chat": {"id": USER, "type": "private"}, "from": server.user(USER)}}  # fmt: skip
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with session.post(url, json=update, headers=headers) as response:
                    assert response.status == 403
        await asyncio.sleep(0.5)
        assert len(server.sent("sendMessage", USER)) == 1  # the forged updates were not handled
        assert server.webhook_statuses == [200]
    finally:
        process.send_signal(2)
        err = await asyncio.wait_for(process.stderr.read(), 60)
        await asyncio.wait_for(process.wait(), 30)
        await server.stop()
    log = err.decode("utf-8")
    assert process.returncode == 0, log[-3000:]
    assert "Traceback" not in log and SECRET not in log and TOKEN not in log


def test_webhook_settings_are_checked_and_a_secret_is_always_set():
    settings = load_settings(None, {"WEBHOOK_URL": "https://bot.example.vn/tg"})
    assert settings.webhook_secret and len(settings.webhook_secret) >= 40  # made when not given
    assert settings.webhook_port == 8443 and settings.webhook_listen == "127.0.0.1"
    assert "webhook_secret" not in repr(settings)
    assert load_settings(None, {}).webhook_url is None  # polling by default
    with pytest.raises(ConfigError, match="WEBHOOK_URL must be an https://"):
        load_settings(None, {"WEBHOOK_URL": "bot.example.vn/tg"})
    with pytest.raises(ConfigError, match="WEBHOOK_SECRET may hold only"):
        load_settings(None, {"WEBHOOK_URL": "https://x.vn/tg", "WEBHOOK_SECRET": "a b"})
