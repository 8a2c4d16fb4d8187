"""What the Telegram handlers share: settings, the engine, the web corpus, limits and memory.

One ``BotService`` lives in ``application.bot_data``; handlers reach it with ``service_of``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import deque
from dataclasses import dataclass, field

from telegram.ext import ContextTypes

from bot.alerts import Alerts
from bot.config import Settings
from bot.conversations import ChatMemory
from bot.health import Health
from retrieval.engine import QAEngine
from retrieval.web.ingest import WebCorpus

SERVICE = "service"
ADMIN_ONLY = "🔒 Xin lỗi, chức năng này chỉ dành cho quản trị viên."
LOADING = "⏳ Mình đang nạp dữ liệu, bạn thử lại sau ít giây nhé."


class Throttle:
    """At most ``limit`` questions per user in any ``window`` seconds (a sliding window)."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self.seen: dict[int, deque[float]] = {}

    def wait_seconds(self, user_id: int, now: float | None = None) -> float:
        """0 when the user may ask now (and counts the question), else seconds to wait."""
        now = time.monotonic() if now is None else now
        times = self.seen.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            return self.window - (now - times[0])
        times.append(now)
        if len(self.seen) > 10_000:  # forget idle users so memory stays flat
            for uid in [u for u, t in self.seen.items() if not t or now - t[-1] >= self.window]:
                del self.seen[uid]
        return 0.0


@dataclass
class BotService:
    """Settings, the engine and web corpus (None until post_init), throttle, salt, conversations."""

    settings: Settings
    engine: QAEngine | None = None
    web: WebCorpus | None = None  # articles by link and feeds (admins); opened with the engine
    salt: bytes = b""
    throttle: Throttle = field(init=False)
    memory: ChatMemory = field(init=False)
    health: Health = field(init=False)
    alerts: Alerts = field(init=False)

    def __post_init__(self) -> None:
        self.throttle = Throttle(self.settings.questions_per_minute)
        self.memory = ChatMemory(self.settings.context_minutes)
        self.health = Health(secrets=[self.settings.telegram_bot_token or ""])
        settings = self.settings
        self.alerts = Alerts(
            [settings.alert_chat_id] if settings.alert_chat_id is not None else settings.admin_ids,
            every=settings.alert_every_minutes * 60,
            secrets=[settings.telegram_bot_token or "", settings.webhook_secret or ""],
        )

    def user_hash(self, user_id: int) -> str:
        """Pseudonymous id for the log: HMAC-SHA256 with a per-database random salt."""
        return hmac.new(self.salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]


def service_of(context: ContextTypes.DEFAULT_TYPE) -> BotService:
    return context.bot_data[SERVICE]
