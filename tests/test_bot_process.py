"""``python -m bot`` as a real process with a token: polls the fake Bot API, answers, stops on Ctrl-C."""

import asyncio
import os
import signal
import sys

from tests.conftest import ROOT
from tests.fake_telegram import FakeTelegram, parse_html
from tests.telegram_env import TOKEN, USER


async def test_run_answers_and_shuts_down_cleanly_without_logging_the_token(tmp_path, data_dir):
    server = FakeTelegram(TOKEN)
    await server.start()
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "DB_PATH", "ADMIN_IDS")}
    env.update(
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=server.url,
        DATA_DIR=str(data_dir),
        DB_PATH=str(tmp_path / "bot.sqlite3"),
        LOG_LEVEL="DEBUG",  # the noisiest level: PTB logs the API URL, which holds the token
    )
    log_path = tmp_path / "stderr.log"
    with log_path.open("wb") as err, (tmp_path / "stdout.log").open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env, stdout=out, stderr=err
        )
    try:
        server.send_text(USER, USER, "tu lenh bo doi bien phong la ai")
        (reply,) = await server.reply_to(USER, timeout=60)
        assert "Lê Đức Thái" in parse_html(reply.params["text"])
        proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()
    log = log_path.read_text(encoding="utf-8")
    assert proc.returncode == 0, log[-2000:]
    assert "index ready" in log and "[REDACTED]" in log and "Application.stop() complete" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert TOKEN not in (tmp_path / "stdout.log").read_text(encoding="utf-8")


def children_of(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc: the worker pool, the resource tracker)."""
    found = set()
    for stat in os.listdir("/proc"):
        if stat.isdigit():
            try:
                with open(f"/proc/{stat}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(stat))
    return found


def alive(pids: set[int]) -> set[int]:
    left = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] != "Z":
                    left.add(pid)
        except OSError:
            pass
    return left


async def test_sigterm_stops_an_index_run_with_its_worker_processes(tmp_path):
    """Before: ``python -m bot index`` exited 143 and left its spawned workers and their resource
    tracker running (~98 MB) under PID 1. Now SIGTERM cancels the run: exit 0, workers gone,
    the database consistent."""
    import sqlite3

    from bench.generate import generate

    generate(20_000, tmp_path / "data")  # big enough for pyvi's worker processes
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "DB_PATH", "TELEGRAM_BOT_TOKEN")}
    env.update(PYTHONPATH=str(ROOT), SEMANTIC_RERANK="off")
    db = tmp_path / "bot.sqlite3"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "index", "--data-dir", str(tmp_path / "data"), "--db", str(db),
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        workers: set[int] = set()
        for _ in range(600):  # until the pool is up (the tracker and two pyvi workers), at most 60 s
            workers |= children_of(proc.pid)
            if len(workers) >= 3:
                break
            await asyncio.sleep(0.1)
        assert len(workers) >= 3, workers
        proc.send_signal(signal.SIGTERM)
        err = await asyncio.wait_for(proc.stderr.read(), 30)  # type: ignore[union-attr]
        await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0 and b"Traceback" not in err, err.decode()[-2000:]
    for _ in range(50):  # the pool's shutdown has returned; give the kernel a moment to reap
        if not alive(workers):
            break
        await asyncio.sleep(0.1)
    assert not alive(workers)
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_the_console_stops_at_once_on_sigterm_and_ctrl_c(tmp_path, data_dir):
    """Waiting for a line that may never come (stdin open, nothing typed) holds up no stop."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "DB_PATH", "TELEGRAM_BOT_TOKEN")}
    env.update(PYTHONPATH=str(ROOT), SEMANTIC_RERANK="off")
    for signum, status in ((signal.SIGTERM, 0), (signal.SIGINT, 130)):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "console", "--data-dir", str(data_dir), "--db", str(tmp_path / "c.sqlite3"),
            cwd=tmp_path, env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            for _ in range(20):  # progress lines, then the index's summary
                if b"index:" in await asyncio.wait_for(proc.stderr.readline(), 60):  # type: ignore[union-attr]
                    break
            await asyncio.sleep(0.5)  # reading stdin now
            proc.send_signal(signum)
            await asyncio.wait_for(proc.wait(), 10)  # stdin stays open
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert proc.returncode == status
