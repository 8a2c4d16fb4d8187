"""A bounded soak: 3,000 mixed messages from 200 users; memory stays flat and nothing fails."""

import gc
import logging
import random
import resource

from tests.telegram_env import ADMIN, running_bot

QUESTIONS = [
    "Tư lệnh Bộ đội Biên phòng là ai?",
    "tu lenh bo doi bien phong la ai",
    "Quảng Ninh thu hút đầu tư nước ngoài năm 2023 đạt bao nhiêu?",
    "huyen nao ve dich nong thon moi",
    "Giá vàng hôm nay bao nhiêu?",
    "😀",
    "<b>BĐBP</b> **Lai Châu** kết nghĩa mấy cặp đồn trạm?",
    "'; DROP TABLE queries; --",
    "biên phòng " * 200,
]
TOTAL = 3000
USERS = 200


def answered(server) -> int:
    """Updates answered so far: every update here gets exactly one of these calls."""
    return sum(server.counts.get((m, True), 0) for m in ("sendMessage", "answerInlineQuery", "answerCallbackQuery"))


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_soak(data_dir, db_path):
    rng = random.Random(7)
    errors = Errors()
    logging.getLogger().addHandler(errors)
    try:
        async with running_bot(data_dir, db_path, rate_limit_per_second=0, questions_per_minute=10_000) as (server, _):
            server.keep_calls = False
            sent = 0
            memory = []

            async def wave(n: int) -> None:
                nonlocal sent
                for _ in range(n):
                    user = 100_000 + rng.randrange(USERS)
                    kind = rng.random()
                    last = server.last_messages.get(user)
                    if kind < 0.70:
                        server.send_text(user, user, rng.choice(QUESTIONS))
                    elif kind < 0.78:
                        server.send_text(
                            user, user, rng.choice(["/start", "/help", "/stats", "/ask biên phòng", "/reload"])
                        )
                    elif kind < 0.90 and last and last.get("reply_markup"):
                        buttons = [b for row in last["reply_markup"]["inline_keyboard"] for b in row]
                        data = rng.choice(buttons)["callback_data"]
                        server.press(user, last, data if not data.startswith("more") else data.replace("more", "fb"))
                    elif kind < 0.95:
                        server.inline(user, rng.choice(QUESTIONS))
                    else:
                        server.send_text(user, user, None, sticker={"file_id": "s", "file_unique_id": "s",
                                         "type": "regular", "width": 1, "height": 1, "is_animated": False,
                                         "is_video": False})  # fmt: skip
                    sent += 1
                    # At most 100 unanswered updates, as steady traffic would have.
                    await server.wait_for(lambda n=sent: n - answered(server) <= 100, timeout=60)

            await wave(1000)
            gc.collect()
            memory.append(rss_mb())
            await wave(TOTAL - 1000)
            await server.wait_for(lambda: answered(server) >= sent, timeout=60)
            server.send_text(ADMIN, ADMIN, "/stats")  # the bot still answers at the end
            await server.wait_for(lambda: ADMIN in server.last_messages, timeout=30)
            gc.collect()
            memory.append(rss_mb())
            failed = {k: v for k, v in server.counts.items() if not k[1]}
    finally:
        logging.getLogger().removeHandler(errors)
    assert sent == TOTAL
    assert failed == {}, failed  # no Bot API call Telegram would refuse
    assert [r.getMessage() for r in errors.records] == []  # zero unhandled exceptions
    print(f"soak: RSS {memory[0]:.1f} MB after 1,000 messages, {memory[1]:.1f} MB after {TOTAL}; calls {server.counts}")
    assert memory[1] - memory[0] < 10, memory  # flat over the last 2,000 messages
