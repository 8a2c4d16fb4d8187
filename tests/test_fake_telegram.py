"""The fake server must refuse what Telegram refuses, or the bot tests would prove nothing."""

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest as PTBBadRequest
from telegram.error import InvalidToken, RetryAfter

from tests.fake_telegram import BadRequest, FakeTelegram, check_markup, check_text, parse_html
from tests.telegram_env import TOKEN


def test_html_parser_accepts_telegram_html_and_refuses_the_rest():
    assert parse_html('<b>a</b> &lt;x&gt; <a href="https://a.vn">l</a> <i>ý</i>') == "a <x> l ý"
    for bad in ["<b>a", "a</b>", "<div>a</div>", "a < b", "AT&T", "<b><i>a</b></i>", "<a>x</a>"]:
        with pytest.raises(BadRequest):
            parse_html(bad)


def test_length_is_counted_in_utf16_after_parsing():
    assert check_text("<b>" + "a" * 4096 + "</b>", "HTML")
    with pytest.raises(BadRequest, match="too long"):
        check_text("a" * 4097, None)
    with pytest.raises(BadRequest, match="too long"):
        check_text("😀" * 2049, None)  # 4098 UTF-16 units
    with pytest.raises(BadRequest, match="empty"):
        check_text("<b> </b>", "HTML")


def test_callback_data_limit():
    check_markup({"inline_keyboard": [[{"text": "x", "callback_data": "a" * 64}]]})
    with pytest.raises(BadRequest, match="BUTTON_DATA_INVALID"):
        check_markup({"inline_keyboard": [[{"text": "x", "callback_data": "ă" * 33}]]})


async def test_real_client_meets_the_refusals():
    server = FakeTelegram(TOKEN)
    await server.start()
    try:
        async with Bot(TOKEN, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot") as bot:
            await bot.send_message(5, "xin chào")
            with pytest.raises(PTBBadRequest, match="too long"):
                await bot.send_message(5, "a" * 5000)
            with pytest.raises(PTBBadRequest, match="parse entities"):
                await bot.send_message(5, "<b>x", parse_mode="HTML")
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
            with pytest.raises(PTBBadRequest, match=r"(?i)button_data_invalid"):
                await bot.send_message(5, "x", reply_markup=markup)
            server.fail("sendMessage", 429, retry_after=7)
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(5, "x")
            assert "retry in 7 seconds" in str(info.value).lower()
        with pytest.raises(InvalidToken):
            async with Bot("999:wrong", base_url=f"{server.url}/bot") as bad:
                await bad.get_me()
    finally:
        await server.stop()
