"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of the real PTB client.

It speaks the HTTP API the way python-telegram-bot uses it (``/bot<token>/<method>`` with form or
multipart fields, JSON-encoded complex values; files under ``/file/bot<token>/<path>``), queues
updates for ``getUpdates`` long polling, records every call, and refuses what Telegram refuses:
text over 4096 UTF-16 units or empty, HTML it cannot parse, callback data over 64 bytes, too many
inline results, over-long callback answers, a wrong token; messages past Telegram's flood
limits (``FloodLimits``: 429 with ``retry_after``, as Telegram answers); and, on request, 429 with
``retry_after`` or a 5xx.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.local_http import serve_locally

BOT_ID = 7000001
BOT_USERNAME = "vn_qa_test_bot"
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler",
                "span", "blockquote", "tg-emoji"}  # fmt: skip
_HTML_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)((?:\s+[^<>]*)?)>|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class BadRequest(Exception):
    def __init__(self, description: str, code: int = 400, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.description, self.code, self.retry_after = description, code, retry_after


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The plain text Telegram would show, or BadRequest as Telegram's HTML parser would raise."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for match in _HTML_TOKEN.finditer(text):
        chunk = text[pos : match.start()]
        if any(c in chunk for c in "<>&"):
            raise BadRequest("Bad Request: can't parse entities: unescaped character in text")
        out.append(chunk)
        pos = match.end()
        if match.group(2) is None:  # an entity
            out.append(html.unescape(match.group(0)))
            continue
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if tag not in ALLOWED_TAGS:
            raise BadRequest(f'Bad Request: can\'t parse entities: unsupported start tag "{tag}"')
        if closing:
            if not stack or stack[-1] != tag:
                raise BadRequest(f'Bad Request: can\'t parse entities: unexpected end tag "{tag}"')
            stack.pop()
        else:
            if tag == "a" and "href=" not in match.group(3):
                raise BadRequest("Bad Request: can't parse entities: <a> without href")
            stack.append(tag)
    tail = text[pos:]
    if any(c in tail for c in "<>&"):
        raise BadRequest("Bad Request: can't parse entities: unescaped character in text")
    if stack:
        raise BadRequest(f'Bad Request: can\'t parse entities: unclosed tag "{stack[-1]}"')
    out.append(tail)
    return "".join(out)


def check_text(text: Any, parse_mode: Any) -> str:
    if not isinstance(text, str):
        raise BadRequest("Bad Request: message text is empty")
    shown = parse_html(text) if str(parse_mode).upper() == "HTML" else text
    if not shown.strip():
        raise BadRequest("Bad Request: message text is empty")
    if utf16_len(shown) > 4096:
        raise BadRequest("Bad Request: message is too long")
    return shown


def check_markup(markup: Any) -> None:
    if markup is None:
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise BadRequest("Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise BadRequest("Bad Request: BUTTON_DATA_INVALID")


# Methods that put a message in a chat: what Telegram's flood limits count.
MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument", "sendPhoto"})


class _Bucket:
    """A leaky bucket: ``capacity`` messages at once, draining at ``rate`` a second (the shape of
    Telegram's limits, and of the client's own limiter, so that a client keeping them meets no 429)."""

    def __init__(self, capacity: float, rate: float) -> None:
        self.capacity, self.rate = capacity, rate
        self.level, self.at = 0.0, time.monotonic()

    def wait(self) -> float:
        """Seconds until one more message fits (0: it fits now)."""
        now = time.monotonic()
        self.level = max(0.0, self.level - (now - self.at) * self.rate)
        self.at = now
        return max(0.0, (self.level + 1 - self.capacity) / self.rate)

    def add(self) -> None:
        self.level += 1


@dataclass
class FloodLimits:
    """Telegram's limits for bots: about 30 messages/s overall, 20/min in a group, about 1/s in a
    private chat (short bursts allowed); some slack over the client's own buckets, because messages
    the limiter lets go one by one can wait for a pooled connection and arrive bunched (a third of a
    second overall: 35 still met a 429 once on a loaded CI run; with the limits off a burst still
    meets dozens)."""

    overall: tuple[float, float] = (45, 30)  # (capacity, per second)
    group: tuple[float, float] = (21, 20 / 60)
    private: tuple[float, float] = (6, 1)
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def refused(self, chat_id: int) -> int | None:
        """retry_after when a message to ``chat_id`` is over a limit now, else None (counted)."""
        chat_key, shape = (f"g{chat_id}", self.group) if chat_id < 0 else (f"p{chat_id}", self.private)
        buckets = [self._bucket("overall", self.overall), self._bucket(chat_key, shape)]
        wait = max(bucket.wait() for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.add()
        return None

    def _bucket(self, key: str, shape: tuple[float, float]) -> _Bucket:
        if key not in self._buckets:
            self._buckets[key] = _Bucket(*shape)
        return self._buckets[key]


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    ok: bool = True
    error: str | None = None
    result: Any = None


class FakeTelegram:
    """The server; ``url`` is the Bot API root to give the bot as TELEGRAM_API_URL."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.failures: dict[str, list[BadRequest]] = {}
        self.drops: dict[str, int] = {}
        self.keep_calls = True  # False: only count them (long soak runs)
        self.counts: dict[tuple[str, bool], int] = {}
        self.last_messages: dict[int, dict[str, Any]] = {}
        self.answered: dict[int, int] = {}  # counts mode: messages sent to each chat
        self.delays: dict[str, list[float]] = {}
        # Telegram's flood limits, enforced; None turns them off (load tests with the bot's own
        # limits off, as for a self-hosted Bot API server).
        self.flood_limits: FloodLimits | None = FloodLimits()
        self.webhook: tuple[str, str | None] | None = None  # (url, secret) after setWebhook
        self.webhook_statuses: list[int] = []  # what the bot's webhook answered each delivery
        self._deliveries: set[asyncio.Task[None]] = set()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._new_update = asyncio.Event()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- lifecycle ---
    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1 (``port``: a given one, for a bot started before its Bot API)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        app.router.add_post("/_control/questions", self._control_questions)
        app.router.add_get("/_control/counts", self._control_counts)
        app.router.add_get("/_control/answered", self._control_answered)
        self._runner, self.url = await serve_locally(app, port=port)

    async def stop(self) -> None:
        self._new_update.set()  # a long poll the client gave up on answers now, not at its timeout
        if self._runner:
            await self._runner.cleanup()

    # --- test controls ---
    def fail(self, method: str, code: int = 429, retry_after: int | None = 1, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail (429 with retry_after, or a 5xx)."""
        description = f"Too Many Requests: retry after {retry_after}" if code == 429 else "Internal Server Error"
        self.failures.setdefault(method, []).extend(BadRequest(description, code, retry_after) for _ in range(times))

    def drop(self, method: str, times: int = 1) -> None:
        """Close the connection of the next ``times`` calls of ``method`` without answering."""
        self.drops[method] = self.drops.get(method, 0) + times

    def delay(self, method: str, seconds: float, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` only after ``seconds``."""
        self.delays.setdefault(method, []).extend([seconds] * times)

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for ``getUpdates``, or, with a webhook set, POST it there as Telegram
        does (its secret in ``X-Telegram-Bot-Api-Secret-Token``; the answer's status recorded)."""
        update["update_id"] = next(self._update_ids)
        if self.webhook is not None:
            task = asyncio.get_running_loop().create_task(self._deliver(update))
            self._deliveries.add(task)
            task.add_done_callback(self._deliveries.discard)
            return update["update_id"]
        self.updates.append(update)
        self._new_update.set()
        return update["update_id"]

    async def _deliver(self, update: dict[str, Any], tries: int = 100) -> None:
        """One delivery, tried again while the bot cannot be reached (as Telegram does: the bot
        sets its webhook before its server listens), every 0.1 s, at most ``tries`` times."""
        assert self.webhook is not None
        url, secret = self.webhook
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        async with aiohttp.ClientSession() as session:
            for _ in range(tries):
                try:
                    async with session.post(url, json=update, headers=headers) as response:
                        self.webhook_statuses.append(response.status)
                        return
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)

    def user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "vi"}

    def chat(self, chat_id: int, chat_type: str) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type in ("group", "supergroup"):
            chat["title"] = "Nhóm thử"
        else:
            chat["first_name"] = f"User{chat_id}"
        return chat

    def send_text(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        chat_type: str = "private",
        entities: list[dict[str, Any]] | None = None,
        reply_to: dict[str, Any] | None = None,
        **extra: Any,
    ) -> int:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type),
            "from": self.user(user_id),
            **extra,
        }
        if text is not None:
            message["text"] = text
        if entities:
            message["entities"] = entities
        elif text and text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return self.push({"message": message})

    def send_document(self, chat_id: int, user_id: int, file_name: str, data: bytes) -> int:
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = data
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
                    "mime_type": "text/plain", "file_size": len(data)}  # fmt: skip
        return self.send_text(chat_id, user_id, None, document=document)  # type: ignore[arg-type]

    def press(self, user_id: int, message: dict[str, Any], data: str) -> int:
        query = {"id": f"cb{len(self.calls)}-{time.monotonic_ns()}", "from": self.user(user_id),
                 "chat_instance": "ci", "data": data, "message": message}  # fmt: skip
        return self.push({"callback_query": query})

    def inline(self, user_id: int, query: str) -> int:
        return self.push({"inline_query": {"id": f"iq{time.monotonic_ns()}", "from": self.user(user_id),
                                           "query": query, "offset": ""}})  # fmt: skip

    def choose_inline(self, user_id: int, query: str, result_id: str) -> int:
        """The user sent one of the inline results (Telegram tells bots with inline feedback on)."""
        return self.push({"chosen_inline_result": {"result_id": result_id, "from": self.user(user_id),
                                                   "query": query}})  # fmt: skip

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        return [
            c for c in self.calls
            if c.method == method and c.ok and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))
        ]  # fmt: skip

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked after every call), bounded in time."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not (result := predicate()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out after {timeout} s; last calls: {[c.method for c in self.calls[-8:]]}"
                    )
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    continue
            return result

    async def reply_to(
        self, chat_id: int, count: int = 1, method: str = "sendMessage", timeout: float = 15.0
    ) -> list[Call]:
        """Wait for ``count`` successful ``method`` calls to ``chat_id``; returns them."""
        return await self.wait_for(lambda: (s := self.sent(method, chat_id)) and len(s) >= count and s, timeout)

    # --- HTTP ---
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                form = await request.post()
                for key, value in form.items():
                    params[key] = value if isinstance(value, str) else value.file.read()
        for key in ("reply_markup", "results", "commands", "allowed_updates", "link_preview_options",
                    "reply_parameters", "button", "entities"):  # fmt: skip
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method].pop(0))
        if self.drops.get(method):
            self.drops[method] -= 1
            call.ok, call.error = False, "connection dropped"
            self.calls.append(call)
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)
        try:
            if request.match_info["token"] != self.token:
                raise BadRequest("Unauthorized", 401)
            pending = self.failures.get(method)
            if pending:
                raise pending.pop(0)
            if self.flood_limits is not None and method in MESSAGE_METHODS and "chat_id" in params:
                retry_after = self.flood_limits.refused(int(params["chat_id"]))
                if retry_after is not None:
                    raise BadRequest(f"Too Many Requests: retry after {retry_after}", 429, retry_after)
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                raise BadRequest(f"Not Found: method {method} not found", 404)
            result = await handler(params)
            call.result = result
            body: dict[str, Any] = {"ok": True, "result": result}
            status = 200
        except BadRequest as exc:
            call.ok, call.error = False, exc.description
            body = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.retry_after is not None and exc.code == 429:
                body["parameters"] = {"retry_after": exc.retry_after}
            status = exc.code
        self.counts[method, call.ok] = self.counts.get((method, call.ok), 0) + 1
        if not self.keep_calls:
            if method == "sendMessage" and call.ok:
                self.last_messages[int(params["chat_id"])] = call.result
                self.answered[int(params["chat_id"])] = self.answered.get(int(params["chat_id"]), 0) + 1
            self.messages.clear()
            async with self._changed:
                self._changed.notify_all()
        elif method != "getUpdates" or body.get("result"):
            self.calls.append(call)
            async with self._changed:
                self._changed.notify_all()
        return web.json_response(body, status=status)

    async def _control_questions(self, request: web.Request) -> web.Response:
        """Benchmark control (server in another process): queue [[chat_id, text], ...] as messages."""
        for chat, text in await request.json():
            self.send_text(int(chat), int(chat), str(text))
        return web.json_response({"queued": True})

    async def _control_counts(self, request: web.Request) -> web.Response:
        return web.json_response({f"{method}:{ok}": n for (method, ok), n in self.counts.items()})

    async def _control_answered(self, request: web.Request) -> web.Response:
        """Messages sent to each chat so far (counts mode), {chat_id: n}."""
        return web.json_response({str(chat): n for chat, n in self.answered.items()})

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        data = self.files.get(request.match_info["path"].rsplit("/", 1)[-1])
        return web.Response(body=data) if data is not None else web.Response(status=404)

    def _bot_message(self, params: dict[str, Any], text: str) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(int(params["chat_id"]), "private" if int(params["chat_id"]) > 0 else "group"),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "QA", "username": BOT_USERNAME},
            "text": text,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[message["message_id"]] = message
        return message

    # --- methods ---
    async def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "QA",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return await self._m_deleteWebhook(params)
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise BadRequest("Bad Request: secret token contains unallowed characters")
        self.webhook = (url, secret)
        return True

    async def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise BadRequest("Conflict: can't use getUpdates method while webhook is active", 409)
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 5.0)
        limit = int(params.get("limit") or 100)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and timeout > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        return [u for u in self.updates if u["update_id"] >= offset][:limit]

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        text = check_text(params.get("text"), params.get("parse_mode"))
        check_markup(params.get("reply_markup"))
        return self._bot_message(params, text)

    async def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        text = check_text(params.get("text"), params.get("parse_mode"))
        check_markup(params.get("reply_markup"))
        message = self.messages.get(int(params.get("message_id", 0)))
        if message is None:
            raise BadRequest("Bad Request: message to edit not found")
        if message.get("text") == text and message.get("reply_markup") == params.get("reply_markup"):
            raise BadRequest("Bad Request: message is not modified")
        message["text"] = text
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if len(params.get("text") or "") > 200:
            raise BadRequest("Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _m_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        results = params.get("results") or []
        if len(results) > 50:
            raise BadRequest("Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id", "") for r in results]
        if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise BadRequest("Bad Request: RESULT_ID_INVALID")
        for result in results:
            content = result.get("input_message_content") or {}
            check_text(content.get("message_text"), content.get("parse_mode"))
        return True

    async def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = params.get("file_id")
        if file_id not in self.files:
            raise BadRequest("Bad Request: invalid file_id")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}"}  # fmt: skip


async def serve_forever(token: str) -> None:
    """Run a fake server that only counts calls and print its URL (benchmarks in another process)."""
    server = FakeTelegram(token)
    server.keep_calls = False
    server.flood_limits = None  # the benchmark measures the bot with its own limits off
    await server.start()
    print(server.url, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    import sys

    asyncio.run(serve_forever(sys.argv[1]))
