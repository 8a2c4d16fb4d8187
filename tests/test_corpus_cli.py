"""``python -m bot add`` and ``python -m bot feeds …`` as an operator runs them (a subprocess each),
against the local news site."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.news_site import STORIES


async def bot_cli(
    tmp_path: Path, *args: str, private: bool = True, stdin: str = "", **settings: str
) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``python -m bot ARGS`` on tmp_path's data dir and
    database; ``settings``: more environment variables (``DB_BUSY_SECONDS="1"``)."""
    data = tmp_path / "data"  # the small_data fixture's
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATA_DIR", "DB_PATH")}
    env.update(
        PYTHONPATH=str(ROOT), ALLOW_PRIVATE_URLS="1" if private else "0", FETCH_TIMEOUT="5", SEMANTIC_RERANK="off"
    )
    env.update(settings)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, "--data-dir", str(data), "--db", str(tmp_path / "bot.sqlite3"),
        cwd=tmp_path, env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(stdin.encode("utf-8")), 120)
    return process.returncode or 0, out.decode("utf-8"), err.decode("utf-8")


async def test_add_reports_each_link_and_exits_1_when_one_failed(tmp_path, small_data, site):
    good, missing = site.article_link("hoanh-mo-tuan-tra"), site.link("/error/404")
    status, _, err = await bot_cli(tmp_path, "add", good, missing)
    assert status == 1
    assert f"added: {good} — {STORIES[0].title} (2024-05-14, 4 sentences) -> web.jsonl" in err
    assert f"failed: {missing} — HTTP 404 Not Found" in err
    status, _, err = await bot_cli(tmp_path, "add", good)
    assert status == 0 and f"already there: {good}" in err
    assert '"url": "' + good in (tmp_path / "data" / "web.jsonl").read_text("utf-8")
    # The console answers from it, with the link under the source.
    status, out, _ = await bot_cli(tmp_path, "console", stdin="Đồn trưởng Đồn Biên phòng Hoành Mô là ai?\n")
    assert status == 0 and "Hoàng Văn Lực" in out and f"[web.jsonl]\n     {good}" in out


async def test_private_addresses_are_refused_unless_allowed(tmp_path, small_data, site):
    status, _, err = await bot_cli(tmp_path, "add", site.article_link("hoanh-mo-tuan-tra"), private=False)
    assert status == 1 and "127.0.0.1 is not a public address; refused" in err
    assert not (tmp_path / "data" / "web.jsonl").exists()


async def test_feeds_add_list_poll_remove(tmp_path, small_data, site):
    feed = site.link("/rss.xml")
    status, _, err = await bot_cli(tmp_path, "feeds", "add", feed)
    assert status == 0 and f"feed 1 ({feed}): 3 new articles -> feeds/127.0.0.1-1.jsonl" in err
    site.feed.insert(0, "tin-2")
    status, _, err = await bot_cli(tmp_path, "feeds", "poll")
    assert status == 0 and "1 new articles" in err and site.article_link("tin-2") in err
    status, out, _ = await bot_cli(tmp_path, "feeds", "list")
    assert status == 0 and out.startswith(f"1\t{feed}\tBáo Biên phòng - Tin mới\tlast poll ") and "\t4 added\t" in out
    site.feed_status = 500
    status, _, err = await bot_cli(tmp_path, "feeds", "poll")
    assert status == 1 and "failed — HTTP 500" in err
    status, _, err = await bot_cli(tmp_path, "feeds", "remove", "1")
    assert status == 0 and "its articles stay in feeds/127.0.0.1-1.jsonl" in err
    assert (await bot_cli(tmp_path, "feeds", "remove", "1"))[0] == 1
    assert (await bot_cli(tmp_path, "feeds", "list"))[1] == ""


async def test_feeds_list_prints_no_terminal_escapes_or_credentials(tmp_path, small_data):
    """Before: a feed title's escape codes reached the operator's terminal as they were."""
    from retrieval.store.database import Store
    from retrieval.store.subscriptions import Subscriptions

    store = await Store.open(tmp_path / "bot.sqlite3")
    corpus = await store.corpus_id(small_data)
    title = "Tin \x1b[31mđỏ\x1b[0m\x1b]0;bị chiếm\x07 \x9b2J"
    await Subscriptions(store, corpus).add("https://u:mk@x.vn/rss", title, lambda n: f"feeds/x-{n}.jsonl")
    await store.close()
    status, out, _ = await bot_cli(tmp_path, "feeds", "list")
    assert status == 0 and out.startswith("1\thttps://x.vn/rss\tTin đỏ\t")
    assert not any(ch in out for ch in "\x1b\x07\x9b") and "mk@" not in out
