"""What users can send, through the real client and the fake Bot API: a clear reply or a sensible
silence, never a crash, never a call Telegram would refuse."""

import sqlite3
import unicodedata

import pytest

from bot.render import CHAT_REPLIES, NO_ANSWER
from bot.telegram_bot import TEXT_ONLY
from tests.fake_telegram import parse_html
from tests.telegram_env import USER, running_bot

ANSWERED = [
    "Tư\u200b lệnh\u202e Bộ đội\x07 Biên\u200f phòng\u2066 là ai?",  # zero-width, RTL marks, control
    "<b>Tư lệnh</b> **Bộ đội Biên phòng** là _ai_?",  # HTML and Markdown
    unicodedata.normalize("NFD", "Tư lệnh Bộ đội Biên phòng là ai?"),
    "TƯ LỆNH BỘ ĐỘI BIÊN PHÒNG LÀ AI???",
    "tu lenh bo doi bien phong la ai",
]
NOT_ANSWERED = [
    "'; DROP TABLE queries; --",
    "1 OR 1=1; SELECT * FROM sentences",
    "中国边防部队司令是谁？",
    "Кто командует пограничными войсками?",
    "ใครเป็นผู้บัญชาการ",
    "%s %n {0} ${jndi:ldap://x}",
    "<script>alert(1)</script>",
]


async def test_odd_text_is_answered_or_refused_cleanly(data_dir, db_path):
    async with running_bot(data_dir, db_path, rate_limit_per_second=0) as (server, _):
        chats = {}
        for i, text in enumerate(ANSWERED + NOT_ANSWERED + ["😀😀😀", "   ", "\u200b\u200b", "biên phòng " * 1200]):
            chats[text] = 50_000 + i
            server.send_text(50_000 + i, 50_000 + i, text)
        await server.wait_for(lambda: all(server.sent("sendMessage", c) for c in chats.values()), 30)
        for text, chat in chats.items():
            (reply,) = server.sent("sendMessage", chat)
            shown = parse_html(reply.params["text"]) if reply.params.get("parse_mode") else reply.params["text"]
            if text in ANSWERED:
                assert "Lê Đức Thái" in shown, text
            elif text in NOT_ANSWERED:
                assert shown == NO_ANSWER, text
            elif text == "😀😀😀":  # small talk: the bot's own voice
                assert shown == CHAT_REPLIES["ack"]
            elif len(text) > 1000:
                assert "dài quá" in shown
            else:
                assert "muốn hỏi gì" in shown  # blank or invisible-only text
        assert not [c for c in server.calls if not c.ok]  # Telegram would have accepted every call
    with sqlite3.connect(db_path) as db:  # SQL-looking text is data, nothing more
        logged = {q for (q,) in db.execute("SELECT question FROM queries")}
        assert "'; DROP TABLE queries; --" in logged
        assert db.execute("SELECT count(*) FROM sentences").fetchone()[0] > 100


@pytest.mark.parametrize(
    "media",
    [
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 2}},
        {"location": {"latitude": 21.0, "longitude": 105.8}},
    ],
)
async def test_media_without_text_gets_a_hint_in_private_and_silence_in_groups(data_dir, db_path, media):
    async with running_bot(data_dir, db_path) as (server, _):
        server.send_text(USER, USER, None, **media)
        assert (await server.reply_to(USER))[0].params["text"] == TEXT_ONLY
        server.send_text(-100777, USER, None, chat_type="supergroup", **media)
        server.send_text(USER + 1, USER + 1, "/start")  # a later update is handled...
        await server.reply_to(USER + 1)
        assert server.sent("sendMessage", -100777) == []  # ...and the group stayed quiet
