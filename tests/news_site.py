"""A Vietnamese news site on 127.0.0.1 for the fetching tests and the feed benchmark.

Article pages look like the real thing: the site's header and menu, a breadcrumb, the article,
a "Tin liên quan" sidebar, readers' comments and a footer. ``FURNITURE`` lists sentences of the
page around the article, which must never be indexed. Besides articles it serves RSS feeds,
redirects, errors, a slow page, an oversized page, a non-HTML file and pages in other encodings.
"""

from __future__ import annotations

import asyncio
import html
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from aiohttp import web

from tests.conftest import cp1258
from tests.local_http import serve_locally

Handler = Callable[[web.Request], Awaitable[web.Response]]


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    date: str  # ISO
    paragraphs: list[str]


STORIES = [
    Story(
        "hoanh-mo-tuan-tra",
        "Đồn Biên phòng Hoành Mô tổ chức tuần tra song phương",
        "2024-05-14",
        [
            "Ngày 13/5, Đồn Biên phòng Hoành Mô phối hợp với lực lượng chức năng tổ chức tuần tra song phương "
            "trên tuyến biên giới thuộc huyện Bình Liêu, tỉnh Quảng Ninh.",
            "Tham gia tuần tra có 12 cán bộ, chiến sĩ của Đồn Biên phòng Hoành Mô cùng lực lượng dân quân xã.",
            "Trong quá trình tuần tra, lực lượng đã kiểm tra hệ thống mốc quốc giới số 1305 và 1306, tuyên truyền "
            "pháp luật cho 45 hộ dân sống gần biên giới.",
            "Thiếu tá Hoàng Văn Lực, Đồn trưởng Đồn Biên phòng Hoành Mô cho biết đơn vị sẽ duy trì tuần tra "
            "mỗi tháng hai lần.",
        ],
    ),
    Story(
        "mo-lo-tu-thien",
        "Biên phòng Cà Mau khám bệnh, cấp thuốc miễn phí cho ngư dân",
        "2024-06-02",
        [
            "Sáng 1/6, Đồn Biên phòng Khánh Hội phối hợp với Trung tâm Y tế huyện U Minh tổ chức khám bệnh, "
            "cấp thuốc miễn phí cho ngư dân ven biển.",
            "Chương trình đã khám bệnh và cấp thuốc cho 320 người dân, trao 50 suất quà cho hộ nghèo.",
            "Tổng kinh phí của chương trình hơn 90 triệu đồng do các nhà hảo tâm đóng góp.",
        ],
    ),
    Story(
        "xuan-bien-gioi",
        "Chương trình Xuân Biên phòng ấm lòng dân bản tại Điện Biên",
        "2024-01-28",
        [
            "Ngày 27/1, Bộ đội Biên phòng tỉnh Điện Biên tổ chức chương trình Xuân Biên phòng ấm lòng dân bản "
            "tại xã Mường Nhé.",
            "Chương trình đã trao 400 suất quà Tết cho các hộ gia đình chính sách và hộ nghèo trên địa bàn biên giới.",
            "Các đại biểu cũng thăm hỏi, tặng quà 20 học sinh nghèo vượt khó học giỏi.",
        ],
    ),
]

# Words of the page around the article: none of it may ever be indexed.
FURNITURE = [
    "Quốc phòng - An ninh",
    "Tìm kiếm",
    "Bắt giữ đối tượng vận chuyển 3 bánh heroin qua biên giới Lạng Sơn",
    "Chiến sĩ quân hàm xanh giúp dân thu hoạch lúa mùa tại xã vùng cao",
    "Cảm ơn các anh bộ đội đã vất vả canh giữ biên cương tổ quốc",
    "Giấy phép số 123/GP-BTTTT",
    "Số 40 Hàng Bài, Hoàn Kiếm, Hà Nội",
]


