"""Telegram messages: HTML-escaped answers with matched words in bold, within Telegram's limits.

Limits honoured here, so no Bot API call is ever refused for them: message text at most 4096
UTF-16 code units (we measure the HTML source, which is never shorter than the text Telegram
counts), callback data at most 64 bytes.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from retrieval.index.search import Answer, SearchResult
from retrieval.question.highlight import matched_spans
from retrieval.question.smalltalk import small_talk
from retrieval.text.cleaner import cap_title

MAX_MESSAGE = 4096
MAX_CALLBACK_DATA = 64

NO_ANSWER = (
    "😔 Mình chưa tìm thấy câu trả lời trong kho bài viết.\n"
    "Gợi ý: thử dùng từ khác, bớt từ, hoặc hỏi cụ thể hơn (tên người, địa danh, đơn vị…)."
)


# A "related" reply (retrieval.question.verdict): the corpus talks about it, no sentence states it.
RELATED = "ℹ️ Không có câu nào trả lời trực tiếp câu hỏi này. Những câu liên quan nhất:"
# Small talk (retrieval.question.smalltalk): the bot's own voice, never an article sentence.
CHAT_REPLIES = {
    "greeting": "Xin chào! 👋 Mình trả lời câu hỏi về tin tức Bộ đội Biên phòng. "
    "Bạn thử hỏi: «Tư lệnh Bộ đội Biên phòng là ai?» — /help để xem thêm.",
    "thanks": "Không có gì! 😊 Bạn cứ hỏi tiếp về tin tức Bộ đội Biên phòng nhé.",
    "goodbye": "Tạm biệt, hẹn gặp lại! 👋",
    "about": "Mình là bot hỏi đáp: mình tìm câu trả lời trong các bài báo về Bộ đội Biên phòng "
    "và ghi rõ nguồn. Hãy hỏi một câu, ví dụ: «Chính ủy Bộ đội Biên phòng là ai?» — /help để xem thêm.",
    "ack": "😊 Bạn cứ hỏi về tin tức Bộ đội Biên phòng nhé (/help để xem ví dụ).",
    "feedback": "Cảm ơn bạn đã góp ý! 🙏 Mình chỉ trích những câu có trong các bài báo; bạn thử hỏi "
    "cụ thể hơn (tên, chức vụ, năm, địa danh) hoặc xem /help.",
    "puzzled": "Mình trả lời bằng những câu trích nguyên văn từ các bài báo, kèm nguồn để bạn đọc cả bài. "
    "Bạn thử hỏi lại cụ thể hơn (tên, chức vụ, năm, địa danh) — /help có ví dụ.",
}


def chat_reply(question: str) -> str:
    """The reply to a line of small talk, by its kind."""
    return CHAT_REPLIES[small_talk(question) or "ack"]


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def format_date(date: str | None) -> str | None:
    """ "2024-03-27" -> "27/03/2024", "2023-06" -> "06/2023"."""
    if not date:
        return None
    parts = date.split("-")
    return "/".join(reversed(parts))


# A link longer than this is shown unlinked: it would take a reply past Telegram's limit.
MAX_LINK = 1024


def title_html(title: str, url: str | None) -> str:
    """A title (cut to ``MAX_TITLE`` whatever a record holds), linked to ``url`` when it is a
    web link of reasonable length."""
    shown = html.escape(cap_title(title or url or ""))
    if url and url.startswith(("http://", "https://")) and len(url) <= MAX_LINK:
        shown = f'<a href="{html.escape(url, quote=True)}">{shown}</a>'
    return shown


def source_html(title: str, date: str | None, url: str | None) -> str:
    """ "📰 Title · 27/03/2024", the title linked to the article when it has a URL. The data dir's
    file names (``000_79f8….txt``) are the operator's business: admins see them in /articles."""
    parts = [f"📰 <i>{title_html(title, url) or 'Bài viết không có tiêu đề'}</i>"]
    if (when := format_date(date)) is not None:
        parts.append(html.escape(cap_title(when, 40)))
    return " · ".join(parts)


def highlighted(sentence: str, spans: list[tuple[int, int]], limit: int | None = None) -> str:
    """Escape ``sentence`` and bold the spans; cut at ``limit`` characters (at a word) with "…"."""
    text, suffix = sentence, ""
    if limit is not None and len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
        text, suffix = cut.rstrip(" ,;:"), "…"
    out, pos = [], 0
    for start, end in spans:
        if start >= len(text):
            break
        end = min(end, len(text))
        out.append(html.escape(text[pos:start]))
        out.append(f"<b>{html.escape(text[start:end])}</b>")
        pos = end
    out.append(html.escape(text[pos:]) + suffix)
    return "".join(out)


