"""Admin commands that change or inspect the corpus: /reload, uploads, /stats, articles by link
(/add or a bare link), feeds (/feed, /feeds, /unfeed, polled by the JobQueue), /articles, /remove.

Every handler here is registered behind ``filters.User(ADMIN_IDS)`` (``add_handlers``); anyone else
gets ``ADMIN_ONLY`` and nothing happens. Titles, links and errors from the web are escaped.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re
import time
from collections.abc import Callable
from datetime import datetime

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.alerts import FEED_ALERT_AFTER
from bot.render import callback, format_date, semantic_line, title_html, utf16_len
from bot.service import ADMIN_ONLY, LOADING, service_of
from retrieval.corpus import CorpusFileError, parse_content, safe_file_name, write_atomically
from retrieval.engine import QAEngine
from retrieval.reconcile import ReloadReport
from retrieval.text.cleaner import cap_title
from retrieval.web.feeds import FeedError
from retrieval.web.fetch import FetchError, without_credentials
from retrieval.web.ingest import MAX_TRIES, ArticleRow, Outcome, PollReport, Subscription, WebCorpus

log = logging.getLogger(__name__)

# A message that is nothing but one http(s) link: an admin adding an article.
LINK_ONLY = re.compile(r"^\s*https?://\S+\s*$", re.IGNORECASE)
LINKS_ADMIN_ONLY = "🔒 Chỉ quản trị viên mới thêm được bài báo bằng đường link. Bạn hãy gõ câu hỏi nhé!"
PRIVATE_ONLY = "🔒 Lệnh này chỉ dùng trong cuộc trò chuyện riêng với bot."
FEED_USAGE = "Cách dùng: /feed https://…/rss (đường link của một nguồn tin RSS hoặc Atom)."
REMOVE_USAGE = "Cách dùng: /remove đường-link-bài-báo hoặc /remove tên-tệp (xem /articles)"
UNFEED_USAGE = "Cách dùng: /unfeed số (xem số ở /feeds) hoặc /unfeed đường-link"
MAX_TEXT = 4000  # under Telegram's 4096, with room for a closing line


def _fit(lines: list[str]) -> str:
    """Lines joined, whole lines only, within one message (Telegram counts UTF-16 units)."""
    kept: list[str] = []
    used = 0
    for line in lines:
        used += utf16_len(line) + 1
        if used > MAX_TEXT:
            return "\n".join([*kept, "…"])
        kept.append(line)
    return "\n".join(kept)


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admin commands and uploads from anyone else: a polite refusal, nothing happens."""
    await update.effective_message.reply_text(ADMIN_ONLY)


def report_html(report: ReloadReport, saved: str | None = None) -> str:
    lines = []
    if saved:
        lines.append(f"📥 Đã lưu tệp <code>{html.escape(saved)}</code>.")
    lines.append(
        f"✅ Đã nạp lại trong {report.seconds:.1f} giây: <b>{report.articles}</b> bài, "
        f"{report.passages} đoạn, {report.sentences} câu."
    )
    lines.append(
        f"Tệp: thêm {len(report.added)}, sửa {len(report.changed)}, xóa {len(report.removed)}, "
        f"giữ nguyên {report.unchanged}."
    )
    problems = report.errors + report.warnings
    if problems:
        lines.append(f"⚠️ {len(problems)} lỗi:")
        lines.extend(f"• {html.escape(p)}" for p in problems[:20])
        if len(problems) > 20:
            lines.append(f"… và {len(problems) - 20} lỗi khác.")
    text = "\n".join(lines)
    return text if len(text) <= 4000 else text[:3990].rsplit("\n", 1)[0] + "\n…"


