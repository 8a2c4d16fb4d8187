"""Alerts: what an operator must hear about, sent to a Telegram chat, at most one a kind per
``every`` seconds (a failing feed polled every half hour, an error on every question: one
message, then a count, never a flood).

Kinds: ``error`` (an unhandled exception in a handler), ``reload`` (a reload that failed; the old
index keeps serving), ``feed`` (a feed failing ``FEED_ALERT_AFTER`` polls in a row). To
``ALERT_CHAT_ID`` when set, else to every admin in their private chat.
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Iterable

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

log = logging.getLogger(__name__)

FEED_ALERT_AFTER = 3  # polls in a row that failed before a feed is worth an alert
_TITLES = {"error": "Lỗi khi xử lý tin nhắn", "reload": "Nạp lại dữ liệu thất bại", "feed": "Nguồn tin lỗi liên tục"}


class Alerts:
    """Rate-limited alerts to ``chat_ids`` (what was held back is counted in the next one)."""

    def __init__(self, chat_ids: Iterable[int], every: float = 600.0, secrets: Iterable[str] = ()) -> None:
        self.chat_ids = sorted(set(chat_ids))
        self.every = every
        self.secrets = [s for s in secrets if s]
        self._sent_at: dict[str, float] = {}
        self._held: dict[str, int] = {}
        self.feed_failures: dict[int, int] = {}  # feed id -> failed polls in a row

    async def send(self, bot: Bot, kind: str, detail: str) -> bool:
        """Send one alert unless one of this kind went out less than ``every`` seconds ago (then it
        is counted, and said with the next). Whether a message was sent."""
        now = time.monotonic()
        if not self.chat_ids:
            return False
        if kind in self._sent_at and now - self._sent_at[kind] < self.every:
            self._held[kind] = self._held.get(kind, 0) + 1
            return False
        held = self._held.pop(kind, 0)
        self._sent_at[kind] = now
        for secret in self.secrets:
            detail = detail.replace(secret, "[REDACTED]")
        text = f"🚨 <b>{_TITLES.get(kind, kind)}</b>\n{html.escape(detail[:1500])}"
        if held:
            text += f"\n<i>(và {held} lần nữa kể từ cảnh báo trước)</i>"
        sent = False
        for chat_id in self.chat_ids:
            try:
                await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
                sent = True
            except TelegramError as exc:  # an admin who never opened the chat, a chat gone
                log.warning("alert to %s not delivered: %s", chat_id, exc)
        return sent

    def feed_polled(self, feed_id: int, failed: bool) -> bool:
        """Count a feed's poll; True exactly when it has failed ``FEED_ALERT_AFTER`` times in a row."""
        count = self.feed_failures.get(feed_id, 0) + 1 if failed else 0
        self.feed_failures[feed_id] = count
        return count == FEED_ALERT_AFTER