def _answer_block(number: int, answer: Answer, result: SearchResult, limit: int | None) -> str:
    spans = matched_spans(answer.sentence, result.query)
    sentence = highlighted(answer.sentence, spans, limit)
    return f"<b>{number}.</b> {sentence}\n{source_html(answer.title, answer.date, answer.url)}"


def understood_html(result: SearchResult) -> str:
    """ "🔎 Hiểu là: …" above the answers to a follow-up, so that a wrong guess is visible."""
    if not result.understood_as:
        return ""
    understood = result.understood_as if len(result.understood_as) <= 300 else result.understood_as[:299] + "…"
    return f"🔎 Hiểu là: <i>{html.escape(understood)}</i>\n\n"


def answers_html(result: SearchResult, answers: list[Answer], first_number: int = 1) -> str:
    """The reply for a page of answers (the first says how a follow-up was understood, and that
    no sentence answers directly when only related ones were found); sentences are shortened
    until it fits Telegram's limit."""
    header = understood_html(result) if first_number == 1 else ""
    if result.verdict == "related":
        header += f"{RELATED}\n\n"
    if not answers:
        return header + NO_ANSWER
    limit: int | None = None
    while True:
        blocks = [_answer_block(first_number + i, a, result, limit) for i, a in enumerate(answers)]
        text = header + "\n\n".join(blocks)
        if utf16_len(text) <= MAX_MESSAGE:
            return text
        longest = max(len(a.sentence) for a in answers)
        limit = max(40, (limit or longest) * 3 // 4)
        if limit == 40 and utf16_len(text) > MAX_MESSAGE:
            # Titles alone could still be too long: keep what fits, whole blocks only.
            kept = []
            for block in blocks:
                if utf16_len(header + "\n\n".join([*kept, block])) > MAX_MESSAGE:
                    break
                kept.append(block)
            return header + ("\n\n".join(kept) or NO_ANSWER)


def passage_html(title: str, date: str | None, url: str | None, sentences: list[str], focus: int) -> str:
    """The passage around an answer, the answer sentence in bold, cut to fit one message."""
    header = source_html(title, date, url)
    body_parts = [f"<b>{html.escape(s)}</b>" if i == focus else html.escape(s) for i, s in enumerate(sentences)]
    text = f"{header}\n\n" + " ".join(body_parts)
    if utf16_len(text) <= MAX_MESSAGE:
        return text
    room = MAX_MESSAGE - utf16_len(header) - 40
    focus_text = sentences[focus] if 0 <= focus < len(sentences) else " ".join(sentences)
    return f"{header}\n\n<b>{highlighted(focus_text, [], room)}</b>"


def callback(*parts: object) -> str:
    """Callback data "kind:a:b", checked against Telegram's 64-byte limit."""
    data = ":".join(str(p) for p in parts)
    if len(data.encode()) > MAX_CALLBACK_DATA:
        raise ValueError(f"callback data over {MAX_CALLBACK_DATA} bytes: {data!r}")
    return data


MAX_PAGES = 5  # "more results" pages a question has at most (the answers past them add little)


def answers_keyboard(query_id: int, page: int, pages: int, first: int, answers: list[Answer]) -> InlineKeyboardMarkup:
    """Per answer a "📄 n" button (its passage, n counting from ``first``); 👍 / 👎; and with more
    than one page "⬅️ · 2/5 · ➡️", which turn the same message's page."""
    context_row = [
        InlineKeyboardButton(f"📄 {first + i}", callback_data=callback("ctx", a.sentence_id))
        for i, a in enumerate(answers)
    ]
    rows = [context_row] if context_row else []
    rows.append(
        [
            InlineKeyboardButton("👍", callback_data=callback("fb", query_id, 1)),
            InlineKeyboardButton("👎", callback_data=callback("fb", query_id, 0)),
        ]
    )
    if pages > 1:
        turn = []
        if page > 0:
            turn.append(InlineKeyboardButton("⬅️", callback_data=callback("more", query_id, page - 1)))
        turn.append(InlineKeyboardButton(f"{page + 1}/{pages}", callback_data=callback("page")))
        if page + 1 < pages:
            turn.append(InlineKeyboardButton("➡️", callback_data=callback("more", query_id, page + 1)))
        rows.append(turn)
    return InlineKeyboardMarkup(rows)


def page_count(answers: int, per_page: int) -> int:
    return min(MAX_PAGES, -(-answers // per_page))


def semantic_line(progress: tuple[int, int] | None) -> str:
    """The semantic index in /stats: "45% (60/134 câu)", "đầy đủ (134 câu)" or "tắt"."""
    if progress is None:
        return "tắt (chỉ xếp hạng theo từ khóa)"
    done, total = progress
    if done >= total:
        return f"đầy đủ ({total:,} câu)"
    return f"{done / total:.0%} ({done:,}/{total:,} câu) — đang tính, câu trả lời vẫn có ngay"