async def _reload_and_report(
    message: Message, context: ContextTypes.DEFAULT_TYPE, engine: QAEngine, saved: str | None = None
) -> None:
    status = await message.reply_text("⏳ Đang nạp lại dữ liệu…")
    progress = _status_updater(status)
    try:
        report = await engine.reload(lambda text: progress(f"⏳ Đang nạp lại dữ liệu… ({text})"))
    except Exception as exc:
        log.exception("reload failed")
        await status.edit_text(f"❌ Nạp lại thất bại ({type(exc).__name__}). Dữ liệu cũ vẫn đang được dùng.")
        await service_of(context).alerts.send(context.bot, "reload", f"{type(exc).__name__}: {exc}")
        return
    await status.edit_text(report_html(report, saved), parse_mode=ParseMode.HTML)


def _status_updater(status: Message, every: float = 3.0) -> Callable[[str], None]:
    """A progress callback that edits ``status`` at most every ``every`` seconds (edits are
    rate-limited by Telegram, and a lost progress line is not worth an error)."""
    last_edit = time.monotonic()

    async def edit(text: str) -> None:
        with contextlib.suppress(TelegramError):
            await status.edit_text(text)

    def update(text: str) -> None:
        nonlocal last_edit
        if time.monotonic() - last_edit >= every:
            last_edit = time.monotonic()
            asyncio.get_running_loop().create_task(edit(text))

    return update


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload (admins): re-read the data dir; the old index answers until the new one is ready."""
    engine = service_of(context).engine
    if engine is None:
        await update.effective_message.reply_text(LOADING)
        return
    await _reload_and_report(update.effective_message, context, engine)


async def upload_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A .txt/.jsonl document from an admin: checked, saved under a safe name, indexed."""
    service = service_of(context)
    message = update.effective_message
    document = message.document
    engine = service.engine
    if engine is None:
        await message.reply_text(LOADING)
        return
    try:
        name = safe_file_name(document.file_name or "")
    except ValueError as exc:
        await message.reply_text(f"❌ Không nhận tệp này: {exc}.")
        return
    limit = service.settings.upload_max_bytes
    if document.file_size and document.file_size > limit:
        await message.reply_text(f"❌ Tệp quá lớn ({document.file_size} byte, tối đa {limit}).")
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    if len(data) > limit:
        await message.reply_text(f"❌ Tệp quá lớn ({len(data)} byte, tối đa {limit}).")
        return
    try:
        content = await asyncio.to_thread(parse_content, name, data)
    except CorpusFileError as exc:
        await message.reply_html(f"❌ Không nhận tệp: {html.escape(str(exc))}")
        return
    if (twin := await engine.file_with_content(content.sha256)) is not None:
        await message.reply_html(
            f"ℹ️ Nội dung này đã có trong kho (tệp <code>{html.escape(twin)}</code>); không lưu lại."
        )
        return
    await asyncio.to_thread(write_atomically, engine.data_dir / name, data)
    await _reload_and_report(message, context, engine, saved=name)


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats (admins): corpus size, questions, unanswered share and the most asked of them, feedback."""
    engine = service_of(context).engine
    if engine is None or engine.index is None:
        await update.effective_message.reply_text(LOADING)
        return
    midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    s = await engine.stats(midnight)
    lines = [
        "📊 <b>Thống kê</b>",
        f"Kho: {s.articles} bài, {s.passages} đoạn, {s.sentences} câu",
        f"Câu hỏi: hôm nay {s.questions_today}, tổng {s.questions_total}",
        f"Không có câu trả lời: {s.unanswered_share:.0%}",
        "Trả lời: {} · chỉ câu liên quan: {} · không có: {} · trò chuyện: {}".format(
            *(s.verdicts.get(v, 0) for v in ("answer", "related", "none", "chat"))
        ),
        f"Phản hồi: 👍 {s.helpful} · 👎 {s.unhelpful}",
        f"Chỉ mục ngữ nghĩa: {semantic_line(engine.semantic_progress())}",
    ]
    if s.top_unanswered:
        lines.append("\nHỏi nhiều mà chưa trả lời được:")
        lines.extend(f"• {html.escape(q[:200])} ({n})" for q, n in s.top_unanswered)
    await update.effective_message.reply_html("\n".join(lines))


# --- articles by link ----------------------------------------------------------------------


_STATUS = {
    "added": "✅ Đã thêm",
    "updated": "🔄 Đã cập nhật (trang đã thay đổi)",
    "unchanged": "ℹ️ Đã có trong kho, không thay đổi",
    "duplicate": "ℹ️ Không thêm: nội dung trùng với bài đã có",
    "failed": "❌ Không thêm được",
}


# Why a link or a feed failed, as the web layer says it (English, for logs and the CLI), in the
# admins' language; the technical part (a status, a host, a number) is kept as it came.
_IN_VIETNAMESE = [
    (r"HTTP (\d+)(.*)", r"máy chủ trả lời HTTP \1\2"),
    (r"timed out after (\S+) s", r"quá thời gian chờ (\1 giây)"),
    (r"too big once decompressed.*", "trang quá lớn sau khi giải nén"),
    (r"too big.*", "trang quá lớn"),
    (r"not a web page \((.*)\)", r"không phải trang web (\1)"),
    (r"no article text found on the page", "không tìm thấy nội dung bài viết trên trang"),
    (r"the page is empty", "trang trống"),
    (r"the page could not be parsed.*", "không đọc được cấu trúc trang"),
    (r"the page's text encoding cannot be told.*", "không xác định được bảng mã của trang"),
    (r"(\S+) is not a public address; refused.*", r"\1 không phải địa chỉ công khai nên bị từ chối"),
    (r"(\S+) resolves to a non-public address \((.*)\); refused.*", r"\1 trỏ tới địa chỉ nội bộ (\2) nên bị từ chối"),
    (r"cannot resolve (\S+).*", r"không tìm thấy tên miền \1"),
    (r"cannot connect to (\S+).*", r"không kết nối được tới \1"),
    (r"more than (\d+) redirects", r"chuyển hướng quá \1 lần"),
    (r"HTTP .* without a Location to follow", "máy chủ chuyển hướng nhưng không cho biết tới đâu"),
    (r"only http and https links are fetched.*", "chỉ nhận liên kết http và https"),
    (
        r"redirected to something that is not an http or https link.*",
        "bị chuyển hướng tới liên kết không phải http/https",
    ),
    (r"not a valid link.*", "liên kết không hợp lệ"),
    (r"the link has no host name", "liên kết thiếu tên miền"),
    (r"the connection broke while reading.*", "kết nối bị ngắt khi đang tải"),
    (
        r"(?:unsupported content encoding|too many content encodings|the response's).*",
        "trang được nén theo cách không đọc được",
    ),
    (r"not (?:a readable )?(?:an )?RSS or Atom feed.*", "không phải nguồn tin RSS/Atom đọc được"),
    (r"same text as (.*)", r"trùng nội dung với \1"),
    (r"cannot write (\S+).*", r"không ghi được tệp \1"),
    (r"the article alone is over the (\S+)-byte file limit", r"riêng bài này đã vượt giới hạn \1 byte của một tệp"),
]


def in_vietnamese(reason: str) -> str:
    """A failure's reason for an admin's chat (see ``_IN_VIETNAMESE``); an unknown one as it is."""
    for pattern, replacement in _IN_VIETNAMESE:
        if (match := re.fullmatch(pattern, reason, flags=re.DOTALL)) is not None:
            return match.expand(replacement)
    return reason


def outcome_html(outcome: Outcome) -> str:
    """One link's result: what happened, the title (linked), date, sentences, or why not."""
    head = _STATUS[outcome.status]
    if outcome.status == "failed":
        return f"{head} <code>{html.escape(outcome.url)}</code>: {html.escape(in_vietnamese(outcome.reason))}"
    parts = [title_html(outcome.title, outcome.url)]
    if (date := format_date(outcome.date)) is not None:
        parts.append(date)
    if outcome.status in ("added", "updated"):
        parts.append(f"{outcome.sentences} câu")
    line = f"{head}: " + " · ".join(parts)
    if outcome.status == "duplicate":
        line += f" ({html.escape(in_vietnamese(outcome.reason))})"
    if outcome.from_feed_text:
        why = html.escape(in_vietnamese(outcome.reason))
        line += f"\n   (trang không đọc được — {why} — nên dùng tóm tắt của nguồn tin)"
    return line


