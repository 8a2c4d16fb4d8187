"""``python -m bot`` as a real process with a token: polls the fake Bot API, answers, stops on Ctrl-C."""

import asyncio
import os
import signal
import sys

from tests.conftest import ROOT
from tests.fake_telegram import FakeTelegram, parse_html
from tests.telegram_env import TOKEN, USER


async def test_run_answers_and_shuts_down_cleanly_without_logging_the_token(tmp_path, data_dir):
    server = FakeTelegram(TOKEN)
    await server.start()
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "DB_PATH", "ADMIN_IDS")}
    env.update(
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=server.url,
        DATA_DIR=str(data_dir),
        DB_PATH=str(tmp_path / "bot.sqlite3"),
        LOG_LEVEL="DEBUG",  # the noisiest level: PTB logs the API URL, which holds the token
    )
    log_path = tmp_path / "stderr.log"
    with log_path.open("wb") as err, (tmp_path / "stdout.log").open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env, stdout=out, stderr=err
        )
    try:
        server.send_text(USER, USER, "tu lenh bo doi bien phong la ai")
        (reply,) = await server.reply_to(USER, timeout=60)
        assert "Lê Đức Thái" in parse_html(reply.params["text"])
        proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()
    log = log_path.read_text(encoding="utf-8")
    assert proc.returncode == 0, log[-2000:]
    assert "index ready" in log and "[REDACTED]" in log and "Application.stop() complete" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert TOKEN not in (tmp_path / "stdout.log").read_text(encoding="utf-8")
