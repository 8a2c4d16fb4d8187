"""``GET /healthz`` (bot/health.py): from the real bot application against the fake Bot API, and
the server alone for the states and clients a monitor never shows."""

from __future__ import annotations

import asyncio
import json
import time

from bot.health import READ_SECONDS, Health, HealthServer
from tests.telegram_env import TOKEN, USER, running_bot, service
from tests.test_bot_startup import free_port


async def http(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one raw request to 127.0.0.1:port."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


async def test_the_running_bot_reports_its_corpus_and_its_last_error(data_dir, db_path):
    port = free_port()
    async with running_bot(data_dir, db_path, health_port=port) as (server, app):
        status, headers, body = await http(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        report = json.loads(body)
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        assert report["status"] == "serving" and report["ready"] is True
        assert report["corpus"]["articles"] == 5 and report["corpus"]["sentences"] > 100
        assert report["feeds"] == {"count": 0, "last_poll": None, "failing": 0}
        assert report["semantic"] is None and report["last_error"] is None  # the model is off in these tests

        def broken(*args, **kwargs):
            raise RuntimeError(f"disk on fire near {TOKEN}")

        service(app).engine.ask = broken  # a fault inside the bot's own code, not PTB's
        server.send_text(USER, USER, "Tư lệnh Bộ đội Biên phòng là ai?")
        await server.reply_to(USER)  # the user gets the generic error message
        report = json.loads((await http(port, b"GET /healthz HTTP/1.1\r\n\r\n"))[2])
        assert report["last_error"]["message"] == "RuntimeError: disk on fire near [REDACTED]"
        assert TOKEN not in json.dumps(report)

        assert (await http(port, b"HEAD /healthz HTTP/1.1\r\n\r\n"))[::2] == (200, b"")
        assert (await http(port, b"POST /healthz HTTP/1.1\r\nContent-Length: 0\r\n\r\n"))[0] == 405
        assert (await http(port, b"GET /admin HTTP/1.1\r\n\r\n"))[0] == 404
    # stopped with the bot
    try:
        await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        pass
    else:
        raise AssertionError("the health endpoint outlived the bot")


async def test_503_until_serving_and_a_silent_client_blocks_nobody():
    health = Health()

    async def details() -> dict[str, object]:
        return {"corpus": None}

    server = HealthServer(health, details)
    port = await server.start("127.0.0.1", 0)
    try:
        silent = await asyncio.open_connection("127.0.0.1", port)  # sends nothing
        huge = await asyncio.open_connection("127.0.0.1", port)  # endless headers
        huge[1].write(b"GET /healthz HTTP/1.1\r\n" + b"X-A: " + b"a" * 20_000)
        started = time.monotonic()
        status, _, body = await http(port, b"GET /healthz HTTP/1.1\r\n\r\n")
        assert time.monotonic() - started < READ_SECONDS  # not queued behind the silent one
        assert status == 503 and json.loads(body)["ready"] is False and json.loads(body)["status"] == "starting"
        assert await asyncio.wait_for(huge[0].read(), 10) == b""  # dropped, not buffered
        health.state = "serving"
        assert (await http(port, b"GET /healthz?verbose=1 HTTP/1.1\r\n\r\n"))[0] == 200
        health.state = "stopping"
        assert (await http(port, b"GET /healthz HTTP/1.1\r\n\r\n"))[0] == 503
        silent[1].close()
        huge[1].close()
    finally:
        await server.stop()