def _web(context: ContextTypes.DEFAULT_TYPE) -> WebCorpus | None:
    return service_of(context).web


async def _ready(update: Update, context: ContextTypes.DEFAULT_TYPE) -> WebCorpus | None:
    """The web corpus, or None after telling the admin the bot is still loading."""
    if (web := _web(context)) is None:
        await update.effective_message.reply_text(LOADING)
    return web


async def _ready_with_one(
    update: Update, context: ContextTypes.DEFAULT_TYPE, usage: str
) -> tuple[WebCorpus, str] | None:
    """The web corpus and the command's single argument, or None after replying why not."""
    if (web := await _ready(update, context)) is None:
        return None
    if len(context.args or []) != 1:
        await update.effective_message.reply_text(usage)
        return None
    return web, context.args[0]


async def _add(message: Message, web: WebCorpus, links: list[str]) -> None:
    status = await message.reply_text("⏳ Đang tải trang…")
    progress = _status_updater(status)
    outcomes = await web.add_links(links, lambda done, total: progress(f"⏳ Đang tải trang… {done}/{total}"))
    await status.edit_text(_fit([outcome_html(o) for o in outcomes]), parse_mode=ParseMode.HTML,
                           disable_web_page_preview=True)  # fmt: skip


async def add_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/add <link> [link…] (admins): fetch each page and index its article."""
    if (web := await _ready(update, context)) is None:
        return
    if not context.args:
        await update.effective_message.reply_text(
            "Cách dùng: /add https://… (một hoặc nhiều đường link bài báo). Gửi riêng một đường link cũng được."
        )
        return
    await _add(update.effective_message, web, context.args)


async def link_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private message from an admin that is nothing but a link: /add it."""
    if (web := await _ready(update, context)) is None:
        return
    await _add(update.effective_message, web, [update.effective_message.text or ""])


