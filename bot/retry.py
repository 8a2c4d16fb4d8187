"""Flood control plus retries of what is safe to retry, in one python-telegram-bot rate limiter.

``AIORateLimiter`` keeps Telegram's limits (overall and per group) and waits out ``429
RetryAfter``. On top of that:
- a 5xx answer or a refused connection means Telegram did not act: any method is retried;
- a timeout or a connection dropped mid-answer may mean it did: only methods that are safe to
  repeat are retried (``sendMessage`` is not — the user could get the answer twice).
Retries wait 0.5 s, 1 s, 2 s … and stop after ``network_retries``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

SAFE_TO_REPEAT = frozenset(
    {
        "getMe", "getFile", "getUpdates", "getChat", "sendChatAction", "answerCallbackQuery",
        "answerInlineQuery", "editMessageText", "editMessageReplyMarkup", "setMyCommands",
        "deleteWebhook", "deleteMessage",
    }
)  # fmt: skip


def is_retryable(exc: NetworkError, endpoint: str) -> bool:
    """Whether a failed call may be sent again (see module docstring)."""
    if isinstance(exc, BadRequest):
        return False
    transport = str(exc).startswith("httpx.")
    if isinstance(exc, TimedOut) or (transport and not str(exc).startswith("httpx.ConnectError")):
        return endpoint in SAFE_TO_REPEAT
    return True  # an HTTP error status from the server (5xx), or the connection was refused


class RetryingRateLimiter(AIORateLimiter):
    def __init__(self, network_retries: int = 3, backoff: float = 0.5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.network_retries = network_retries
        self.backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        for attempt in range(self.network_retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as exc:
                if attempt == self.network_retries or not is_retryable(exc, endpoint):
                    raise
                delay = self.backoff * 2**attempt
                log.warning("%s failed (%s); retry %d in %.1f s", endpoint, exc, attempt + 1, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