def news_page(story: Story, charset: str = "utf-8") -> str:
    """An article page as a Vietnamese news site serves it."""
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs)
    day = datetime.fromisoformat(story.date).strftime("%d/%m/%Y")
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="{charset}">
<title>{html.escape(story.title)} | Báo Biên phòng</title>
<meta property="og:title" content="{html.escape(story.title)}">
<meta property="article:published_time" content="{story.date}T08:30:00+07:00">
</head><body>
<header><nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/thoi-su">Thời sự</a></li>
<li><a href="/qp">{FURNITURE[0]}</a></li><li><a href="/kt">Kinh tế</a></li></ul></nav>
<form class="search"><input placeholder="{FURNITURE[1]}"><button>{FURNITURE[1]}</button></form></header>
<main><div class="breadcrumb"><a href="/">Trang chủ</a> › <a href="/bien-gioi">Biên giới</a></div>
<article><h1>{html.escape(story.title)}</h1>
<div class="meta">{day} 08:30 · Minh Tuấn</div>
{paragraphs}
</article>
<aside class="related"><h3>Tin liên quan</h3><ul>
<li><a href="/a1">{FURNITURE[2]}</a></li><li><a href="/a2">{FURNITURE[3]}</a></li></ul></aside>
<section class="comments"><h3>Bình luận (1)</h3><div class="comment"><b>Nguyễn Hoa</b>
<p>{FURNITURE[4]}, chúc các anh luôn mạnh khỏe và hoàn thành tốt nhiệm vụ.</p></div></section>
</main>
<footer><p>Cơ quan chủ quản: Bộ Tư lệnh Bộ đội Biên phòng. {FURNITURE[5]} cấp ngày 01/01/2020.</p>
<p>Địa chỉ: {FURNITURE[6]}</p></footer>
</body></html>"""


def generated_story(number: int) -> Story:
    """A distinct article for big feeds (each text unique, so none is a duplicate of another)."""
    return Story(
        f"tin-{number}",
        f"Đồn Biên phòng số {number} tổ chức tuần tra đợt {number % 12 + 1}",
        f"2024-{number % 12 + 1:02d}-{number % 28 + 1:02d}",
        [
            f"Ngày {number % 28 + 1}/{number % 12 + 1}, Đồn Biên phòng số {number} tổ chức tuần tra trên tuyến "
            f"biên giới với {number % 40 + 5} cán bộ, chiến sĩ tham gia.",
            f"Lực lượng đã tuyên truyền pháp luật cho {number * 3 + 7} hộ dân và kiểm tra {number % 9 + 2} "
            "mốc quốc giới trên địa bàn.",
            f"Đơn vị cũng trao {number % 50 + 10} suất quà cho học sinh nghèo tại xã biên giới số {number}.",
        ],
    )


@dataclass
class NewsSite:
    """The site: ``stories`` by slug, ``feed`` the slugs the RSS feed lists (newest first)."""

    stories: dict[str, Story] = field(default_factory=lambda: {s.slug: s for s in STORIES})
    feed: list[str] = field(default_factory=lambda: [s.slug for s in STORIES])
    feed_status: int = 200
    slow_seconds: float = 3.0
    hits: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0  # requests to /slow being answered now, and the most there ever were
    most_in_flight: int = 0
    tls: ssl.SSLContext | None = None  # served over HTTPS with this certificate
    url: str = ""
    _runner: web.AppRunner | None = None

    def link(self, path: str) -> str:
        return f"{self.url}{path}"

    def article_link(self, slug: str) -> str:
        return self.link(f"/bai/{slug}.html")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/bai/{slug}.html", self._article)
        app.router.add_get("/rss.xml", self._rss)
        app.router.add_get("/broken.xml", self._text("<rss><channel><item><title>Hỏng", "application/rss+xml"))
        app.router.add_get("/moved/{slug}", self._moved)
        app.router.add_get("/loop/{n}", self._loop)
        app.router.add_get("/to-private", self._to_private)
        app.router.add_get("/slow", self._slow)
        app.router.add_get("/big", self._big)
        app.router.add_get("/anh.png", self._text("\x89PNG\r\n\x1a\n" + "x" * 500, "image/png"))
        app.router.add_get("/empty", self._text("", "text/html"))
        app.router.add_get("/chuyen-muc", self._text(self._list_page(), "text/html"))
        app.router.add_get("/cp1258-header/{slug}", self._encoded("windows-1258", header=True))
        app.router.add_get("/cp1258-meta/{slug}", self._encoded("windows-1258", header=False))
        app.router.add_get("/utf16/{slug}", self._encoded("utf-16", header=False))
        app.router.add_get("/error/{status}", self._error)
        self._runner, self.url = await serve_locally(app, self.tls)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _count(self, request: web.Request) -> None:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1

    async def _article(self, request: web.Request) -> web.Response:
        self._count(request)
        story = self.stories.get(request.match_info["slug"])
        if story is None:
            raise web.HTTPNotFound(text="Không tìm thấy trang")
        return web.Response(text=news_page(story), content_type="text/html", charset="utf-8")

    def _rss_xml(self) -> str:
        items = []
        for slug in self.feed:
            story = self.stories.get(slug) or generated_story(int(slug.rsplit("-", 1)[-1]))
            when = format_datetime(datetime.fromisoformat(story.date).replace(tzinfo=UTC))
            summary = html.escape(f"<p>{story.paragraphs[0]}</p>")
            items.append(
                f"<item><title>{html.escape(story.title)}</title><link>{self.article_link(slug)}</link>"
                f"<guid>{self.article_link(slug)}</guid><pubDate>{when}</pubDate>"
                f"<description>{summary}</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Báo Biên phòng - Tin mới</title>'
            f"<link>{self.url}/</link><description>Tin mới nhất</description>{''.join(items)}</channel></rss>"
        )

    async def _rss(self, request: web.Request) -> web.Response:
        self._count(request)
        if self.feed_status != 200:
            raise web.HTTPInternalServerError(text="Lỗi máy chủ")
        return web.Response(text=self._rss_xml(), content_type="application/rss+xml", charset="utf-8")

    @staticmethod
    def _text(body: str, content_type: str) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            return web.Response(body=body.encode("utf-8", "surrogateescape"), content_type=content_type)

        return handler

    def _list_page(self) -> str:
        links = "".join(f'<li><a href="/bai/{s.slug}.html">{html.escape(s.title)}</a></li>' for s in STORIES)
        return f"<html><body><nav>Trang chủ · Thời sự</nav><h1>Biên giới</h1><ul>{links}</ul></body></html>"

    def _encoded(self, codec: str, header: bool) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            story = self.stories[request.match_info["slug"]]
            page = news_page(story, "utf-8" if codec == "utf-16" else codec)
            body = cp1258(page) if codec == "windows-1258" else page.encode("utf-16")  # UTF-16 with its BOM
            response = web.Response(body=body)
            response.content_type = "text/html"
            if header:
                response.charset = codec
            return response

        return handler

    async def _moved(self, request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(f"/bai/{request.match_info['slug']}.html")

    async def _loop(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(f"/loop/{int(request.match_info['n']) + 1}")

    async def _to_private(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("http://10.11.12.13/admin")  # refused before any connection is made

    async def _slow(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.slow_seconds)
        finally:
            self.in_flight -= 1
        return web.Response(text=news_page(STORIES[0]), content_type="text/html")

    async def _big(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8"})
        response.enable_chunked_encoding()  # no Content-Length: the limit is checked while reading
        await response.prepare(request)
        chunk = ("<p>" + "Biên giới " * 1000 + "</p>").encode()
        for _ in range(100):  # ~1.1 MB, bounded
            await response.write(chunk)
        await response.write_eof()
        return response

    async def _error(self, request: web.Request) -> web.Response:
        status = int(request.match_info["status"])
        return web.Response(status=status, text=f"Lỗi {status}")