async def link_refused(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(LINKS_ADMIN_ONLY)


# --- feeds ---------------------------------------------------------------------------------


def poll_html(report: PollReport) -> str:
    """The result of reading a feed: how many articles it added, and each that failed."""
    feed = report.feed
    name = f"<b>{html.escape(feed.title)}</b> (số {feed.id})"
    if report.error and not report.outcomes:
        return f"❌ Nguồn tin {name}: {html.escape(report.error)}. Sẽ thử lại ở lần đọc sau."
    lines = [
        f"📡 {'Đã đăng ký' if report.subscribed else 'Đã đọc'} nguồn tin {name}: thêm <b>{report.added}</b> bài mới "
        f"(tệp <code>{html.escape(feed.file)}</code>)."
    ]
    if not report.outcomes:
        lines.append("Không có bài mới.")
    lines.extend(outcome_html(o) for o in report.outcomes if o.status != "added")
    if report.error:
        lines.append(f"⚠️ {html.escape(report.error)}")
    return _fit(lines)


async def feed_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/feed <url> (admins): subscribe to an RSS/Atom feed and add its current entries."""
    message = update.effective_message
    if (ready := await _ready_with_one(update, context, FEED_USAGE)) is None:
        return
    web, argument = ready
    status = await message.reply_text("⏳ Đang đọc nguồn tin…")
    progress = _status_updater(status)
    try:
        report = await web.subscribe(argument, lambda done, total: progress(f"⏳ Đang tải bài {done}/{total}…"))
    except (FetchError, FeedError) as exc:
        await status.edit_text(
            f"❌ Không đăng ký được: {html.escape(in_vietnamese(str(exc)))}", parse_mode=ParseMode.HTML
        )
        return
    await status.edit_text(poll_html(report), parse_mode=ParseMode.HTML,
                           disable_web_page_preview=True)  # fmt: skip


def _when(timestamp: float | None) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%d/%m/%Y %H:%M") if timestamp else "chưa đọc"


def feeds_html(subscriptions: list[Subscription], interval_minutes: int) -> str:
    if not subscriptions:
        return "Chưa đăng ký nguồn tin nào. Đăng ký bằng /feed https://…/rss"
    lines = [f"📡 <b>Nguồn tin đã đăng ký</b> ({len(subscriptions)}; đọc mỗi {interval_minutes} phút):"]
    for s in subscriptions:
        url = html.escape(cap_title(without_credentials(s.url)))
        lines.append(f"\n<b>{s.id}.</b> {html.escape(cap_title(s.title))}\n<code>{url}</code>")
        line = f"Lần đọc cuối: {_when(s.last_poll)} · đã thêm {s.added} bài"
        if s.given_up:
            line += f" · bỏ qua {s.given_up} bài không đọc được sau {MAX_TRIES} lần thử"
        if s.last_error:
            line += f"\n⚠️ Lỗi lần đọc cuối: {html.escape(in_vietnamese(s.last_error))}"
        lines.append(line)
    lines.append("\nNgừng đăng ký: /unfeed số")
    return _fit(lines)


async def feeds_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/feeds (admins): the subscriptions, their last poll, articles added, last error."""
    if (web := await _ready(update, context)) is None:
        return
    text = feeds_html(await web.subscriptions.all(), service_of(context).settings.feed_interval_minutes)
    await update.effective_message.reply_html(text, disable_web_page_preview=True)


async def unfeed_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unfeed <number or url> (admins): stop a subscription; its articles stay."""
    message = update.effective_message
    if (ready := await _ready_with_one(update, context, UNFEED_USAGE)) is None:
        return
    web, argument = ready
    removed = await web.unsubscribe(argument)
    if removed is None:
        await message.reply_text("Không có nguồn tin này. Xem danh sách ở /feeds.")
        return
    stopped = f"🛑 Đã ngừng đăng ký <b>{html.escape(removed.title)}</b>."
    files = web.files_of(removed)
    if not files:  # removed with /remove before: nothing of it is left
        await message.reply_html(f"{stopped} Không còn bài nào của nguồn tin này trong kho.")
        return
    shown = ", ".join(f"<code>{html.escape(name)}</code>" for name in files)
    remove = f"/remove {html.escape(files[0])}"
    await message.reply_html(f"{stopped} {removed.added} bài đã thêm vẫn ở trong kho (tệp {shown}; xóa bằng {remove}).")


async def poll_feeds(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue's job: read every subscribed feed once; errors are kept for /feeds."""
    web = _web(context)
    if web is None:
        return
    alerts = service_of(context).alerts
    for report in await web.poll_all():
        if report.added or report.error:
            log.info("feed %d: %d added%s", report.feed.id, report.added, f"; {report.error}" if report.error else "")
        if alerts.feed_polled(report.feed.id, bool(report.error)):
            detail = f"{report.feed.url}: {in_vietnamese(report.error or '')} ({FEED_ALERT_AFTER} lần đọc liền)"
            await alerts.send(context.bot, "feed", detail)


# --- listing and removing ----------------------------------------------------------------


def articles_html(rows: list[ArticleRow], page: int, pages: int, first: int) -> str:
    if not rows:
        return "Kho chưa có bài nào." if page == 1 else "Trang này không có bài nào."
    lines = [f"📚 <b>Bài trong kho</b> — trang {page}/{pages}, mới nhất trước:"]
    for number, row in enumerate(rows, start=first):
        parts = [title_html(row.title, row.url)]
        if (date := format_date(row.date)) is not None:
            parts.append(date)
        parts.append(f"<code>{html.escape(row.file)}</code>")
        lines.append(f"{number}. " + " · ".join(parts))
    lines.append("\nXóa một bài: /remove đường-link (hoặc tên tệp)")
    return _fit(lines)


def articles_keyboard(page: int, pages: int) -> InlineKeyboardMarkup | None:
    row = []
    if page > 1:
        row.append(InlineKeyboardButton("⬅️ Trang trước", callback_data=callback("arts", page - 1)))
    if page < pages:
        row.append(InlineKeyboardButton("Trang sau ➡️", callback_data=callback("arts", page + 1)))
    return InlineKeyboardMarkup([row]) if row else None


async def _articles_page(web: WebCorpus, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    shown = await web.articles(page)
    return articles_html(shown.rows, shown.page, shown.pages, shown.first), articles_keyboard(shown.page, shown.pages)


async def articles_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/articles [page] (admins): the indexed articles, newest first, 10 a page with buttons."""
    if (web := await _ready(update, context)) is None:
        return
    args = context.args or []
    page = int(args[0]) if args and args[0].isdigit() else 1
    text, keyboard = await _articles_page(web, page)
    await update.effective_message.reply_html(text, reply_markup=keyboard, disable_web_page_preview=True)


async def articles_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The page buttons under /articles; admins only, like the command."""
    query = update.callback_query
    web = _web(context)
    if query.from_user.id not in service_of(context).settings.admin_ids:
        await query.answer(ADMIN_ONLY, show_alert=True)
        return
    if web is None:
        await query.answer(LOADING, show_alert=True)
        return
    page = int((query.data or "").rpartition(":")[2] or 1)
    text, keyboard = await _articles_page(web, page)
    await query.answer()
    with contextlib.suppress(TelegramError):  # "message is not modified" after a double tap
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=keyboard, disable_web_page_preview=True
        )


async def remove_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/remove <link or file name> (admins): take an article (or a whole file) out of the corpus."""
    message = update.effective_message
    if (ready := await _ready_with_one(update, context, REMOVE_USAGE)) is None:
        return
    web, argument = ready
    removed = await web.remove(argument)
    if removed is None:
        await message.reply_html(
            f"Không có bài hay tệp nào ứng với <code>{html.escape(argument)}</code>. Xem /articles."
        )
        return
    count = len(removed.articles)
    lines = [f"🗑️ Đã xóa {count} bài khỏi kho và chỉ mục:"]
    lines += [f"• {title_html(row.title, row.url)} (<code>{html.escape(row.file)}</code>)" for row in removed.articles]
    if removed.deleted_file:
        lines.append(f"Tệp <code>{html.escape(removed.deleted_file)}</code> đã được xóa.")
    await message.reply_html(_fit(lines), disable_web_page_preview=True)


# --- wiring --------------------------------------------------------------------------------

MENU = [
    BotCommand("add", "Thêm bài báo bằng đường link"),
    BotCommand("feed", "Đăng ký nguồn tin RSS/Atom"),
    BotCommand("feeds", "Các nguồn tin đã đăng ký"),
    BotCommand("unfeed", "Ngừng đăng ký một nguồn tin"),
    BotCommand("articles", "Danh sách bài trong kho"),
    BotCommand("remove", "Xóa một bài hoặc một tệp"),
    BotCommand("reload", "Nạp lại thư mục dữ liệu"),
    BotCommand("stats", "Thống kê"),
    BotCommand("audit", "Nhật ký thao tác quản trị"),
]
# --- the audit log -----------------------------------------------------------------------

AUDITED = ["reload", "add", "feed", "unfeed", "remove"]  # what changes the corpus or the feeds


async def record_action(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before an admin's action runs (its own group of handlers): who, when, what, as typed."""
    message, user, engine = update.effective_message, update.effective_user, service_of(context).engine
    if message is None or user is None or engine is None:
        return
    if message.document is not None:
        action, detail = "upload", message.document.file_name or ""
    elif (text := (message.text or "").strip()).startswith("/"):
        command, _, detail = text.partition(" ")
        action = command[1:].split("@")[0].lower()
    else:
        action, detail = "add", text  # a message that is only a link
    await engine.audit(user.id, action, detail.strip())


async def audit_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/audit: the latest 20 admin actions, newest first (who by numeric id, when, what)."""
    engine = service_of(context).engine
    if engine is None:
        await update.effective_message.reply_text(LOADING)
        return
    entries = await engine.audit_log(20)
    if not entries:
        await update.effective_message.reply_text("Chưa có thao tác quản trị nào được ghi lại.")
        return
    lines = ["🗒 <b>Thao tác quản trị gần đây</b> (mới nhất trước):"]
    for entry in entries:
        when = time.strftime("%d/%m %H:%M", time.localtime(entry.at))
        detail = f" {html.escape(cap_title(entry.detail, 120))}" if entry.detail else ""
        lines.append(f"{when} · <code>{entry.admin}</code> · /{html.escape(entry.action)}{detail}")
    await update.effective_message.reply_html(_fit(lines), disable_web_page_preview=True)


# /reload works in any chat an admin uses; /stats (it quotes users' unanswered questions) and the
# commands that list or change articles and feeds only in a private chat (their replies name links
# and files).
WEB_COMMANDS = ["add", "feed", "feeds", "unfeed", "articles", "remove"]
PRIVATE_COMMANDS = ["stats", "audit", *WEB_COMMANDS]


def add_handlers(application: Application, admins: filters.BaseFilter, feed_interval_minutes: int) -> None:
    """Register the admin commands, refusals for everyone else, the link messages, the
    /articles buttons, and the feed poll every ``feed_interval_minutes``."""
    private = filters.ChatType.PRIVATE
    changes = filters.Command() & filters.Regex(rf"^/(?:{'|'.join(AUDITED)})(?:@\w+)?(?:\s|$)")
    audited = admins & (changes | (private & (filters.Document.ALL | filters.Regex(LINK_ONLY))))
    application.add_handler(MessageHandler(audited, record_action), group=-2)  # after no one, before all
    application.add_handler(CommandHandler(["reload", "stats", "audit", *WEB_COMMANDS], refuse, filters=~admins))
    application.add_handler(CommandHandler(PRIVATE_COMMANDS, private_only, filters=admins & ~private))
    application.add_handler(CommandHandler("reload", reload_command, filters=admins))
    application.add_handler(CommandHandler("stats", stats_command, filters=admins & private))
    application.add_handler(CommandHandler("audit", audit_command, filters=admins & private))
    for name, handler in (
        ("add", add_command),
        ("feed", feed_command),
        ("feeds", feeds_command),
        ("unfeed", unfeed_command),
        ("articles", articles_command),
        ("remove", remove_command),
    ):
        application.add_handler(CommandHandler(name, handler, filters=admins & private))
    application.add_handler(MessageHandler(filters.Document.ALL & private & admins, upload_document))
    application.add_handler(MessageHandler(filters.Document.ALL & private & ~admins, refuse))
    link = filters.Regex(LINK_ONLY) & private & ~filters.COMMAND
    application.add_handler(MessageHandler(link & admins, link_message))
    application.add_handler(MessageHandler(link & ~admins, link_refused))
    application.add_handler(CallbackQueryHandler(articles_button, pattern=r"^arts:\d+$"))
    interval = feed_interval_minutes * 60
    if application.job_queue is not None:  # the first poll a minute after start: catch up after a restart
        application.job_queue.run_repeating(poll_feeds, interval=interval, first=min(60, interval), name="poll-feeds")


async def private_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(PRIVATE_ONLY)
