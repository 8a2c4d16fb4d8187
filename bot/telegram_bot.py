"""The Telegram bot: python-telegram-bot v22, long polling, on top of ``retrieval.QAEngine``.

Users ask in a private chat (any text), in groups by mentioning the bot, replying to it or with
``/ask``, and inline (``@bot question``). Admins (numeric ids in ADMIN_IDS) manage the corpus with
the commands of ``bot.corpus_admin``. Resources open in ``post_init`` and close in
``post_shutdown``; flood limits and retries are in ``bot.retry.RetryingRateLimiter``. This module
keeps the question handlers and the wiring.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from datetime import UTC, datetime
from urllib.parse import urlsplit

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import corpus_admin
from bot.config import Settings, open_engine, open_web
from bot.health import HealthServer
from bot.render import MAX_PAGES, NO_ANSWER, answers_html, answers_keyboard, chat_reply, page_count, passage_html
from bot.retry import RetryingRateLimiter
from bot.service import LOADING, SERVICE, BotService, service_of
from retrieval.engine import QAEngine
from retrieval.text.normalize import clean_unicode

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000

START = """<b>Xin chào! Mình trả lời câu hỏi từ {articles} bài báo về {topic}</b>, kèm nguồn.

Cứ gõ câu hỏi, có dấu hay không đều được, ví dụ:
• Tư lệnh Bộ đội Biên phòng là ai?
• quang ninh thu hut dau tu nuoc ngoai nam 2023 dat bao nhieu"""

HELP = """<b>Xin chào! Mình là bot hỏi đáp từ kho bài báo tiếng Việt.</b>

Mình trả lời bằng những câu phù hợp nhất trong kho <b>{articles}</b> bài báo ({sentences} câu), \
kèm nguồn: tên bài, ngày đăng. Một số bài trong kho:
{titles}

<b>Hỏi thế nào?</b> Cứ gõ câu hỏi, có dấu hay không dấu đều được:
• Tư lệnh Bộ đội Biên phòng là ai?
• quang ninh thu hut dau tu nuoc ngoai nam 2023 dat bao nhieu
• Huyện nào về đích nông thôn mới?

<b>Các nút dưới câu trả lời:</b>
📄 <i>n</i> — xem đoạn văn quanh câu thứ <i>n</i>
👍 / 👎 — câu trả lời có hữu ích không
⬅️ 1/5 ➡️ — lật sang trang kết quả khác

<b>Hỏi tiếp:</b> mình nhớ các câu hỏi trong {minutes} phút gần nhất, nên có thể hỏi tiếp \
"Còn phó giám đốc?", "Ông ấy quê ở đâu?", "Tỉnh này có mấy huyện?", "Kể thêm đi". Trả lời (reply) một câu trả lời cũ \
để hỏi tiếp về nó; /new để bắt đầu lại.

Trong nhóm: nhắc tên mình (@{username} câu hỏi), trả lời tin nhắn của mình, hoặc dùng /ask câu hỏi.
Ở bất kỳ cuộc trò chuyện nào: gõ @{username} câu hỏi."""

TEXT_ONLY = "✍️ Mình chỉ đọc được câu hỏi dạng chữ. Bạn hãy gõ câu hỏi nhé!"
ERROR = "⚠️ Đã có lỗi xảy ra. Bạn thử lại sau ít phút nhé."
NEW_CONVERSATION = "🆕 Bắt đầu cuộc trò chuyện mới: câu hỏi tiếp theo không dựa vào các câu trước."


# --- users ---------------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: a few lines and a button for the whole guide (a new user reads a screen, not a manual)."""
    if context.args == ["help"]:  # the deep link of an inline query that found nothing
        await guide(update, context)
        return
    index = service_of(context).engine.index if service_of(context).engine else None
    articles = index.size[0] if index else 0
    text = START.format(articles=articles, topic="Bộ đội Biên phòng")
    button = InlineKeyboardMarkup([[InlineKeyboardButton("📖 Hướng dẫn đầy đủ", callback_data="help")]])
    await update.effective_message.reply_html(text, reply_markup=button)


