"""A hostile site on a loopback address for the tests of links and feeds under attack: redirects
to links that are not web links, compression bombs, tarpits, lying pages. Every handler is
bounded (a tarpit sleeps a fixed time), and it listens on loopback only."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import html
import zlib
from dataclasses import dataclass, field

from aiohttp import web

from tests.local_http import serve_locally
from tests.news_site import STORIES, news_page

BOMB_BYTES = 50_000_000  # what the stacked bomb inflates to; its body is a few KB


@functools.cache
def gzip_bomb() -> bytes:
    """``Content-Encoding: gzip, gzip``: zeros gzipped twice (the outer layer shrinks the inner)."""
    return gzip.compress(gzip.compress(bytes(BOMB_BYTES), 9), 9)


@dataclass
class HostileSite:
    host: str = "127.0.0.2"  # another host than the news site's 127.0.0.1
    tarpit_seconds: float = 10.0
    url: str = ""
    hits: dict[str, int] = field(default_factory=dict)
    feed_items: list[tuple[str, str, str]] = field(default_factory=list)  # (title, link, summary)
    feed_title: str = "Tin nóng"
    hosts: list[str] = field(default_factory=list)  # the Host header of each /page request
    _runner: web.AppRunner | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def link(self, path: str) -> str:
        return f"{self.url}{path}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/redirect", self._redirect)
        app.router.add_get("/bomb", self._bomb)
        app.router.add_get("/encoded/{how}", self._encoded)
        app.router.add_get("/stray-byte", self._stray_byte)
        app.router.add_get("/tarpit/{n}", self._tarpit)
        app.router.add_get("/missing/{n}", self._missing)
        app.router.add_get("/rss.xml", self._rss)
        app.router.add_get("/long-title", self._long_title)
        app.router.add_get("/escapes", self._escapes)
        app.router.add_get("/page", self._page)
        app.router.add_get("/chain/{n}", self._chain)
        self._runner, self.url = await serve_locally(app, host=self.host)

    async def stop(self) -> None:
        self._stopping.set()  # tarpits let go at once: the server's cleanup waits for its handlers
        if self._runner is not None:
            await self._runner.cleanup()

    def _count(self, request: web.Request) -> None:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1

    async def _redirect(self, request: web.Request) -> web.Response:
        self._count(request)
        return web.Response(status=int(request.query.get("status", 302)), headers={"Location": request.query["to"]})

    async def _bomb(self, request: web.Request) -> web.Response:
        return web.Response(
            body=gzip_bomb(), headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip, gzip"}
        )

    async def _encoded(self, request: web.Request) -> web.Response:
        page = news_page(STORIES[1]).encode("utf-8")
        how = request.match_info["how"]
        bodies = {
            "gzip": (gzip.compress(page), "gzip"),
            "deflate": (zlib.compress(page), "deflate"),
            "raw-deflate": (zlib.compress(page)[2:-4], "deflate"),
            "gzip-gzip": (gzip.compress(gzip.compress(page)), "gzip, gzip"),
            "br": (page, "br"),
            "three": (gzip.compress(gzip.compress(gzip.compress(page))), "gzip, gzip, gzip"),
            "broken": (b"\x1f\x8b\x08\x00not gzip at all", "gzip"),
        }
        body, encoding = bodies[how]
        headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": encoding}
        return web.Response(body=body, headers=headers)

    async def _stray_byte(self, request: web.Request) -> web.Response:
        page = news_page(STORIES[2]).encode("utf-8").replace(b"</h1>", b"\xff</h1>", 1)
        return web.Response(body=page, headers={"Content-Type": "text/html; charset=utf-8"})

    async def _tarpit(self, request: web.Request) -> web.Response:
        self._count(request)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self.tarpit_seconds)
        return web.Response(text=news_page(STORIES[0]), content_type="text/html")

    async def _missing(self, request: web.Request) -> web.Response:
        self._count(request)
        raise web.HTTPNotFound(text="Không có")

    async def _rss(self, request: web.Request) -> web.Response:
        self._count(request)
        items = "".join(
            f"<item><title>{html.escape(title)}</title><link>{html.escape(link)}</link>"
            f"<description>{html.escape(summary)}</description></item>"
            for title, link, summary in self.feed_items
        )
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{self.feed_title}</title>'
            f"<link>{self.url}/</link>{items}</channel></rss>"
        )
        return web.Response(body=body.encode("utf-8"), content_type="application/rss+xml")

    async def _long_title(self, request: web.Request) -> web.Response:
        title = "Đồn Biên phòng " * 400  # 6,000 characters
        page = news_page(STORIES[0]).replace(STORIES[0].title, title)
        return web.Response(text=page, content_type="text/html")

    async def _escapes(self, request: web.Request) -> web.Response:
        return web.Response(status=502, reason="Bad \x9b31mGateway\x9b0m", text="x")  # C1 CSI: allowed obs-text

    async def _page(self, request: web.Request) -> web.Response:
        self.hosts.append(request.headers.get("Host", ""))
        return web.Response(text=news_page(STORIES[2]), content_type="text/html")

    async def _chain(self, request: web.Request) -> web.Response:
        """/chain/n: n redirects, then the page."""
        n = int(request.match_info["n"])
        return web.Response(status=302, headers={"Location": f"/chain/{n - 1}" if n > 1 else "/page"})
