"""Every user and admin flow, end to end: the real PTB client, the fake Bot API on 127.0.0.1."""

import asyncio
import json
import sqlite3

from bot.corpus_admin import PRIVATE_ONLY
from bot.render import MAX_MESSAGE, NO_ANSWER, utf16_len
from bot.service import ADMIN_ONLY
from bot.telegram_bot import TEXT_ONLY
from tests.fake_telegram import BOT_ID, BOT_USERNAME, parse_html
from tests.telegram_env import ADMIN, USER, running_bot, service

QUESTION = "Tư lệnh Bộ đội Biên phòng là ai?"


def buttons(call):
    return [b["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


async def test_start_and_help(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, _):
        server.send_text(USER, USER, "/start")
        server.send_text(USER + 1, USER + 1, "/help")
        (start,) = await server.reply_to(USER)
        (help_,) = await server.reply_to(USER + 1)
        short = parse_html(start.params["text"])
        assert "5 bài báo" in short and "quang ninh" in short and len(short.splitlines()) <= 6
        assert buttons(start) == ["help"]
        server.press(USER, start.result, "help")  # the whole guide, one tap away
        (_, guide) = await server.reply_to(USER, 2)
        for call in (guide, help_):
            assert call.params["parse_mode"] == "HTML"
            text = parse_html(call.params["text"])
            assert "5 bài báo" in text and f"@{BOT_USERNAME}" in text
            assert "Phối hợp bảo vệ vững chắc chủ quyền" in text  # what the corpus is about: its titles
            assert "tu lenh" in text or "quang ninh" in text  # an example typed without accents


async def test_question_answered_with_source_bold_and_buttons(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, _):
        server.send_text(USER, USER, QUESTION)
        (reply,) = await server.reply_to(USER)
        html_text = reply.params["text"]
        assert "<b>Tư lệnh Bộ đội Biên phòng</b>" in html_text
        shown = parse_html(html_text)
        assert "Lê Đức Thái" in shown and "📰" in shown and "27/03/2024" in shown
        assert "Đại tướng Lương Cường" in shown  # the source title
        assert ".txt" not in shown  # never the data dir's file names (000_79f8….txt)
        data = buttons(reply)
        assert [d.split(":")[0] for d in data] == ["ctx", "ctx", "ctx", "fb", "fb", "page", "more"]
        assert all(len(d.encode()) <= 64 for d in data)
        assert not server.sent("sendChatAction", USER)  # answered at once: no "typing…"
    with sqlite3.connect(db_path) as db:
        row = db.execute("SELECT source, chat_type, user_hash, question, answered FROM queries").fetchone()
    assert row[0] == "telegram" and row[1] == "private" and row[3] == QUESTION and row[4] == 1
    assert row[2] and str(USER) not in row[2]  # pseudonymous user id


async def test_no_answer_is_a_friendly_hint(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, _):
        server.send_text(USER, USER, "Giá vàng hôm nay bao nhiêu?")
        (reply,) = await server.reply_to(USER)
        assert reply.params["text"] == NO_ANSWER and "reply_markup" not in reply.params


async def test_a_near_miss_says_no_sentence_answers_and_small_talk_gets_the_bots_voice(data_dir, db_path):
    """The corpus names a Chủ tịch UBND tỉnh, of another province: the reply says that no
    sentence answers directly and lists the related ones; "cảm ơn", "bạn là ai" and "sai rồi" get
    the bot's own words, never an article sentence, and are no context for the next question; a
    greeting before a question does not hide it."""
    from bot.render import CHAT_REPLIES, RELATED

    async with running_bot(data_dir, db_path) as (server, _):
        server.send_text(USER, USER, "Chủ tịch UBND tỉnh Quảng Ninh là ai?")
        (related,) = await server.reply_to(USER)
        text = parse_html(related.params["text"])
        assert text.startswith(RELATED) and "Chủ tịch UBND tỉnh" in text and "📰" in text
        talk = (("Cảm ơn bạn nhiều!", "thanks"), ("Bạn là ai?", "about"), ("Sai rồi", "feedback"))
        for chat, (line, kind) in enumerate(talk, USER + 1):
            server.send_text(chat, chat, line)
            (reply,) = await server.reply_to(chat)
            assert reply.params["text"] == CHAT_REPLIES[kind] and "reply_markup" not in reply.params
        server.send_text(USER + 2, USER + 2, QUESTION)
        (_, answer) = await server.reply_to(USER + 2, 2)
        shown = parse_html(answer.params["text"])
        assert "Lê Đức Thái" in shown and not shown.startswith(("🔎", RELATED))
        server.send_text(USER + 4, USER + 4, f"Xin chào, {QUESTION}")  # a greeting, then the question
        (greeted,) = await server.reply_to(USER + 4)
        assert "Lê Đức Thái" in parse_html(greeted.params["text"])


async def test_each_button(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, _):
        server.send_text(USER, USER, "Bộ đội Biên phòng")
        (reply,) = await server.reply_to(USER)
        message = reply.result
        ctx, _, _, up, down, _, more = buttons(reply)

        server.press(USER, message, ctx)
        passage = (await server.reply_to(USER, 2))[1]
        first_sentence = parse_html(reply.params["text"]).split("\n")[0].removeprefix("1. ")
        assert first_sentence[:60] in parse_html(passage.params["text"])
        assert "<b>" in passage.params["text"]

        server.press(USER, message, more)  # the same message turns to page 2: no new message
        (page2,) = await server.wait_for(lambda: server.sent("editMessageText"))
        assert int(page2.params["message_id"]) == message["message_id"] and len(server.sent("sendMessage", USER)) == 2
        assert parse_html(page2.params["text"]).startswith("4. ")
        kinds = [d.split(":")[0] for d in buttons(page2)]
        assert kinds[:6] == ["ctx", "ctx", "ctx", "fb", "fb", "more"] and kinds[6] == "page"
        back = buttons(page2)[5]
        assert back.endswith(":0") and "2/" in [b["text"] for r in page2.params["reply_markup"]["inline_keyboard"]
                                                 for b in r][6]  # fmt: skip
        server.press(USER, message, back)
        edits = await server.wait_for(lambda: server.sent("editMessageText")[1:] and server.sent("editMessageText"))
        assert parse_html(edits[1].params["text"]).startswith(parse_html(reply.params["text"])[:40])

        server.press(USER, message, up)
        server.press(USER + 7, message, down)
        answers = await server.wait_for(
            lambda: len(server.sent("answerCallbackQuery")) >= 5 and server.sent("answerCallbackQuery")
        )
        assert sum("Cảm ơn" in (a.params.get("text") or "") for a in answers) == 2

        server.press(USER, message, "junk:1")
        await server.wait_for(lambda: len(server.sent("answerCallbackQuery")) >= 6)
        assert "không còn dùng được" in server.sent("answerCallbackQuery")[-1].params["text"]
    with sqlite3.connect(db_path) as db:
        assert sorted(db.execute("SELECT helpful FROM feedback").fetchall()) == [(0,), (1,)]


async def test_group_mention_reply_and_ask_but_no_chatter(data_dir, db_path):
    group = -100500
    async with running_bot(data_dir, db_path) as (server, _):
        server.send_text(group, USER, QUESTION, chat_type="supergroup")  # chatter: ignored
        mention = f"@{BOT_USERNAME} {QUESTION}"
        server.send_text(group, USER, mention, chat_type="supergroup",
                         entities=[{"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}])  # fmt: skip
        (first,) = await server.reply_to(group)
        assert "Lê Đức Thái" in parse_html(first.params["text"])
        bot_message = first.result
        server.send_text(group, USER, "huyen nao ve dich nong thon moi", chat_type="supergroup", reply_to=bot_message)
        server.send_text(group, USER, f"/ask@{BOT_USERNAME} Bí thư Tỉnh ủy Quảng Ninh là ai?", chat_type="supergroup")
        replies = await server.reply_to(group, 3)
        texts = [parse_html(r.params["text"]) for r in replies]
        assert any("Bình Liêu" in t for t in texts) and any("Nguyễn Xuân Ký" in t for t in texts)
        await asyncio.sleep(0.5)
        assert len(server.sent("sendMessage", group)) == 3  # the chatter got nothing
        assert first.result["from"]["id"] == BOT_ID


async def test_inline_query(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, _):
        server.inline(USER, "tu lenh bo doi bien phong")
        (call,) = await server.reply_to(None, method="answerInlineQuery")
        results = call.params["results"]
        assert 1 <= len(results) <= 3
        assert "Lê Đức Thái" in parse_html(results[0]["input_message_content"]["message_text"])
        server.inline(USER, "gia vang hom nay")
        calls = await server.reply_to(None, 2, method="answerInlineQuery")
        assert calls[1].params["results"] == [] and "button" in calls[1].params
        for partial in ("tu l", "tu lenh bo", "tu lenh bo doi bien phong la"):  # one query a keystroke
            server.inline(USER, partial)
        await server.reply_to(None, 5, method="answerInlineQuery")
        server.choose_inline(USER, "tu lenh bo doi bien phong la ai", results[0]["id"])
        for _ in range(100):  # the log is written in the background: at most 10 s
            if logged(db_path):
                break
            await asyncio.sleep(0.1)
    assert logged(db_path) == [("inline", "tu lenh bo doi bien phong la ai")]  # only what was sent


def logged(db_path) -> list[tuple[str, str]]:
    """The query log's (source, question) rows, once the bot has written them."""
    try:
        with sqlite3.connect(db_path) as db:
            return db.execute("SELECT source, question FROM queries ORDER BY id").fetchall()
    except sqlite3.OperationalError:  # not created yet
        return []


async def test_admin_reload_and_non_admin_refused(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, app):
        server.send_text(USER, USER, "/reload")
        server.send_text(USER + 1, USER + 1, "/stats")
        assert (await server.reply_to(USER))[0].params["text"] == ADMIN_ONLY
        assert (await server.reply_to(USER + 1))[0].params["text"] == ADMIN_ONLY
        asked = [QUESTION, "Chủ tịch UBND tỉnh Quảng Ninh là ai?", "Giá vàng hôm nay bao nhiêu?", "Cảm ơn!"]
        for question in asked:
            server.send_text(USER + 2, USER + 2, question)
        await server.reply_to(USER + 2, 4)
        (data_dir / "000_7322326c6deb17f8.txt").unlink()
        server.send_text(ADMIN, ADMIN, "/reload")
        report = await server.wait_for(
            lambda: [c for c in server.sent("editMessageText") if "Đã nạp lại" in c.params["text"]]
        )
        text = parse_html(report[-1].params["text"])
        assert "4 bài" in text and "Tệp: thêm 0, sửa 0, xóa 1, giữ nguyên 4." in text  # files, labelled
        assert service(app).engine.index.size[0] == 4
        await service(app).engine.store.write_log()  # the log is written in the background
        server.send_text(ADMIN, ADMIN, "/stats")
        stats = parse_html((await server.reply_to(ADMIN, 2))[-1].params["text"])
        assert "Thống kê" in stats and "4 bài" in stats
        assert "Trả lời: 1 · chỉ câu liên quan: 1 · không có: 1 · trò chuyện: 1" in stats  # replies by verdict
        assert "cảm ơn" not in stats  # small talk is no unanswered question
        # in a group it would show users' unanswered questions to everyone: private chats only
        server.send_text(-100900, ADMIN, "/stats", chat_type="supergroup")
        (refused,) = await server.reply_to(-100900)
        assert refused.params["text"] == PRIVATE_ONLY


async def test_questions_are_answered_during_a_reload_and_a_failed_reload_keeps_the_old_index(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, app):
        engine = service(app).engine
        big = "\n".join(
            f"Đoạn {i}: lực lượng chức năng tuần tra khu vực cột mốc số {i} trên tuyến biên giới." for i in range(12000)
        )
        (data_dir / "big.txt").write_text("Bài rất dài\n" + big, encoding="utf-8")
        server.send_text(ADMIN, ADMIN, "/reload")
        await server.reply_to(ADMIN)  # "⏳ Đang nạp lại…"
        server.send_text(USER, USER, QUESTION)
        (answer,) = await server.reply_to(USER)
        report = await server.wait_for(
            lambda: [c for c in server.sent("editMessageText") if "Đã nạp lại" in c.params["text"]], 60
        )
        assert answer.at < report[-1].at  # answered from the old index while the reload ran
        assert "Lê Đức Thái" in parse_html(answer.params["text"])

        async def broken(*_):
            raise RuntimeError("disk on fire")

        engine.store.apply_changes = broken
        await engine.saved()  # the served index, mapped from disk once saved
        old = engine.index
        server.send_text(ADMIN, ADMIN, "/reload")
        failed = await server.wait_for(
            lambda: [c for c in server.sent("editMessageText") if "thất bại" in c.params["text"]]
        )
        assert "Dữ liệu cũ" in failed[0].params["text"] and engine.index is old
        server.send_text(USER, USER, QUESTION)
        assert "Lê Đức Thái" in parse_html((await server.reply_to(USER, 2))[1].params["text"])


async def test_admin_upload_and_refusals(data_dir, db_path):
    article = "Chim cánh cụt\nChim cánh cụt hoàng đế sống ở Nam Cực và chịu lạnh giỏi.\n".encode()
    async with running_bot(data_dir, db_path) as (server, _):
        server.send_document(USER, USER, "penguin.txt", article)
        assert (await server.reply_to(USER))[0].params["text"] == ADMIN_ONLY
        assert not (data_dir / "penguin.txt").exists()

        server.send_document(ADMIN, ADMIN, "../../chim cánh cụt.txt", article)
        await server.wait_for(lambda: [c for c in server.sent("editMessageText") if "Đã lưu tệp" in c.params["text"]])
        assert (data_dir / "chim_cánh_cụt.txt").read_bytes() == article
        assert not (data_dir.parent / "chim cánh cụt.txt").exists()
        server.send_text(USER, USER, "chim cánh cụt sống ở đâu?")
        assert "Nam Cực" in parse_html((await server.reply_to(USER, 2))[1].params["text"])

        server.send_document(ADMIN, ADMIN, "virus.exe", b"MZ\x00\x00")
        server.send_document(ADMIN, ADMIN, "latin.txt", "Ceci est un café très agréable.".encode("latin-1"))
        replies = await server.reply_to(ADMIN, 3)  # reload status, then two refusals
        refusals = [parse_html(r.params["text"]) for r in replies[-2:]]
        assert any(".txt, .jsonl" in r for r in refusals) and any("binary" in r or "UTF-8" in r for r in refusals)
        assert not (data_dir / "virus.exe").exists() and not (data_dir / "latin.txt").exists()


async def test_upload_over_the_size_limit(data_dir, db_path):
    async with running_bot(data_dir, db_path, upload_max_bytes=1000) as (server, _):
        server.send_document(ADMIN, ADMIN, "big.txt", ("Tiêu đề\n" + "Câu. " * 400).encode())
        (reply,) = await server.reply_to(ADMIN)
        assert "quá lớn" in reply.params["text"] and not (data_dir / "big.txt").exists()


async def test_reply_never_exceeds_telegram_limit(data_dir, db_path):
    long_sentence = "Đồn biên phòng Pò Hèn " + "tuần tra bảo vệ cột mốc " * 400 + "."
    record = {
        "title": "Bài dài " * 60,
        "text": "\n".join([long_sentence] * 1 + [long_sentence.replace("Pò", "Pò Hèn Pò")]),
    }
    (data_dir / "long.jsonl").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    async with running_bot(data_dir, db_path) as (server, _):
        server.send_text(USER, USER, "đồn biên phòng Pò Hèn tuần tra cột mốc")
        (reply,) = await server.reply_to(USER)
        assert utf16_len(parse_html(reply.params["text"])) <= MAX_MESSAGE
        assert "…" in reply.params["text"]


async def test_burst_of_100_questions_from_50_chats(data_dir, db_path):
    questions = [QUESTION, "quang ninh thu hut dau tu nuoc ngoai nam 2023 dat bao nhieu"]
    async with running_bot(data_dir, db_path) as (server, _):
        for chat in range(50):
            for question in questions:
                server.send_text(10_000 + chat, 10_000 + chat, question)
        await server.wait_for(lambda: len(server.sent("sendMessage")) >= 100, timeout=60)
        for chat in range(50):
            texts = [parse_html(c.params["text"]) for c in server.sent("sendMessage", 10_000 + chat)]
            assert len(texts) == 2 and any("Lê Đức Thái" in t for t in texts) and any("3,1 tỷ USD" in t for t in texts)
        assert not [c for c in server.calls if not c.ok]


async def test_a_group_burst_keeps_telegrams_flood_limits(data_dir, db_path):
    """23 questions at once in one group: the bot's limiter sends 20 and then one every 3 s, so
    the Bot API (which enforces 20/min per group here, as Telegram does) refuses nothing. With
    the bot's group and overall limits switched off, this test meets 429s and fails."""
    group = -100600
    async with running_bot(data_dir, db_path, questions_per_minute=100) as (server, _):
        for number in range(23):
            server.send_text(group, USER + number, f"/ask {QUESTION}", chat_type="supergroup")
        replies = await server.reply_to(group, 23, timeout=30)
        assert all("Lê Đức Thái" in parse_html(r.params["text"]) for r in replies)
        assert not [c for c in server.calls if not c.ok]
        assert replies[-1].at - replies[0].at >= 8  # the last three waited for the group's limit


async def test_flood_control_429_is_retried(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, _):
        server.fail("sendMessage", 429, retry_after=1)
        server.send_text(USER, USER, QUESTION)
        (reply,) = await server.reply_to(USER)
        failed = [c for c in server.calls if c.method == "sendMessage" and not c.ok]
        assert len(failed) == 1 and reply.at - failed[0].at >= 0.9  # waited retry_after, then sent


async def test_per_user_throttling(data_dir, db_path):
    async with running_bot(data_dir, db_path, questions_per_minute=3) as (server, _):
        for _ in range(4):
            server.send_text(USER, USER, QUESTION)
        replies = await server.reply_to(USER, 4)
        assert sum("hỏi hơi nhanh" in r.params["text"] for r in replies) == 1
        server.send_text(USER + 1, USER + 1, QUESTION)  # others are not slowed down
        assert "Lê Đức Thái" in parse_html((await server.reply_to(USER + 1))[0].params["text"])


async def test_stickers_get_a_hint_and_long_questions_a_limit(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, _):
        sticker = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1}
        server.send_text(USER, USER, None, sticker={**sticker, "is_animated": False, "is_video": False})
        assert (await server.reply_to(USER))[0].params["text"] == TEXT_ONLY
        server.send_text(USER, USER, "biên phòng " * 1500)
        assert "dài quá" in (await server.reply_to(USER, 2))[1].params["text"]


async def test_semantic_reranking_through_the_bot(tmp_path, db_path):
    """With the model on (the default), the bot answers at once, and re-ranks once the background
    work has the vectors; /stats shows its progress."""
    from tests.test_semantic import ANSWER, DECOY, PARAPHRASE

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(f"Quân y khám bệnh cho đồng bào\n\n{ANSWER}\n", encoding="utf-8")
    (corpus / "b.txt").write_text(f"Mùa chè ở vùng biên\n\n{DECOY}\n", encoding="utf-8")
    async with running_bot(corpus, db_path, semantic_rerank=True) as (server, app):
        engine = service(app).engine
        assert engine.encoder is not None
        await asyncio.wait_for(engine.semantic_ready(), 120)
        server.send_text(USER, USER, PARAPHRASE)
        (reply,) = await server.reply_to(USER)
        text = parse_html(reply.params["text"])
        assert text.index("y sĩ quân y") < text.index("trồng chè")
        server.send_text(ADMIN, ADMIN, "/stats")
        (stats,) = await server.reply_to(ADMIN)
        assert "Chỉ mục ngữ nghĩa: đầy đủ (2 câu)" in parse_html(stats.params["text"])


async def test_files_changed_outside_the_bot_are_answered_from_without_a_reload(data_dir, db_path):
    """A file dropped into the data dir by the CLI, cron or an editor: the bot's scan notices it."""
    async with running_bot(data_dir, db_path, data_scan_seconds=1) as (server, app):
        engine = service(app).engine
        assert await engine.reload_if_changed() is None  # nothing changed: no reload
        (data_dir / "pac-ma.txt").write_text(
            "Đồn Biên phòng Pắc Ma\n\nĐồn Biên phòng Pắc Ma có 38 cán bộ, chiến sĩ đóng quân tại xã Ka Lăng.\n",
            encoding="utf-8",
        )
        for _ in range(100):  # the scan runs every second: at most 10 s
            if engine.index.size[0] == 6:
                break
            await asyncio.sleep(0.1)
        server.send_text(USER, USER, "Đồn Biên phòng Pắc Ma có bao nhiêu cán bộ, chiến sĩ?")
        (reply,) = await server.reply_to(USER)
        assert "38 cán bộ" in parse_html(reply.params["text"])
