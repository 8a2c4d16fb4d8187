"""``GET /healthz`` for a container's HEALTHCHECK, a load balancer or a monitor (``HEALTH_PORT``).

JSON: whether the bot serves (``ready``), the corpus's size, the semantic index's progress, the
feeds' last poll and how many fail, the last error (its kind and a line of it, secrets
redacted); status 200 while it serves, 503 while it starts (indexing) or stops. Loopback by
default (``HEALTH_HOST``): it tells nobody's questions, but it is nobody else's business either.

A tiny HTTP/1.1 server on asyncio's streams: one request per connection, the request head read
within ``READ_SECONDS`` and at most ``MAX_HEAD`` bytes, so a client that sends nothing or
endless headers costs one timer and is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.logs import REDACTED

READ_SECONDS = 5.0
MAX_HEAD = 8192
_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 400: "Bad Request", 503: "Service Unavailable"}


def _iso(timestamp: float | None) -> str | None:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds") if timestamp else None


@dataclass
class Health:
    """What the bot reports about itself; the bot's parts fill it in as they go."""

    secrets: Iterable[str] = ()
    started: float = field(default_factory=time.time)
    state: str = "starting"  # "serving", "stopping"
    last_error: tuple[float, str] | None = None

    def error(self, exc: BaseException) -> None:
        """Remember an error: its kind and the first line of its message, secrets redacted."""
        line = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
        for secret in self.secrets:
            if secret:
                line = line.replace(secret, REDACTED)
        self.last_error = (time.time(), line)

    def report(self, details: dict[str, object]) -> tuple[int, dict[str, object]]:
        """(HTTP status, JSON body) from the state and the bot's ``details`` (corpus, feeds …)."""
        ready = self.state == "serving"
        body: dict[str, object] = {
            "status": self.state,
            "ready": ready,
            "uptime_s": round(time.time() - self.started, 1),
            **details,
            "last_error": (
                {"at": _iso(self.last_error[0]), "message": self.last_error[1]} if self.last_error else None
            ),
        }
        return (200 if ready else 503), body


class HealthServer:
    """Serves ``details()`` (a coroutine giving the bot's details) through ``health.report``."""

    def __init__(self, health: Health, details: Callable[[], Awaitable[dict[str, object]]]) -> None:
        self.health, self.details = health, details
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen; the port (a free one when ``port`` is 0)."""
        self._server = await asyncio.start_server(self._serve, host, port, limit=MAX_HEAD)
        return self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_SECONDS)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        try:
            method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        except ValueError:
            method, target = "", ""
        if not method:
            status, body = 400, {"error": "bad request"}
        elif target.split("?", 1)[0] != "/healthz":
            status, body = 404, {"error": "not found; try /healthz"}
        elif method not in ("GET", "HEAD"):
            status, body = 405, {"error": "GET or HEAD only"}
        else:
            status, body = self.health.report(await self.details())
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        writer.write(
            f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(payload)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n".encode()
            + (payload if method != "HEAD" else b"")
        )
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()