async def guide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help (and /start's button): what the bot knows, how to ask, the buttons, follow-ups, groups."""
    index = service_of(context).engine.index if service_of(context).engine else None
    articles, _, sentences = index.size if index else (0, 0, 0)
    titles = "\n".join(f"• <i>{html.escape(_shorten(d.title, 90))}</i>" for d in (index.live_docs(5) if index else []))
    text = HELP.format(
        articles=articles,
        sentences=sentences,
        titles=titles,
        username=html.escape(context.bot.username or "bot"),
        minutes=f"{service_of(context).settings.context_minutes:g}",
    )
    if update.callback_query is not None:
        await update.callback_query.answer()
    await update.effective_message.reply_html(text, disable_web_page_preview=True)


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any text in a private chat is a question."""
    await answer_question(update, context, update.effective_message.text or "")


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups, answer only when mentioned or replied to; ignore other chatter."""
    message = update.effective_message
    text = message.text or ""
    mention = f"@{context.bot.username}".lower()
    mentions = [e for e, value in message.parse_entities([MessageEntity.MENTION]).items() if value.lower() == mention]
    replied = message.reply_to_message is not None and message.reply_to_message.from_user is not None
    if mentions:
        for entity in sorted(mentions, key=lambda e: e.offset, reverse=True):
            text = _cut_utf16(text, entity.offset, entity.length)
    elif not (replied and message.reply_to_message.from_user.id == context.bot.id):
        return
    await answer_question(update, context, text)


def _cut_utf16(text: str, offset: int, length: int) -> str:
    """Remove an entity from text; Telegram's offsets count UTF-16 code units."""
    raw = text.encode("utf-16-le")
    return (raw[: offset * 2] + raw[(offset + length) * 2 :]).decode("utf-16-le")


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask question — works in groups and private chats."""
    question = " ".join(context.args or [])
    if not question.strip():
        await update.effective_message.reply_text("Cách dùng: /ask câu hỏi của bạn")
        return
    await answer_question(update, context, question)


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Throttle, search off the event loop, reply with the first page and its buttons."""
    service = service_of(context)
    message = update.effective_message
    user = update.effective_user
    if not clean_unicode(question):  # blank, or only invisible characters
        await message.reply_text("Bạn muốn hỏi gì? Hãy gõ câu hỏi sau tên mình nhé.")
        return
    if len(question) > MAX_QUESTION_CHARS:
        await message.reply_text(
            f"✂️ Câu hỏi dài quá ({len(question)} ký tự). Bạn hỏi ngắn gọn hơn nhé (tối đa {MAX_QUESTION_CHARS})."
        )
        return
    if user is not None and (wait := service.throttle.wait_seconds(user.id)) > 0:
        await message.reply_text(f"⏳ Bạn hỏi hơi nhanh. Vui lòng đợi {int(wait) + 1} giây rồi hỏi tiếp nhé.")
        return
    engine = service.engine
    if engine is None or engine.index is None:
        await message.reply_text(LOADING)
        return
    top_k = service.settings.top_k
    asking = asyncio.ensure_future(
        engine.ask(
            question,
            top_k * MAX_PAGES,  # how many pages "more results" has
            source="telegram",
            chat_type=message.chat.type,
            user_hash=service.user_hash(user.id) if user else None,
            previous=service.memory.previous(message, user),
        )
    )
    await _typing_unless_done(context.bot, message.chat_id, asking, service.settings.typing_after_ms / 1000)
    asked = await asking
    result, query_id = asked.result, asked.query_id
    if result.verdict == "chat":  # small talk: the bot's own voice, and no context for what follows
        await message.reply_text(chat_reply(question))
        return
    shown = result.answers[:top_k]
    if shown or result.understood_as:
        reply = await message.reply_html(
            answers_html(result, shown),
            reply_markup=answers_keyboard(query_id, 0, page_count(len(result.answers), top_k), 1, shown)
            if shown
            else None,
            disable_web_page_preview=True,
        )
    else:
        reply = await message.reply_text(NO_ANSWER)
    service.memory.remember(message, user, result.understood_as or question, [a.sentence for a in shown], reply)


async def new_conversation(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/new: forget the conversation; the next question starts afresh."""
    service_of(context).memory.forget(update.effective_message, update.effective_user)
    await update.effective_message.reply_text(NEW_CONVERSATION)


async def _typing_unless_done(bot: Bot, chat_id: int, work: asyncio.Future, after: float) -> None:
    """Show "typing…" only when ``work`` is not done ``after`` seconds in: the Bot API advises the
    action only for replies that take noticeable time, and sending it for every millisecond answer
    made it half of all API calls (bench.scale --e2e: answers/s at 100k passages, with and without)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(work), after)
        return
    with contextlib.suppress(TelegramError):  # a lost "typing…" must not lose the answer
        await bot.send_chat_action(chat_id, ChatAction.TYPING)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inline buttons: "more:<query>:<page>", "ctx:<sentence>", "fb:<query>:<1|0>"."""
    query = update.callback_query
    service = service_of(context)
    engine = service.engine
    kind, *args = (query.data or "").split(":")
    if engine is None or engine.index is None:
        await query.answer(LOADING, show_alert=True)
        return
    try:
        numbers = [int(a) for a in args]
    except ValueError:
        numbers = []
    if kind == "fb" and len(numbers) == 2:
        stored = await engine.record_feedback(numbers[0], service.user_hash(query.from_user.id), numbers[1] == 1)
        await query.answer("Cảm ơn bạn đã góp ý! 🙏" if stored else "Câu hỏi này không còn trong nhật ký.")
    elif kind == "ctx" and len(numbers) == 1:
        view = await engine.passage_of(numbers[0])
        if view is None:
            await query.answer("Đoạn văn này không còn trong kho (dữ liệu vừa được nạp lại).", show_alert=True)
            return
        await query.answer()
        await query.message.reply_html(
            passage_html(view.title, view.date, view.url, view.sentences, view.focus),
            disable_web_page_preview=True,
        )
    elif kind == "more" and len(numbers) == 2:
        await _more_results(query, service, engine, *numbers)
    elif kind == "page":  # the "2/5" between the arrows: nothing to do
        await query.answer()
    else:
        await query.answer("Nút này không còn dùng được.", show_alert=True)


async def _more_results(query: CallbackQuery, service: BotService, engine: QAEngine, query_id: int, page: int) -> None:
    """Turn the answer message to ``page``: the same message edited, never a new one."""
    question = await engine.question(query_id)
    top_k = service.settings.top_k
    if question is None or not 0 <= page < MAX_PAGES:
        await query.answer("Không còn kết quả nào nữa.", show_alert=True)
        return
    result = await asyncio.to_thread(engine.search, question, top_k * MAX_PAGES)
    shown = result.answers[page * top_k : (page + 1) * top_k]
    if not shown:
        await query.answer("Không còn kết quả nào nữa.", show_alert=True)
        return
    await query.answer()
    first = page * top_k + 1
    with contextlib.suppress(BadRequest):  # "message is not modified": the same page pressed twice
        await query.edit_message_text(
            answers_html(result, shown, first),
            parse_mode=ParseMode.HTML,
            reply_markup=answers_keyboard(query_id, page, page_count(len(result.answers), top_k), first, shown),
            disable_web_page_preview=True,
        )


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot question in any chat: the top answers as results to pick from."""
    service = service_of(context)
    inline = update.inline_query
    question = inline.query.strip()[:MAX_QUESTION_CHARS]
    engine = service.engine
    if not question or engine is None or engine.index is None:
        await inline.answer([], cache_time=5)
        return
    if service.throttle.wait_seconds(inline.from_user.id) > 0:
        await inline.answer([], cache_time=5, is_personal=True)
        return
    # Telegram sends a query per keystroke ("giá v", "giá vàn" …): searched, not logged. What the
    # user picks is logged (chosen_inline, with BotFather's /setinlinefeedback on).
    result = await asyncio.to_thread(engine.search, question, service.settings.top_k)
    results = [
        InlineQueryResultArticle(
            id=str(answer.sentence_id),
            title=_shorten(answer.sentence, 100),
            description=_shorten(answer.title, 100),
            input_message_content=InputTextMessageContent(
                answers_html(result, [answer]), parse_mode=ParseMode.HTML, link_preview_options=None
            ),
        )
        for answer in result.answers
    ]
    button = (
        None
        if results
        else InlineQueryResultsButton(text="Không tìm thấy câu trả lời — mở bot", start_parameter="help")
    )
    await inline.answer(results, cache_time=60, is_personal=False, button=button)


async def chosen_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline answer the user sent: its query is a question asked, logged as such."""
    service, chosen = service_of(context), update.chosen_inline_result
    if service.engine is not None and service.engine.index is not None:
        await service.engine.ask(
            chosen.query[:MAX_QUESTION_CHARS],
            service.settings.top_k,
            source="inline",
            chat_type="inline",
            user_hash=service.user_hash(chosen.from_user.id),
        )


async def notice_outside_changes(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue's job every DATA_SCAN_SECONDS: files added, changed or removed in the data dir
    by something else (``python -m bot add`` or ``feeds poll`` from cron, an editor, rsync) are
    indexed; a failed reload is logged and alerted, and the old index keeps serving."""
    service: BotService = context.bot_data[SERVICE]
    if service.engine is None:
        return
    try:
        report = await service.engine.reload_if_changed()
    except Exception as exc:
        log.exception("reload after a change in the data dir failed")
        await service.alerts.send(context.bot, "reload", f"{type(exc).__name__}: {exc}")
        return
    if report is not None:
        log.info("the data dir changed outside the bot: %s", report.summary())


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice… in a private chat: say what the bot understands."""
    await update.effective_message.reply_text(TEXT_ONLY)


# --- wiring --------------------------------------------------------------------------------

PRIVATE_BOT = "🔒 Đây là bot riêng, chỉ dành cho người được cấp quyền."


async def gatekeeper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """With ALLOWED_USER_IDS / ALLOWED_CHAT_IDS set, nobody else gets past this (admins always do)."""
    settings = service_of(context).settings
    if not (settings.allowed_user_ids or settings.allowed_chat_ids):
        return
    user, chat = update.effective_user, update.effective_chat
    if user is not None and (user.id in settings.admin_ids or user.id in settings.allowed_user_ids):
        return
    if chat is not None and chat.id in settings.allowed_chat_ids:
        return
    if update.message and chat is not None and chat.type == "private":
        await update.message.reply_text(PRIVATE_BOT)
    elif update.callback_query:
        await update.callback_query.answer(PRIVATE_BOT, show_alert=True)
    elif update.inline_query:
        await update.inline_query.answer([], cache_time=60, is_personal=True)
    raise ApplicationHandlerStop


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One error handler: log (secrets are redacted by the formatter) and tell the user. A failed
    getUpdates (a 502, a 409 while another instance polls, the network) is one WARNING line:
    PTB polls again by itself."""
    if update is None and isinstance(context.error, NetworkError | Conflict):
        log.warning("getUpdates failed (%s: %s); polling goes on", type(context.error).__name__, context.error)
        return
    log.error("error while handling an update", exc_info=context.error)
    if context.error is not None:
        service_of(context).health.error(context.error)
        detail = f"{type(context.error).__name__}: {context.error}"
        await service_of(context).alerts.send(context.bot, "error", detail)
    if isinstance(update, Update) and update.effective_message and update.effective_chat:
        with contextlib.suppress(TelegramError):
            await update.effective_message.reply_text(ERROR)


HEALTH_SERVER = "health_server"  # in bot_data while the endpoint runs


async def health_details(service: BotService) -> dict[str, object]:
    """The corpus, the semantic index and the feeds, for ``/healthz`` (None until indexed)."""
    engine = service.engine
    if engine is None or engine.index is None:
        return {"corpus": None, "semantic": None, "feeds": None}
    articles, passages, sentences = engine.index.size
    progress = engine.semantic_progress()
    feeds = await service.web.subscriptions.all() if service.web is not None else []
    last_poll = max((f.last_poll for f in feeds if f.last_poll), default=None)
    return {
        "corpus": {"articles": articles, "passages": passages, "sentences": sentences},
        "semantic": {"done": progress[0], "total": progress[1]} if progress else None,
        "feeds": {
            "count": len(feeds),
            "last_poll": datetime.fromtimestamp(last_poll, UTC).isoformat(timespec="seconds") if last_poll else None,
            "failing": sum(1 for f in feeds if f.last_error),
        },
    }


async def post_init(application: Application) -> None:
    """Open the database and index the data dir before the first update is handled; the health
    endpoint answers from the start (503 while indexing)."""
    service: BotService = application.bot_data[SERVICE]
    settings = service.settings
    if settings.health_port:
        server = HealthServer(service.health, lambda: health_details(service))
        await server.start(settings.health_host, settings.health_port)
        application.bot_data[HEALTH_SERVER] = server
        log.info("health endpoint on http://%s:%d/healthz", settings.health_host, settings.health_port)
    engine, report = await open_engine(settings)
    log.info("index ready: %s", report.summary())
    await engine.warm_up()
    for problem in report.errors + report.warnings:
        log.warning("%s", problem)
    service.salt = (await engine.secret("user-hash-salt")).encode()
    service.engine = engine
    service.web = open_web(settings, engine)
    commands = [
        BotCommand("start", "Giới thiệu và cách hỏi"),
        BotCommand("help", "Hướng dẫn"),
        BotCommand("ask", "Đặt câu hỏi (dùng trong nhóm)"),
        BotCommand("new", "Bắt đầu cuộc trò chuyện mới"),
    ]
    await application.bot.set_my_commands(commands)
    for admin in settings.admin_ids:  # admins see their commands in their own chat's menu
        with contextlib.suppress(TelegramError):  # an admin who never opened a chat with the bot
            await application.bot.set_my_commands(commands + corpus_admin.MENU, scope=BotCommandScopeChat(admin))
    service.health.state = "serving"


async def post_shutdown(application: Application) -> None:
    service: BotService = application.bot_data[SERVICE]
    service.health.state = "stopping"
    if service.web is not None:
        await service.web.fetcher.close()
        service.web = None
    if service.engine is not None:
        await service.engine.close()
        service.engine = None
    if (server := application.bot_data.pop(HEALTH_SERVER, None)) is not None:
        await server.stop()


def build_application(settings: Settings) -> Application:
    """The PTB application with every handler; call ``run_polling`` (or drive it yourself)."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    root = settings.telegram_api_url
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .rate_limiter(
            RetryingRateLimiter(
                max_retries=3,  # 429 RetryAfter
                network_retries=3,  # 5xx, timeouts and dropped connections where safe
                overall_max_rate=settings.rate_limit_per_second,  # 0: no overall limit
                overall_time_period=1,
            )
        )
        # 32 updates at once, 8 connections to the Bot API: httpcore matches queued requests to
        # pooled connections in O(requests x connections), and PTB's defaults (256 and 256) made
        # that the bottleneck: 77 answers/s, against 114 with these (bench.scale --e2e, 10k passages).
        .concurrent_updates(32)
        .connection_pool_size(8)
        .connect_timeout(settings.telegram_timeout)
        .read_timeout(settings.telegram_timeout)
        .write_timeout(settings.telegram_timeout)
        .pool_timeout(settings.telegram_timeout)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[SERVICE] = BotService(settings)
    admins = filters.User(user_id=settings.admin_ids, allow_empty=False)
    private = filters.ChatType.PRIVATE
    application.add_handler(TypeHandler(Update, gatekeeper), group=-1)
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", guide))
    application.add_handler(CallbackQueryHandler(guide, pattern="^help$"))
    application.add_handler(CommandHandler("ask", ask_command))
    application.add_handler(CommandHandler("new", new_conversation))
    corpus_admin.add_handlers(application, admins, settings.feed_interval_minutes)
    if settings.data_scan_seconds and application.job_queue is not None:
        every = settings.data_scan_seconds
        application.job_queue.run_repeating(notice_outside_changes, interval=every, first=every, name="scan-data-dir")
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & private, private_text))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.GROUPS, group_text))
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL, non_text)
    )
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_handler(ChosenInlineResultHandler(chosen_inline))
    application.add_error_handler(on_error)
    return application


# Waits between attempts to reach the Bot API at start: 1, 2, 4 … seconds, at most a minute.
FIRST_RETRY, LAST_RETRY = 1.0, 60.0


async def wait_for_bot_api(settings: Settings) -> None:
    """Return once the Bot API answers ``getMe`` with this token. While it cannot be reached
    (network down, Telegram or a proxy in trouble) one WARNING line per attempt, backing off; a
    token it rejects raises InvalidToken at once (retrying cannot help)."""
    root = settings.telegram_api_url
    delay, attempt = FIRST_RETRY, 1
    while True:
        try:  # initialize() asks getMe; the bot's HTTP client is closed again either way
            async with Bot(settings.telegram_bot_token or "", base_url=f"{root}/bot", base_file_url=f"{root}/file/bot"):
                return
        except InvalidToken:
            raise
        except (NetworkError, RetryAfter) as exc:  # TimedOut and 5xx included
            log.warning("the Bot API at %s cannot be reached (%s); attempt %d, next in %g s", root, exc, attempt, delay)
        await asyncio.sleep(delay)
        delay, attempt = min(delay * 2, LAST_RETRY), attempt + 1


def run_bot(settings: Settings) -> None:
    """Long polling, or with ``WEBHOOK_URL`` a webhook (PTB's server on WEBHOOK_LISTEN:WEBHOOK_PORT,
    behind a TLS reverse proxy; posts without the secret header get 403), until Ctrl-C /
    SIGTERM; PTB then calls post_shutdown. InvalidToken when the Bot API rejects the token."""
    asyncio.run(wait_for_bot_api(settings))
    application = build_application(settings)
    if settings.webhook_url:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
            bootstrap_retries=3,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=3)
