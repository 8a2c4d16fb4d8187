"""Runs the real bot application against the fake Bot API server, as ``run_polling`` would."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

from telegram.ext import Application

from bot.config import Settings
from bot.telegram_bot import BotService, build_application
from tests.fake_telegram import FakeTelegram

TOKEN = "123456789:AAE-fake-token-for-tests_0123456789"
ADMIN = 4242
USER = 1111


@contextlib.asynccontextmanager
async def running_bot(
    data_dir: Path, db_path: Path, **overrides: object
) -> AsyncIterator[tuple[FakeTelegram, Application]]:
    """Fake server + application; PTB's own start-up and shutdown order, post_init included."""
    server = FakeTelegram(TOKEN)
    await server.start()
    settings = replace(
        Settings(
            data_dir=data_dir,
            db_path=db_path,
            telegram_bot_token=TOKEN,
            admin_ids=frozenset({ADMIN}),
            telegram_api_url=server.url,
        ),
        **overrides,
    )
    app = build_application(settings)
    try:
        await app.initialize()
        await app.post_init(app)
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await app.start()
        try:
            yield server, app
        finally:
            await app.updater.stop()
            await app.stop()
            await app.post_shutdown(app)
            await app.shutdown()
    finally:
        await server.stop()


def service(app: Application) -> BotService:
    return app.bot_data["service"]
