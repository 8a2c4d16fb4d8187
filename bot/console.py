"""The local console: the same answers as the bot, without Telegram.

Interactive mode prints each answer with its source under it; the session is one conversation
(follow-up questions are understood in its context, ``/new`` forgets it). ``--json`` mode is a
machine contract used by evaluation tools: one JSON object per input line on stdout, flushed, and
nothing else on stdout (logs and progress go to stderr); a line ``{"question": ..., "conversation":
...}`` is a question in that conversation, any other line a question on its own.
"""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
import threading
from typing import TextIO

from bot.render import RELATED, chat_reply
from retrieval.engine import QAEngine
from retrieval.index.search import SearchResult
from retrieval.question.conversation import Conversation

NO_ANSWER = "Không tìm thấy câu trả lời trong kho bài viết. Hãy thử diễn đạt khác hoặc dùng ít từ hơn."


def result_json(question: str, result: SearchResult | None, took_ms: float) -> str:
    """One line of the console JSON contract (``result`` None: nothing was asked, e.g. "/new")."""
    return json.dumps(
        {
            "question": question,
            "answers": [a.to_json() for a in result.answers] if result else [],
            "understood_as": result.understood_as if result else None,
            "verdict": result.verdict if result else None,
            "took_ms": round(took_ms, 3),
        },
        ensure_ascii=False,
    )


def format_result(question: str, result: SearchResult) -> str:
    """Readable text for people: how a follow-up was understood, numbered sentences, the source
    (and link) under each; small talk answered in the bot's voice."""
    if result.verdict == "chat":
        return chat_reply(question)
    understood = f"🔎 Hiểu là: {result.understood_as}\n\n" if result.understood_as else ""
    if result.verdict == "related":
        understood += f"{RELATED}\n\n"
    if not result.answers:
        return understood + NO_ANSWER
    blocks = []
    for n, answer in enumerate(result.answers, start=1):
        body = textwrap.fill(answer.sentence, width=100, initial_indent=f"{n}. ", subsequent_indent="   ")
        source = answer.title + (f" ({answer.date})" if answer.date else "")
        link = f"\n     {answer.url}" if answer.url else ""  # a fetched article: where to read it
        blocks.append(f"{body}\n   — {source} [{answer.doc}]{link}")
    return understood + "\n\n".join(blocks)


NEW_CONVERSATION = "/new"


def parse_line(line: str) -> tuple[str, str | None]:
    """(question, conversation key or None) of one input line of the JSON contract."""
    if line.lstrip().startswith("{"):
        try:
            item = json.loads(line)
        except ValueError:
            return line, None
        if isinstance(item, dict) and isinstance(item.get("question"), str):
            conversation = item.get("conversation")
            return item["question"], conversation if isinstance(conversation, str) else None
    return line, None


class LineReader:
    """The lines of a stream, read by a daemon thread one ahead at most. A stop (SIGTERM, Ctrl-C)
    never waits for a line that may never come: a worker of ``asyncio.to_thread`` blocked in
    ``readline`` held the process's exit until its stdin closed."""

    def __init__(self, stream: TextIO) -> None:
        self._lines: asyncio.Queue[str] = asyncio.Queue(maxsize=1)
        loop = asyncio.get_running_loop()

        def pump() -> None:
            while True:
                line = stream.readline()
                try:
                    asyncio.run_coroutine_threadsafe(self._lines.put(line), loop).result()
                except RuntimeError:  # the loop is gone: the console has stopped
                    return
                if not line:
                    return

        threading.Thread(target=pump, name="console-input", daemon=True).start()

    async def line(self) -> str | None:
        """The next line, None at the end of the stream."""
        return await self._lines.get() or None


async def run_console(
    engine: QAEngine,
    top_k: int,
    as_json: bool,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
    context_minutes: float = 10.0,
) -> None:
    """Answer every line of ``stdin`` until EOF."""
    conversations: dict[str, Conversation] = {}
    interactive = stdin.isatty() and not as_json
    if interactive:
        articles, _, sentences = engine.index.size if engine.index else (0, 0, 0)
        print(
            f"Sẵn sàng: {articles} bài viết, {sentences} câu. Gõ câu hỏi (hỏi tiếp được; /new để bắt đầu lại),"
            " Ctrl-D để thoát.",
            file=stderr,
        )
    lines = LineReader(stdin)
    while True:
        if interactive:
            print("\n❓ ", end="", file=stderr, flush=True)
        line = await lines.line()
        if line is None:
            break
        question, key = line.rstrip("\r\n"), None
        if as_json:
            question, key = parse_line(question)
        elif not question.strip():
            continue
        else:
            key = ""  # the interactive session is one conversation
        conversation = conversations.setdefault(key, Conversation(context_minutes)) if key is not None else None
        if conversation is not None and question.strip() == NEW_CONVERSATION:
            conversation.clear()
            if as_json:
                stdout.write(result_json(question, None, 0.0) + "\n")
            else:
                print("(Cuộc trò chuyện mới.)", file=stderr)
            stdout.flush()
            continue
        previous = conversation.last() if conversation is not None else None
        asked = await engine.ask(question, top_k, source="console", previous=previous)
        result, took_ms = asked.result, asked.took_ms
        if conversation is not None and result.verdict != "chat":  # small talk is no context
            conversation.add(result.understood_as or question, [a.sentence for a in result.answers])
        if as_json:
            stdout.write(result_json(question, result, took_ms) + "\n")
        else:
            stdout.write(format_result(question, result) + "\n\n")
        stdout.flush()
