"""Settings from the environment and ``.env`` (the real environment wins over the file).

Every setting is documented in ``.env.example``. The token is a secret: it is kept out of
``repr`` so that logging a Settings object never prints it.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from retrieval.corpus import DEFAULT_MAX_FILE_BYTES
from retrieval.engine import BUSY_WAIT, QAEngine
from retrieval.index.semantic import Encoder
from retrieval.reconcile import Progress, ReloadReport
from retrieval.web.fetch import Fetcher
from retrieval.web.ingest import WebCorpus

DEFAULT_API_URL = "https://api.telegram.org"


class ConfigError(ValueError):
    """A setting has a value the bot cannot use; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    db_path: Path = Path("var/bot.sqlite3")
    top_k: int = 3
    log_level: str = "INFO"
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    telegram_bot_token: str | None = field(default=None, repr=False)
    admin_ids: frozenset[int] = frozenset()
    telegram_api_url: str = DEFAULT_API_URL
    questions_per_minute: int = 20
    upload_max_bytes: int = 5 * 1024 * 1024
    allowed_user_ids: frozenset[int] = frozenset()
    allowed_chat_ids: frozenset[int] = frozenset()
    rate_limit_per_second: int = 30
    telegram_timeout: float = 10.0
    typing_after_ms: int = 300
    semantic_rerank: bool = True
    context_minutes: int = 10
    feed_interval_minutes: int = 30
    feed_poll_seconds: int = 120
    fetch_timeout: float = 15.0
    fetch_max_bytes: int = 5 * 1024 * 1024
    allow_private_urls: bool = False
    health_port: int = 0  # 0: no health endpoint
    health_host: str = "127.0.0.1"
    webhook_url: str | None = None  # set: Telegram pushes updates there (else long polling)
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    alert_chat_id: int | None = None  # None: alerts go to the admins
    alert_every_minutes: int = 10
    data_scan_seconds: int = 60  # 0: changes outside the bot wait for /reload
    db_busy_seconds: int = int(BUSY_WAIT)  # how long start-up waits for a database another process holds


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _chat_id(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not raw.lstrip("-").isdigit():
        raise ConfigError(f"{name} takes a numeric Telegram chat id, got {raw!r}")
    return int(raw)


def _port(env: Mapping[str, str], name: str) -> int:
    port = _int(env, name, 0, minimum=0)
    if port > 65535:
        raise ConfigError(f"{name} must be a port number (1-65535), got {port}")
    return port


def _webhook(env: Mapping[str, str]) -> dict[str, object]:
    """WEBHOOK_URL and its companions. Without WEBHOOK_SECRET a random one is made at each start
    (Telegram is told it with the webhook), so that only Telegram's posts are accepted."""
    url = (env.get("WEBHOOK_URL") or "").strip() or None
    secret = (env.get("WEBHOOK_SECRET") or "").strip() or None
    if url is not None and not url.lower().startswith(("https://", "http://")):
        raise ConfigError(f"WEBHOOK_URL must be an https:// address Telegram can reach, got {url!r}")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise ConfigError("WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and -, at most 256 of them")
    return {
        "webhook_url": url,
        "webhook_secret": secret or (secrets.token_urlsafe(32) if url else None),
        "webhook_listen": (env.get("WEBHOOK_LISTEN") or "127.0.0.1").strip(),
        "webhook_port": _port(env, "WEBHOOK_PORT") or 8443,
    }


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("on", "1", "true", "yes"):
        return True
    if raw in ("off", "0", "false", "no"):
        return False
    raise ConfigError(f"{name} must be on or off, got {raw!r}")


def _ids(raw: str, name: str) -> frozenset[int]:
    """Comma-separated numeric ids (usernames change, ids do not)."""
    ids = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(f"{name} takes numeric Telegram ids, got {part!r}")
        ids.add(int(part))
    return frozenset(ids)


def load_settings(env_file: Path | None = Path(".env"), environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings: ``.env`` first, then the process environment on top."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return Settings(
        data_dir=Path(values.get("DATA_DIR") or "data"),
        db_path=Path(values.get("DB_PATH") or "var/bot.sqlite3"),
        top_k=_int(values, "TOP_K", 3),
        log_level=(values.get("LOG_LEVEL") or "INFO").upper(),
        max_file_bytes=_int(values, "MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES),
        telegram_bot_token=(values.get("TELEGRAM_BOT_TOKEN") or "").strip() or None,
        admin_ids=_ids(values.get("ADMIN_IDS", ""), "ADMIN_IDS"),
        telegram_api_url=(values.get("TELEGRAM_API_URL") or DEFAULT_API_URL).rstrip("/"),
        questions_per_minute=_int(values, "QUESTIONS_PER_MINUTE", 20),
        # The Bot API lets bots download files of at most 20 MB.
        upload_max_bytes=min(_int(values, "UPLOAD_MAX_BYTES", 5 * 1024 * 1024), 20 * 1024 * 1024),
        allowed_user_ids=_ids(values.get("ALLOWED_USER_IDS", ""), "ALLOWED_USER_IDS"),
        allowed_chat_ids=_ids(values.get("ALLOWED_CHAT_IDS", ""), "ALLOWED_CHAT_IDS"),
        rate_limit_per_second=_int(values, "RATE_LIMIT_PER_SECOND", 30, minimum=0),
        telegram_timeout=float(_int(values, "TELEGRAM_TIMEOUT", 10)),
        typing_after_ms=_int(values, "TYPING_AFTER_MS", 300, minimum=0),
        semantic_rerank=_switch(values, "SEMANTIC_RERANK", True),
        context_minutes=_int(values, "CONTEXT_MINUTES", 10, minimum=0),
        feed_interval_minutes=_int(values, "FEED_INTERVAL_MINUTES", 30),
        feed_poll_seconds=_int(values, "FEED_POLL_SECONDS", 120),
        fetch_timeout=float(_int(values, "FETCH_TIMEOUT", 15)),
        fetch_max_bytes=_int(values, "FETCH_MAX_BYTES", 5 * 1024 * 1024),
        allow_private_urls=_switch(values, "ALLOW_PRIVATE_URLS", False),
        health_port=_port(values, "HEALTH_PORT"),
        health_host=(values.get("HEALTH_HOST") or "127.0.0.1").strip(),
        **_webhook(values),
        alert_chat_id=_chat_id(values, "ALERT_CHAT_ID"),
        alert_every_minutes=_int(values, "ALERT_EVERY_MINUTES", 10, minimum=0),
        data_scan_seconds=_int(values, "DATA_SCAN_SECONDS", 60, minimum=0),
        db_busy_seconds=_int(values, "DB_BUSY_SECONDS", int(BUSY_WAIT), minimum=0),
    )


def open_web(settings: Settings, engine: QAEngine) -> WebCorpus:
    """Articles by link and feeds for ``engine``, with these settings' limits (close its
    ``fetcher`` when done)."""
    fetcher = Fetcher(settings.fetch_timeout, settings.fetch_max_bytes, settings.allow_private_urls)
    return WebCorpus(engine, fetcher, settings.feed_poll_seconds)


async def open_engine(
    settings: Settings,
    data_dir: Path | None = None,
    db_path: Path | None = None,
    progress: Progress | None = None,
) -> tuple[QAEngine, ReloadReport]:
    """The engine these settings describe (``data_dir``/``db_path`` override theirs), with the
    semantic model unless ``SEMANTIC_RERANK=off``; every front end opens it this way."""
    encoder = await asyncio.to_thread(Encoder.load) if settings.semantic_rerank else None
    return await QAEngine.open(
        data_dir or settings.data_dir,
        db_path or settings.db_path,
        max_file_bytes=settings.max_file_bytes,
        progress=progress,
        encoder=encoder,
        busy_wait=settings.db_busy_seconds,
    )
