import logging
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings
from bot.logs import REDACTED, RedactingFormatter
from bot.service import Throttle


def test_env_file_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("TELEGRAM_BOT_TOKEN=from-file\nADMIN_IDS=1, 2\nTOP_K=5\nDATA_DIR=corpus\n", encoding="utf-8")
    settings = load_settings(env_file, {"TOP_K": "2"})
    assert settings.telegram_bot_token == "from-file" and settings.admin_ids == {1, 2}
    assert settings.top_k == 2 and str(settings.data_dir) == "corpus"
    assert "from-file" not in repr(settings)


def test_defaults_without_anything(tmp_path):
    settings = load_settings(tmp_path / "missing.env", {})
    assert settings.telegram_bot_token is None and settings.top_k == 3
    assert settings.telegram_api_url == "https://api.telegram.org" and str(settings.db_path) == "var/bot.sqlite3"


def test_env_example_documents_the_defaults():
    example = Path(__file__).resolve().parent.parent / ".env.example"
    assert load_settings(example, {}) == Settings()
    lines = example.read_text(encoding="utf-8").splitlines()
    named = {line.split("=")[0] for line in lines if "=" in line and not line.startswith("#")}
    assert {"TYPING_AFTER_MS", "TELEGRAM_TIMEOUT", "TELEGRAM_BOT_TOKEN"} <= named
    assert load_settings(None, {"TYPING_AFTER_MS": "0"}).typing_after_ms == 0
    assert "SEMANTIC_RERANK" in named and Settings().semantic_rerank
    assert not load_settings(None, {"SEMANTIC_RERANK": "off"}).semantic_rerank


BAD = [
    ({"ADMIN_IDS": "@alice"}, "numeric"),
    ({"ALLOWED_CHAT_IDS": "x"}, "ALLOWED_CHAT_IDS"),
    ({"TOP_K": "x"}, "TOP_K"),
    ({"TOP_K": "0"}, "at least 1"),
    ({"TYPING_AFTER_MS": "-1"}, "at least 0"),
    ({"SEMANTIC_RERANK": "maybe"}, "on or off"),
    ({"DB_BUSY_SECONDS": "-1"}, "DB_BUSY_SECONDS must be at least 0"),
]


@pytest.mark.parametrize(("env", "message"), BAD)
def test_bad_settings_are_named(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(None, env)


def test_secrets_are_redacted_in_messages_and_tracebacks():
    formatter = RedactingFormatter("%(message)s", ["123:SECRET"])
    try:
        raise RuntimeError("POST https://api.telegram.org/bot123:SECRET/getMe failed")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "url %s", ("bot123:SECRET",), exc_info=True)
        import sys

        record.exc_info = sys.exc_info()
    text = formatter.format(record)
    assert "SECRET" not in text and text.count(REDACTED) >= 2


def test_throttle_window():
    throttle = Throttle(limit=2, window=10)
    assert throttle.wait_seconds(1, now=0) == 0 and throttle.wait_seconds(1, now=1) == 0
    assert throttle.wait_seconds(1, now=2) == pytest.approx(8)
    assert throttle.wait_seconds(2, now=2) == 0
    assert throttle.wait_seconds(1, now=10.5) == 0
