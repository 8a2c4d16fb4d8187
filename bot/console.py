"""The local console: the same answers as the bot, without Telegram.

Interactive mode prints each answer with its source under it. ``--json`` mode is a machine
contract used by evaluation tools: one JSON object per input line on stdout, flushed, and nothing
else on stdout (logs and progress go to stderr).
"""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
from typing import TextIO

from retrieval.engine import QAEngine
from retrieval.index import SearchResult

NO_ANSWER = "Không tìm thấy câu trả lời trong kho bài viết. Hãy thử diễn đạt khác hoặc dùng ít từ hơn."


def result_json(question: str, result: SearchResult, took_ms: float) -> str:
    """One line of the console JSON contract."""
    return json.dumps(
        {
            "question": question,
            "answers": [a.to_json() for a in result.answers],
            "took_ms": round(took_ms, 3),
        },
        ensure_ascii=False,
    )


def format_result(result: SearchResult) -> str:
    """Readable text for people: numbered sentences, the source under each."""
    if not result.answers:
        return NO_ANSWER
    blocks = []
    for n, answer in enumerate(result.answers, start=1):
        body = textwrap.fill(answer.sentence, width=100, initial_indent=f"{n}. ", subsequent_indent="   ")
        source = answer.title + (f" ({answer.date})" if answer.date else "")
        blocks.append(f"{body}\n   — {source} [{answer.doc}]")
    return "\n\n".join(blocks)


async def _read_line(stream: TextIO) -> str | None:
    line = await asyncio.to_thread(stream.readline)
    return line if line else None


async def run_console(
    engine: QAEngine,
    top_k: int,
    as_json: bool,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
) -> None:
    """Answer every line of ``stdin`` until EOF."""
    interactive = stdin.isatty() and not as_json
    if interactive:
        articles, _, sentences = engine.index.size if engine.index else (0, 0, 0)
        print(f"Sẵn sàng: {articles} bài viết, {sentences} câu. Gõ câu hỏi, Ctrl-D để thoát.", file=stderr)
    while True:
        if interactive:
            print("\n❓ ", end="", file=stderr, flush=True)
        line = await _read_line(stdin)
        if line is None:
            break
        question = line.rstrip("\r\n")
        if not as_json and not question.strip():
            continue
        result, took_ms, _ = await engine.ask(question, top_k, source="console")
        if as_json:
            stdout.write(result_json(question, result, took_ms) + "\n")
        else:
            stdout.write(format_result(result) + "\n\n")
        stdout.flush()
