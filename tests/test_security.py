"""Security: admins by numeric id only, an optional allow-list, no unpickling, safe uploads."""

import ast
import re

from bot.service import ADMIN_ONLY
from bot.telegram_bot import PRIVATE_BOT
from tests.conftest import ROOT, cp1258
from tests.fake_telegram import parse_html
from tests.telegram_env import ADMIN, USER, running_bot

QUESTION = "Tư lệnh Bộ đội Biên phòng là ai?"


async def test_allow_list_lets_listed_users_chats_and_admins_in_only(data_dir, db_path):
    group = -100900
    async with running_bot(
        data_dir, db_path, allowed_user_ids=frozenset({USER}), allowed_chat_ids=frozenset({group})
    ) as (
        server,
        _,
    ):
        server.send_text(USER, USER, QUESTION)
        server.send_text(USER + 5, USER + 5, QUESTION)  # a stranger
        server.send_text(ADMIN, ADMIN, QUESTION)
        server.send_text(group, USER + 6, f"/ask {QUESTION}", chat_type="supergroup")  # stranger in an allowed chat
        server.send_text(-100901, USER + 7, f"/ask {QUESTION}", chat_type="supergroup")  # stranger elsewhere
        server.inline(USER + 5, "tu lenh")
        for chat in (USER, ADMIN, group):
            assert "Lê Đức Thái" in parse_html((await server.reply_to(chat))[0].params["text"])
        assert (await server.reply_to(USER + 5))[0].params["text"] == PRIVATE_BOT
        (inline,) = await server.reply_to(None, method="answerInlineQuery")
        assert inline.params["results"] == []
        assert server.sent("sendMessage", -100901) == []


async def test_admin_is_a_numeric_id_not_a_username(data_dir, db_path):
    async with running_bot(data_dir, db_path) as (server, _):
        # Same first name and a username that looks like an admin's: still not an admin.
        server.send_text(USER, USER, "/reload", **{"from": {"id": USER, "is_bot": False, "first_name": "Admin",
                                                              "username": "admin"}})  # fmt: skip
        assert (await server.reply_to(USER))[0].params["text"] == ADMIN_ONLY


def test_nothing_is_unpickled_or_evaluated():
    sources = [p for d in ("bot", "retrieval") for p in (ROOT / d).rglob("*.py")]
    assert sources
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(pickle|marshal|shelve|dill)\b|\beval\(|\bexec\(", text), path


_SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|PRAGMA|CREATE|DROP|ALTER|WHERE|VALUES)\b")


def _formatted_sql(tree: ast.AST) -> list[int]:
    """Lines where SQL text is formatted: an f-string, ``%`` or ``.format()`` on text with SQL
    words, or an ``execute*`` argument built from anything but literals and names."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if _SQL_WORDS.search(text):
                found.append(node.lineno)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
            if isinstance(node.left.value, str) and _SQL_WORDS.search(node.left.value):
                found.append(node.lineno)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if node.func.attr == "format" and isinstance(target, ast.Constant) and _SQL_WORDS.search(str(target.value)):
                found.append(node.lineno)
            if node.func.attr in ("execute", "executemany", "executescript") and node.args and not _plain(node.args[0]):
                found.append(node.lineno)
    return found


def _plain(node: ast.AST) -> bool:
    """Literals, names (constants, a variable holding one of them), a constant table's entry, and
    ``+`` or ``x if c else y`` of those: nothing computed from a value."""
    if isinstance(node, ast.Constant | ast.Name):
        return True
    if isinstance(node, ast.Attribute):
        return isinstance(node.value, ast.Name)  # self._ARTICLE_ROWS
    if isinstance(node, ast.Subscript):
        return isinstance(node.value, ast.Name)  # MAX_ID[table]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _plain(node.left) and _plain(node.right)
    if isinstance(node, ast.IfExp):
        return _plain(node.body) and _plain(node.orelse)
    return False


def test_sql_is_always_parameterised():
    """Every module of the program (not one folder, not one line at a time: the syntax tree), and
    the check itself: an f-string SQL split over lines, a %-formatted one, a concatenated value."""
    sources = [p for d in ("bot", "retrieval", "bench") for p in (ROOT / d).rglob("*.py")]
    assert len(sources) > 30
    for path in sources:
        assert _formatted_sql(ast.parse(path.read_text(encoding="utf-8"))) == [], path
    broken = (
        'db.execute(\n    "SELECT title FROM articles"\n    f" WHERE url = \'{url}\'"\n)\n'
        'sql = "DELETE FROM feeds WHERE id = %s" % feed_id\n'
        'db.execute("SELECT 1 FROM queries WHERE id = " + str(query_id))\n'
    )
    assert sorted(_formatted_sql(ast.parse(broken))) == [1, 2, 5, 6]


async def test_uploads_in_other_encodings_and_duplicates(data_dir, db_path):
    utf16 = "Tin biên giới\nĐồn biên phòng Pò Hèn tuần tra mốc 1340.".encode("utf-16")
    vn1258 = cp1258("Tin cửa khẩu\nCửa khẩu Móng Cái đón khách du lịch.")
    async with running_bot(data_dir, db_path) as (server, _):
        server.send_document(ADMIN, ADMIN, "utf16.txt", utf16)
        await server.wait_for(lambda: [c for c in server.sent("editMessageText") if "utf16.txt" in c.params["text"]])
        server.send_document(ADMIN, ADMIN, "cp1258.txt", vn1258)
        report = await server.wait_for(
            lambda: [c for c in server.sent("editMessageText") if "cp1258.txt" in c.params["text"]]
        )
        assert "Windows-1258" in parse_html(report[0].params["text"])
        assert (data_dir / "cp1258.txt").read_bytes() == vn1258  # the file is kept as sent
        server.send_text(USER, USER, "cửa khẩu nào đón khách du lịch?")
        assert "Móng Cái" in parse_html((await server.reply_to(USER))[0].params["text"])
        server.send_document(ADMIN, ADMIN, "again.txt", utf16)
        replies = await server.wait_for(
            lambda: [c for c in server.sent("sendMessage", ADMIN) if "đã có" in c.params["text"]]
        )
        assert "utf16.txt" in parse_html(replies[0].params["text"]) and not (data_dir / "again.txt").exists()
