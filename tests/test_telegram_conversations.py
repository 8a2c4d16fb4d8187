"""Follow-up questions through the real PTB client and the fake Bot API: private chats, users in
a group kept apart, replies to old answers, expiry, /new, inline mode without context."""

from __future__ import annotations

import asyncio
import dataclasses

from bot.telegram_bot import NEW_CONVERSATION
from tests.fake_telegram import BOT_USERNAME, parse_html
from tests.telegram_env import USER, running_bot, service

COMMANDER = "Tư lệnh Bộ đội Biên phòng là ai?"
FOLLOW_UP = "Còn Chính ủy?"
UNDERSTOOD = "🔎 Hiểu là: Chính ủy Bộ đội Biên phòng là ai?"


async def asked(server, text: str, replies: int, **options) -> str:
    """USER asks ``text`` in a private chat; the text of the bot's ``replies``-th reply there."""
    server.send_text(USER, USER, text, **options)
    return parse_html((await server.reply_to(USER, replies))[-1].params["text"])


async def test_private_chat_follow_up_then_new(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, _):
        await asked(server, COMMANDER, 1)
        follow_up = await asked(server, FOLLOW_UP, 2)
        assert follow_up.startswith(UNDERSTOOD) and "Nguyễn Anh Tuấn" in follow_up
        # following the follow-up, back to the first person: not named in the previous answer
        unaccented = await asked(server, "con tu lenh thi sao", 3)
        assert unaccented.startswith("🔎 Hiểu là: Tu lenh Bo doi Bien phong la ai?") and "Lê Đức Thái" in unaccented
        assert await asked(server, "/new", 4) == NEW_CONVERSATION
        assert "Hiểu là" not in await asked(server, FOLLOW_UP, 5)


async def test_tell_me_more_shows_the_next_sentences(data_dir, db_path):
    """ "Kể thêm đi" had the same three sentences again; now the next ones, then the ones after."""

    def sentences(reply: str) -> set[str]:
        return {line.split(". ", 1)[1] for line in reply.splitlines() if line[:1].isdigit()}

    async with running_bot(data_dir, db_path) as (server, _):
        first = sentences(await asked(server, "Đại tướng Lương Cường yêu cầu gì?", 1))
        more = sentences(await asked(server, "Kể thêm đi", 2))
        again = await asked(server, "Kể thêm đi", 3)
        assert first and more and not first & more and not (first | more) & sentences(again)


async def test_standalone_question_is_not_bent_by_context(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, _):
        await asked(server, COMMANDER, 1)
        reply = await asked(server, "Bí thư Tỉnh ủy Quảng Ninh là ai?", 2)
        assert "Hiểu là" not in reply and "Nguyễn Xuân Ký" in reply


async def test_users_in_a_group_have_their_own_conversations(data_dir, db_path):
    group, other = -100777, USER + 1
    async with running_bot(data_dir, db_path) as (server, _):
        server.send_text(group, USER, f"/ask@{BOT_USERNAME} {COMMANDER}", chat_type="supergroup")
        await server.reply_to(group, 1)
        ask = f"/ask@{BOT_USERNAME}"
        server.send_text(group, other, f"{ask} Bí thư Tỉnh ủy Quảng Ninh là ai?", chat_type="supergroup")
        await server.reply_to(group, 2)
        server.send_text(group, USER, f"/ask@{BOT_USERNAME} {FOLLOW_UP}", chat_type="supergroup")
        mine = parse_html((await server.reply_to(group, 3))[-1].params["text"])
        server.send_text(group, other, f"{ask} Tỉnh này thu hút đầu tư nước ngoài năm 2023 đạt bao nhiêu?",
                         chat_type="supergroup")  # fmt: skip
        theirs = parse_html((await server.reply_to(group, 4))[-1].params["text"])
        assert mine.startswith(UNDERSTOOD) and "Nguyễn Anh Tuấn" in mine
        assert "Hiểu là: Tỉnh Quảng Ninh thu hút" in theirs and "3,1 tỷ USD" in theirs


async def test_reply_to_an_old_answer_makes_its_question_the_context(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, _):
        await asked(server, COMMANDER, 1)
        first = server.sent("sendMessage", USER)[0].result
        await asked(server, "Huyện nào về đích nông thôn mới?", 2)
        reply = await asked(server, FOLLOW_UP, 3, reply_to=first)
        assert reply.startswith(UNDERSTOOD) and "Nguyễn Anh Tuấn" in reply


async def test_context_expires(data_dir, db_path):
    async with running_bot(data_dir, db_path, context_minutes=10) as (server, app):
        await asked(server, COMMANDER, 1)
        memory = service(app).memory
        for _ in range(100):  # the turn is remembered once the reply is sent
            if memory._conversations:
                break
            await asyncio.sleep(0.01)
        for conversation in memory._conversations.values():  # eleven minutes pass
            old = [dataclasses.replace(t, at=t.at - 11 * 60) for t in conversation.turns]
            conversation.turns.clear()
            conversation.turns.extend(old)
        assert "Hiểu là" not in await asked(server, FOLLOW_UP, 2)


async def test_inline_queries_stand_alone(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, _):
        await asked(server, COMMANDER, 1)
        server.inline(USER, FOLLOW_UP)
        (call,) = await server.reply_to(None, 1, method="answerInlineQuery")
        texts = [r["input_message_content"]["message_text"] for r in call.params["results"]]
        assert not any("Hiểu là" in t for t in texts)
