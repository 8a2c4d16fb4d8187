"""Feed ingestion benchmark: does subscribing to a big feed hold up the bot?

    python -m bench.feeds                      # a feed of 200 entries into the built-in corpus
    python -m bench.feeds --entries 200 --semantic --data-dir var/bench/p10000

A local news site (``tests.news_site``, on 127.0.0.1, in its own process like a real site, so that
its work is not counted as the bot's) serves an RSS feed of ``--entries`` distinct articles; a
running engine (``--semantic``: with the bundled model, as the bot runs by default)
subscribes to it: every page fetched, extracted (trafilatura), deduplicated, written to the feed's
``.jsonl`` file, indexed by one incremental reload. Meanwhile a question is asked every 50 ms,
as users would, and the event loop is watched (a 5 ms timer; lag = how late it fired). Reports:
- ingest: seconds from ``/feed`` to the articles answering, articles added;
- loop lag: the longest and the 99th percentile delay of the event loop during the ingest;
- questions: p50/p99 of ``took_ms`` while ingesting, against the same questions before it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

from retrieval.engine import QAEngine
from retrieval.index.semantic import Encoder
from retrieval.web.fetch import Fetcher, FetchError
from retrieval.web.ingest import WebCorpus

# The news site in a process of its own: prints its URL, serves until its stdin closes.
SITE = r"""
import asyncio, sys
from tests.news_site import NewsSite

async def main(entries):
    site = NewsSite()
    site.feed = [f"tin-{n}" for n in range(entries)]
    await site.start()
    print(site.url, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await site.stop()

asyncio.run(main(int(sys.argv[1])))
"""

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench" / "feeds"
QUESTIONS = [
    "Tư lệnh Bộ đội Biên phòng là ai?",
    "quang ninh thu hut dau tu nuoc ngoai nam 2023 dat bao nhieu",
    "Đồn Biên phòng số 17 tổ chức tuần tra với bao nhiêu cán bộ, chiến sĩ?",
    "Huyện nào về đích nông thôn mới?",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def ask_until(engine: QAEngine, stop: asyncio.Event, took: list[float]) -> None:
    number = 0
    while not stop.is_set():
        ms = (await engine.ask(QUESTIONS[number % len(QUESTIONS)], source="bench")).took_ms
        took.append(ms)
        number += 1
        await asyncio.sleep(0.05)


async def watch_loop(stop: asyncio.Event, lags: list[float]) -> None:
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        lags.append((time.perf_counter() - before - 0.005) * 1000)


async def run(entries: int, data_dir: Path, semantic: bool) -> dict[str, object]:
    shutil.rmtree(WORK, ignore_errors=True)
    data = WORK / "data"
    shutil.copytree(data_dir, data)
    site = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SITE,
        str(entries),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert site.stdout is not None and site.stdin is not None
    url = (await asyncio.wait_for(site.stdout.readline(), 60)).decode().strip()
    encoder = await asyncio.to_thread(Encoder.load) if semantic else None
    engine, report = await QAEngine.open(data, WORK / "bench.sqlite3", encoder=encoder)
    await engine.saved()
    web = WebCorpus(engine, Fetcher(allow_private=True))
    try:
        idle: list[float] = []
        stop = asyncio.Event()
        asking = asyncio.create_task(ask_until(engine, stop, idle))
        await asyncio.sleep(3)
        stop.set()
        await asking
        # The bot's HTTP stack is loaded by its own Telegram client before any admin command; here
        # one request loads it (its first use imports modules on the loop: ~45 ms, once a process).
        with contextlib.suppress(FetchError):
            await web.fetcher.fetch(f"{url}/error/404")
        took: list[float] = []
        lags: list[float] = []
        stop = asyncio.Event()
        tasks = [asyncio.create_task(ask_until(engine, stop, took)), asyncio.create_task(watch_loop(stop, lags))]
        started = time.perf_counter()
        polled = await web.subscribe(f"{url}/rss.xml")
        seconds = time.perf_counter() - started
        stop.set()
        await asyncio.gather(*tasks)
        return {
            "corpus": f"{report.articles:,} articles, {report.passages:,} passages",
            "entries": entries,
            "added": polled.added,
            "failed": len(polled.failed),
            "ingest_s": round(seconds, 1),
            "loop_lag_max_ms": round(max(lags), 1),
            "loop_lag_p99_ms": round(percentile(lags, 0.99), 1),
            "questions_during": len(took),
            "p50_during_ms": round(statistics.median(took), 1),
            "p99_during_ms": round(percentile(took, 0.99), 1),
            "p50_idle_ms": round(statistics.median(idle), 1),
            "p99_idle_ms": round(percentile(idle, 0.99), 1),
            "semantic": semantic,
        }
    finally:
        await web.fetcher.close()
        await engine.close()
        site.stdin.close()
        await asyncio.wait_for(site.wait(), 30)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.feeds", description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=200, help="entries in the feed (default 200)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data", help="the corpus before (default data/)")
    parser.add_argument("--semantic", action="store_true", help="with the bundled model, as the bot runs")
    args = parser.parse_args()
    out = asyncio.run(run(args.entries, args.data_dir, args.semantic))
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
