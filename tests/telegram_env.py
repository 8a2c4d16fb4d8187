"""Runs the real bot application against the fake Bot API server, as ``run_polling`` would."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

from telegram.ext import Application

from bot.config import Settings
from bot.service import BotService
from bot.telegram_bot import build_application
from tests.fake_telegram import FakeTelegram

TOKEN = "123456789:AAE-fake-token-for-tests_0123456789"
ADMIN = 4242
USER = 1111


@contextlib.asynccontextmanager
async def running_application(settings: Settings) -> AsyncIterator[Application]:
    """The bot application started and stopped in PTB's own order (as ``run_polling``), post_init included."""
    app = build_application(settings)
    await app.initialize()
    await app.post_init(app)
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.post_shutdown(app)
        await app.shutdown()


def bot_settings(data_dir: Path, db_path: Path, api_url: str, **overrides: object) -> Settings:
    return replace(
        Settings(
            data_dir=data_dir,
            db_path=db_path,
            telegram_bot_token=TOKEN,
            admin_ids=frozenset({ADMIN}),
            telegram_api_url=api_url,
            semantic_rerank=False,  # Telegram behaviour; the model has its own tests (one through the bot)
        ),
        **overrides,
    )


@contextlib.asynccontextmanager
async def running_bot(
    data_dir: Path, db_path: Path, **overrides: object
) -> AsyncIterator[tuple[FakeTelegram, Application]]:
    """Fake server + application. With the bot's overall limit off (``rate_limit_per_second=0``, a
    load test) the server's flood limits are off too."""
    server = FakeTelegram(TOKEN)
    if overrides.get("rate_limit_per_second") == 0:
        server.flood_limits = None
    await server.start()
    try:
        async with running_application(bot_settings(data_dir, db_path, server.url, **overrides)) as app:
            yield server, app
    finally:
        await server.stop()


def service(app: Application) -> BotService:
    return app.bot_data["service"]
