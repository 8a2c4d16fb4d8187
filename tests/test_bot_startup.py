"""``python -m bot`` as a real process meeting a Bot API that is not there yet, and one that rejects
its token: one line per attempt or one clear line, no traceback, the token never printed."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.fake_telegram import FakeTelegram, parse_html
from tests.telegram_env import TOKEN, USER


def bot_env(tmp_path: Path, data_dir: Path, api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "DB_PATH", "ADMIN_IDS")}
    env.update(PYTHONPATH=str(ROOT), TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api_url, DATA_DIR=str(data_dir),
               DB_PATH=str(tmp_path / "bot.sqlite3"), SEMANTIC_RERANK="off")  # fmt: skip
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_rejected_token_is_one_clear_line_and_exit_2_without_the_token(tmp_path, data_dir):
    """Before: Python's uncaught traceback, its last line quoting the token ("The token `…` was
    rejected"): a one-character typo leaked the rest of the real token."""
    server = FakeTelegram("999:another-token")  # any other token is refused with 401
    await server.start()
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=bot_env(tmp_path, data_dir, server.url),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await server.stop()
    log = (out + err).decode("utf-8")
    assert process.returncode == 2, log
    assert "the Bot API rejected TELEGRAM_BOT_TOKEN" in log and "Traceback" not in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


async def test_an_unreachable_bot_api_is_waited_for_with_one_line_per_attempt(tmp_path, data_dir):
    """Before: exit 1 after ~4 s with a 240-line traceback. Now the bot waits (1, 2, 4 … s) and
    answers once the Bot API is there."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=bot_env(tmp_path, data_dir, f"http://127.0.0.1:{port}"),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    server = FakeTelegram(TOKEN)
    try:
        lines = [await asyncio.wait_for(process.stderr.readline(), 30) for _ in range(2)]
        assert all(b"cannot be reached" in line and b"WARNING" in line for line in lines), lines
        await server.start(port=port)
        server.fail("getUpdates", 502, times=2)  # then a bad gateway while polling: a warning each
        server.send_text(USER, USER, "tu lenh bo doi bien phong la ai")
        (reply,) = await server.reply_to(USER, timeout=60)
        assert "Lê Đức Thái" in parse_html(reply.params["text"])
    finally:
        process.send_signal(2)  # Ctrl-C
        rest = await asyncio.wait_for(process.stderr.read(), 60)
        await asyncio.wait_for(process.wait(), 30)
        await server.stop()
    log = b"".join(lines).decode("utf-8") + rest.decode("utf-8")
    assert process.returncode == 0, log[-3000:]
    assert "Traceback" not in log and TOKEN not in log
    assert log.count("getUpdates failed") == 2
