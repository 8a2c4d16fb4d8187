"""Speed and scale benchmark: cold build, warm restart, latency, memory, answers/s.

    python -m bench.scale --passages 1000 10000 100000
    python -m bench.scale --passages 100000 --e2e      # plus 1,000 questions through the Bot API

For each size a corpus is generated once (``bench.generate``, cached under ``var/bench/``) and each
measurement runs in a fresh process, so memory and start-up times are those a user would see:
- cold: first start on an empty database (parse, segment on both cores, store, build, save);
- warm: a restart with nothing changed (the saved index is loaded);
- changed: a restart after one article of a file changed: when answers used the change (the
  index updated: the start is over) and when the updated index was saved (in the background);
- reload: then another article of that file changed and ``QAEngine.reload`` (an admin's
  ``/reload``) in the running process: serving and saved, the same way;
- p50/p99: whole questions (segmentation, retrieval, sentence ranking, answer objects), 1,000 of
  them made from corpus sentences, a third typed without accents;
- verdict + restoration: what the verdict (retrieval.question.verdict, a close stated answer
  moved first) and the accent restoration add to p50, the same questions timed without them;
- RSS: resident memory of the serving process after the questions;
- loop lag: the longest the asyncio event loop was held during any of these starts and the
  questions (asked from a worker thread, as the bot does), in which of them (with
  ``--semantic``, "building" is the run that computes the vectors) and when: opening (until the
  first answer), saving (the index saved in the background), questions, reloading; and the
  longest among the waits during which the hypervisor ran nothing else on this VM's cores
  ("unstolen": /proc/stat's steal unchanged), since a VM whose core is taken away for 100 ms
  holds up every loop on it, whatever the code; then the cold start's own (both ways).
With ``--e2e``: the real bot against the fake Bot API server, in its own process on 127.0.0.1,
rate limit off (as with a self-hosted Bot API server), 1,000 questions from 200 chats twice: as
one burst (answers/s; when the answers arrived, from the start), then as conversations (each chat
asks its next question once answered: latency of each question).
With ``--semantic`` every start also loads the bundled model (``SEMANTIC_RERANK=on``, the default
of the bot) and the table gains:
- semantic index: the time from a start with no vector until every sentence has one, measured
  where that takes under ``--embed-limit`` sentences (default 5,000, a few minutes); beyond, the
  sentences divided by the rate measured at the smaller sizes of the same run ("est."), and
  the stored vectors are then random unit vectors, so that the warm start, p50/p99 and RSS
  measure re-ranking at that size as a complete semantic index would serve it;
- p50/p99 while building: questions asked while the vectors are being computed, 10 a second (a
  busy bot), the first 1,000 (measured sizes only);
- a question's own vectors (estimated sizes, before the random ones are stored): from a start
  with no vector, 20 accented questions one after the other, each timed from its answer until
  the sentences it needed have vectors (the semantic index computes those first).
Prints a Markdown table (bench/README.md's).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import SHAPES

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"

CHILD = r"""
import asyncio, dataclasses, json, random, sys, time
from pathlib import Path
from retrieval.engine import QAEngine, favour_event_loop
from retrieval.text.normalize import fold_diacritics
from retrieval.index.semantic import Encoder

def stolen():  # the time the hypervisor ran something else on this VM's cores (/proc/stat, ticks)
    with open("/proc/stat") as handle:
        return int(handle.readline().split()[8])

async def lag_monitor(state):
    while True:
        before, steal = time.perf_counter(), stolen()
        await asyncio.sleep(0.005)
        lag = time.perf_counter() - before - 0.005
        if lag > state["max"]:
            state["max"], state["at"] = lag, state["phase"]
        if lag > state["max_unstolen"] and stolen() == steal:
            state["max_unstolen"] = lag

async def main(data, db, questions, edit, semantic, until_vectors, asked_first, count):  # asked_first: how many
    state = {"max": 0.0, "max_unstolen": 0.0, "phase": "opening", "at": "opening"}
    monitor = asyncio.create_task(lag_monitor(state))
    started = time.perf_counter()
    encoder = await asyncio.to_thread(Encoder.load) if semantic else None
    engine, report = await QAEngine.open(Path(data), Path(db), encoder=encoder)
    opened = time.perf_counter() - started
    state["phase"] = "saving"
    await engine.saved()
    saved = time.perf_counter() - started
    out = {"open_s": opened, "saved_s": saved, "report": report.summary(), "passages": report.passages,
           "sentences": report.sentences}
    state["phase"] = "questions"
    if questions:
        def make_questions():
            rng = random.Random(5)
            asked = []
            for i in range(count):
                words = engine.index.sentence_text[rng.randrange(report.sentences)].split()
                start = rng.randrange(max(1, len(words) - 6))
                q = " ".join(words[start:start + rng.randint(4, 7)])
                asked.append(fold_diacritics(q).lower() if i % 3 == 0 else q)
            for q in asked[:20]:
                engine.search(q)  # warm-up
            return asked

        def timed(q):
            t = time.perf_counter()
            engine.search(q)
            return (time.perf_counter() - t) * 1000

        # Everything that reads the index runs in a thread, as in the bot: the first searches
        # page the memory-mapped index in (1.9 s at 1M passages when it ran on the loop).
        asked = await asyncio.to_thread(make_questions)
        times = [await asyncio.to_thread(timed, q) for q in asked]
        times.sort()
        out.update(p50_ms=times[len(times) // 2], p99_ms=times[int(len(times) * 0.99)])
        # The same questions without the verdict and the accent restoration: what those two add.
        config = engine.index.config
        engine.index.config = dataclasses.replace(config, verdict=False, restore_accents=False)
        plain = sorted([await asyncio.to_thread(timed, q) for q in asked])
        engine.index.config = config
        out.update(plain_p50_ms=plain[len(plain) // 2], plain_p99_ms=plain[int(len(plain) * 0.99)])
        if until_vectors:  # questions while the background work computes vectors, then wait for it
            building = []
            for q in asked:  # 10 questions a second, a busy bot's load, while vectors are computed
                if engine.semantic_settled:
                    break
                building.append(await asyncio.to_thread(timed, q))
                await asyncio.sleep(0.1)
            await engine.semantic_ready()
            out["vectors_s"] = time.perf_counter() - started
            building.sort()
            if building:
                out.update(building_p50_ms=building[len(building) // 2],
                           building_p99_ms=building[int(len(building) * 0.99)])
        if asked_first:  # while vectors are computed in order: how soon a question's own come in
            waited, wanted, want = [], [], engine.semantic._want

            def recording(vectors):  # the rows each search asks for (the engine's queue is shared)
                queue = want(vectors)
                return lambda rows: (wanted.append((vectors, rows)), queue(rows))

            engine.semantic._want = recording
            for q in [q for q in asked if q != fold_diacritics(q)][:asked_first]:
                wanted.clear()
                await asyncio.to_thread(engine.search, q)
                if not wanted:
                    continue  # nothing was missing (or no candidate)
                vectors, rows = wanted[-1]
                t = time.perf_counter()
                while not vectors.ready[rows].all() and time.perf_counter() - t < 300:
                    await asyncio.sleep(0.05)
                waited.append(time.perf_counter() - t)
            waited.sort()
            if waited:
                out.update(asked_p50_s=waited[len(waited) // 2], asked_max_s=waited[-1], asked_n=len(waited))
        needles = Path(data).parent / "needles.jsonl"
        if needles.exists():  # the topical corpus: its needle questions, found or not, and how fast
            pairs = [json.loads(line) for line in needles.read_text("utf-8").splitlines() if line.strip()]

            def needle(pair):
                t = time.perf_counter()
                result = engine.search(pair["question"])
                took = (time.perf_counter() - t) * 1000
                return took, bool(result.answers) and pair["answer"] in result.answers[0].sentence

            found = [await asyncio.to_thread(needle, pair) for pair in pairs]
            times = sorted(t for t, _ in found)
            out.update(needle_hit1=sum(hit for _, hit in found) / len(found),
                       needle_p50_ms=times[len(times) // 2], needle_p99_ms=times[int(len(times) * 0.99)])
        with open("/proc/self/statm") as handle:
            import resource
            out["rss_mb"] = int(handle.read().split()[1]) * resource.getpagesize() / 2**20
    if edit:
        from bench.scale import edit_article

        await asyncio.to_thread(edit_article, Path(edit), 1)
        state["phase"] = "reloading"
        started = time.perf_counter()
        await engine.reload()
        out["reload_s"] = time.perf_counter() - started
        await engine.saved()
        out["reload_saved_s"] = time.perf_counter() - started
    monitor.cancel()
    out["loop_lag_ms"], out["loop_lag_phase"] = state["max"] * 1000, state["at"]
    out["loop_lag_unstolen_ms"] = state["max_unstolen"] * 1000
    import resource
    # Peak resident memory (KiB in Linux's ru_maxrss): this process, and the largest of its
    # finished children (the pyvi workers, the index build worker).
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["children_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    await engine.close()
    print(json.dumps(out))

favour_event_loop()  # as the bot's entry point does
asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4], sys.argv[5] == "1", sys.argv[6] == "1",
                 int(sys.argv[7]), int(sys.argv[8])))
"""


def run_child(
    data: Path,
    db: Path,
    questions: bool,
    edit: Path | None = None,
    semantic: bool = False,
    until_vectors: bool = False,
    asked_first: int = 0,
    questions_asked: int = 1000,
) -> dict:
    """One start of the engine in a fresh process; ``edit``: a .jsonl file to change one more
    article of once started, then reload; ``semantic``: with the model; ``until_vectors``: ask
    questions until every vector is computed, and time that; ``asked_first``: with vectors still
    missing, ask that many questions one after the other and time until each one's are computed;
    ``questions_asked``: how many questions time the search."""
    flags = ["1" if questions else "0", str(edit or ""), "1" if semantic else "0", "1" if until_vectors else "0"]
    flags += [str(asked_first), str(questions_asked)]
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(data), str(db), *flags],
        capture_output=True, text=True, check=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )  # fmt: skip
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fill_random_vectors(db: Path) -> int:
    """Give every sentence without a vector a random unit vector (what a complete semantic index
    costs to load, hold and search, at sizes where computing it would take hours)."""
    import sqlite3

    import numpy as np

    from retrieval.index.semantic import DIM, MODEL_NAME, to_blobs

    rng = np.random.default_rng(0)
    with sqlite3.connect(db) as con:
        con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('vector_model', ?)", (MODEL_NAME,))
        missing = "SELECT id FROM sentences WHERE id NOT IN (SELECT sentence_id FROM sentence_vectors)"
        ids = [i for (i,) in con.execute(missing)]
        for start in range(0, len(ids), 50_000):
            chunk = ids[start : start + 50_000]
            vectors = rng.normal(size=(len(chunk), DIM)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            rows = zip(chunk, to_blobs(vectors), strict=True)
            con.executemany("INSERT INTO sentence_vectors(sentence_id, vector) VALUES (?, ?)", rows)
    return len(ids)


def corpus(passages: int, shape: str = "jsonl") -> Path:
    """The generated data dir of a size and shape (cached: generated once)."""
    from bench.generate import generate

    data = WORK / (f"{passages}" if shape == "jsonl" else f"{passages}-{shape}") / "data"
    if not (data / ".complete").exists():
        shutil.rmtree(data, ignore_errors=True)
        generate(passages, data, shape=shape)
        (data / ".complete").touch()
    return data


def pyvi_floor(data: Path, sample_lines: int = 3000) -> tuple[int, float, float]:
    """(characters of article text, pyvi's characters/s on one core, the floor in seconds): the
    time ``ViTokenizer.tokenize`` alone needs for the corpus's lines on two cores, the least a cold
    build could take. The rate is measured here on the corpus's first ``sample_lines`` lines."""
    from pyvi import ViTokenizer

    from retrieval.corpus import read_file, scan_data_dir

    characters, sample = 0, []
    for entry in scan_data_dir(data):
        for article in read_file(entry).articles:
            characters += len(article.title) + sum(len(p) for p in article.paragraphs)
            if len(sample) < sample_lines:
                sample.extend(article.paragraphs)
    for line in sample[:50]:  # pyvi's first calls are slow (its model warming up): not the rate
        ViTokenizer.tokenize(line)
    started = time.perf_counter()
    for line in sample[:sample_lines]:
        ViTokenizer.tokenize(line)
    rate = sum(len(line) for line in sample[:sample_lines]) / (time.perf_counter() - started)
    return characters, rate, characters / (rate * 2)


NEW_SENTENCE = "Một câu mới được thêm vào để đo thời gian nạp lại khi một bài thay đổi."


def edit_article(path: Path, line: int) -> bytes:
    """Add a sentence to the article on ``line`` of a .jsonl file (to a .txt file's article);
    returns the file as it was. Only that line is decoded: decoding and splitting the whole 36 MB
    file held the benchmark's own event loop for ~100 ms."""
    before = path.read_bytes()
    if path.suffix == ".txt":
        path.write_bytes(before + f"\n{NEW_SENTENCE} ({line})\n".encode())
        return before
    *head, rest = before.split(b"\n", line + 1)
    record = json.loads(head[line])
    record["text"] += "\n" + NEW_SENTENCE
    head[line] = json.dumps(record, ensure_ascii=False).encode()
    with path.open("wb") as out:
        for piece in head:
            out.write(piece + b"\n")
        out.write(rest)
    return before


def measure(
    passages: int,
    semantic: bool = False,
    embed_limit: int = 5000,
    rate: float | None = None,
    shape: str = "jsonl",
    asked: int = 20,
    questions_asked: int = 1000,
) -> dict:
    """One size and shape: cold, warm, changed (and with ``semantic``, the semantic index: measured
    up to ``embed_limit`` sentences, else estimated at ``rate`` sentences/s and filled at random,
    after timing how soon ``asked`` questions get their own vectors); ``questions_asked`` questions
    time the search in each run that asks."""
    asking = {"questions": True, "questions_asked": questions_asked}
    data = corpus(passages, shape)
    db = data.parent / "bench.sqlite3"
    for path in db.parent.glob("bench.sqlite3*"):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    cold = run_child(data, db, questions=False, semantic=semantic)
    runs = {"cold": cold}
    extra: dict = {}
    if semantic:
        if cold["sentences"] <= embed_limit:
            built = runs["building"] = run_child(data, db, **asking, semantic=True, until_vectors=True)
            extra = {key: built[key] for key in ("vectors_s", "building_p50_ms", "building_p99_ms") if key in built}
            extra["vector_rate"] = cold["sentences"] / built["vectors_s"]
        else:
            asked = runs["asked"] = run_child(data, db, **asking, semantic=True, asked_first=asked)
            extra = {key: asked[key] for key in asked if key.startswith("asked_")}
            fill_random_vectors(db)
            extra |= {"vectors_s": cold["sentences"] / rate if rate else None, "estimated": True}
    warm = run_child(data, db, **asking, semantic=semantic)
    first = min(p for p in data.rglob("*") if p.suffix in (".jsonl", ".txt"))
    backup = edit_article(first, 0)
    try:
        changed = run_child(data, db, questions=False, edit=first, semantic=semantic)
    finally:
        first.write_bytes(backup)
    characters, pyvi_rate, floor = pyvi_floor(data)
    return extra | {
        "passages": passages,
        "shape": shape,
        "files": sum(1 for p in data.rglob("*") if p.suffix in (".jsonl", ".txt")),
        "characters": characters,
        "pyvi_rate": pyvi_rate,
        "floor_s": floor,
        "peak_rss_mb": max(run["peak_rss_mb"] for run in (cold, warm, changed)),
        "worker_peak_rss_mb": max(run["children_peak_rss_mb"] for run in (cold, warm, changed)),
        **{key: warm[key] for key in ("needle_hit1", "needle_p50_ms", "needle_p99_ms") if key in warm},
        "cold_s": cold["open_s"],
        "warm_s": warm["open_s"],
        "changed_s": changed["open_s"],
        "changed_saved_s": changed["saved_s"],
        "reload_s": changed["reload_s"],
        "reload_saved_s": changed["reload_saved_s"],
        "p50_ms": warm["p50_ms"],
        "p99_ms": warm["p99_ms"],
        "plain_p50_ms": warm["plain_p50_ms"],
        "rss_mb": warm["rss_mb"],
        "loop_lag": max(
            (run["loop_lag_ms"], f"{name}, {run['loop_lag_phase']}")
            for name, run in (runs | {"warm": warm, "changed": changed}).items()
        ),
        "loop_lag_unstolen_ms": max(run["loop_lag_unstolen_ms"] for run in (*runs.values(), warm, changed)),
        "cold_loop_lag": (cold["loop_lag_ms"], cold["loop_lag_unstolen_ms"]),  # a cold start's own (the target)
    }


async def end_to_end(
    passages: int, questions: int = 1000, chats: int = 200, semantic: bool = False, distinct: bool = False
) -> dict:
    """The real bot against the fake Bot API running in its own process, as Telegram would be.

    Two loads of ``questions`` from ``chats``: a burst (all sent at once: answers/s, and when the
    answers arrived, counted from the start), then conversations (each chat asks its next question
    when the previous one is answered, as people do: the latency of each question). The questions:
    ``E2E_QUESTIONS`` over and over, or with ``distinct``, 2,000 different ones made of corpus
    sentences (what the semantic model costs when no question vector can be reused)."""
    import aiohttp

    sys.path.insert(0, str(ROOT))
    from tests.telegram_env import TOKEN, bot_settings, running_application

    data = corpus(passages)
    db = WORK / f"{passages}" / "bench.sqlite3"
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fake_telegram", TOKEN, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )  # fmt: skip
    rng = random.Random(9)
    try:
        url = (await asyncio.wait_for(server.stdout.readline(), 30)).decode().strip()
        settings = bot_settings(
            data, db, url, rate_limit_per_second=0, questions_per_minute=10_000, semantic_rerank=semantic
        )
        async with running_application(settings) as app, aiohttp.ClientSession() as http:
            pool = E2E_QUESTIONS
            if distinct:
                index = app.bot_data["service"].engine.index
                pool = [" ".join(index.sentence_text[rng.randrange(len(index.sentence_text))].split()[:8])
                        for _ in range(2 * questions)]  # fmt: skip

            async def answered() -> dict[int, int]:
                async with http.get(f"{url}/_control/answered") as response:
                    return {int(chat): n for chat, n in (await response.json()).items()}

            async def ask(batch: list[list]) -> None:
                async with http.post(f"{url}/_control/questions", json=batch):
                    pass

            # Burst: chat ids 1,000,000 + i.
            burst_chats = [1_000_000 + rng.randrange(chats) for _ in range(questions)]
            started = time.perf_counter()
            await ask([[chat, pool.pop() if distinct else rng.choice(pool)] for chat in burst_chats])
            arrivals: list[float] = []
            while len(arrivals) < questions and time.perf_counter() - started < 120:
                await asyncio.sleep(0.02)
                done = sum(n for chat, n in (await answered()).items() if chat < 2_000_000)
                arrivals += [time.perf_counter() - started] * (min(done, questions) - len(arrivals))
            burst_s = time.perf_counter() - started

            # Conversations: chat ids 2,000,000 + i, questions // chats each, one at a time.
            turns = questions // chats
            people = [2_000_000 + i for i in range(chats)]
            asked_at = {chat: time.perf_counter() for chat in people}
            started = time.perf_counter()
            await ask([[chat, pool.pop() if distinct else rng.choice(pool)] for chat in people])
            latencies: list[float] = []
            seen = dict.fromkeys(people, 0)
            while len(latencies) < turns * chats and time.perf_counter() - started < 120:
                await asyncio.sleep(0.01)
                now, counts, follow_ups = time.perf_counter(), await answered(), []
                for chat in people:
                    if counts.get(chat, 0) > seen[chat]:
                        seen[chat] = counts[chat]
                        latencies.append(now - asked_at[chat])
                        if seen[chat] < turns:
                            asked_at[chat] = now
                            follow_ups.append([chat, pool.pop() if distinct else rng.choice(pool)])
                if follow_ups:
                    await ask(follow_ups)
            conversation_s = time.perf_counter() - started
    finally:
        server.kill()
        await server.wait()
    arrivals.sort()
    latencies.sort()
    return {
        "answers": len(arrivals), "seconds": burst_s, "answers_per_s": len(arrivals) / burst_s,
        "p50_s": statistics.median(arrivals), "p99_s": arrivals[int(len(arrivals) * 0.99) - 1],
        "conversation_answers": len(latencies), "conversation_per_s": len(latencies) / conversation_s,
        "latency_p50_s": statistics.median(latencies), "latency_p99_s": latencies[int(len(latencies) * 0.99) - 1],
    }  # fmt: skip


E2E_QUESTIONS = [
    "Tư lệnh Bộ đội Biên phòng là ai?",
    "quang ninh dau tu nuoc ngoai",
    "Đội thủ Panthers đã thua bao nhiêu điểm?",
    "Giá vàng hôm nay?",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--e2e", action="store_true", help="also 1,000 questions through the fake Bot API")
    parser.add_argument("--semantic", action="store_true", help="with the semantic model (see above)")
    parser.add_argument("--embed-limit", type=int, default=5000, help="compute vectors up to this many sentences")
    parser.add_argument("--shape", nargs="+", default=["jsonl"], choices=SHAPES,
                        help="corpus shapes, measured side by side (see bench.generate)")  # fmt: skip
    args = parser.parse_args(argv)
    print(
        "| passages | shape (files) | cold build | pyvi floor | warm restart | one article changed: restart / reload "
        "(saved) | p50 | p99 | verdict + restoration (p50) | needles hit@1 (p50 / p99) | RSS "
        "| peak RSS: server / workers | loop lag |"
        + (" semantic index | p50 / p99 while building | own vectors: p50 / max |" if args.semantic else "")
    )
    print("|---:|---|" + "---:|" * 11 + ("---:|---:|---:|" if args.semantic else ""))
    rate = None
    for passages, shape in itertools.product(args.passages, args.shape):
        m = measure(passages, args.semantic, args.embed_limit, rate, shape)
        rate = m.get("vector_rate", rate)
        hit = m.get("needle_hit1")
        cells = [
            f"{passages:,}",
            f"{shape} ({m['files']:,})",
            f"{m['cold_s']:.1f} s ({m['cold_s'] / m['floor_s']:.2f}×)",
            f"{m['floor_s']:.1f} s",
            f"{m['warm_s']:.2f} s",
            f"{m['changed_s']:.1f} s ({m['changed_saved_s']:.1f} s) / "
            f"{m['reload_s']:.1f} s ({m['reload_saved_s']:.1f} s)",
            f"{m['p50_ms']:.2f} ms",
            f"{m['p99_ms']:.2f} ms",
            f"{m['p50_ms'] - m['plain_p50_ms']:+.2f} ms",
            "–" if hit is None else f"{hit:.2f} ({m['needle_p50_ms']:.2f} / {m['needle_p99_ms']:.2f} ms)",
            f"{m['rss_mb']:.0f} MB",
            f"{m['peak_rss_mb']:.0f} / {m['worker_peak_rss_mb']:.0f} MB",
            f"{m['loop_lag'][0]:.0f} ms ({m['loop_lag'][1]}; {m['loop_lag_unstolen_ms']:.0f} ms unstolen); "
            f"cold start {m['cold_loop_lag'][0]:.0f} ms ({m['cold_loop_lag'][1]:.0f} ms unstolen)",
        ]
        if args.semantic:
            vectors = m.get("vectors_s")
            estimated = " (est.)" if m.get("estimated") else ""
            cells.append("–" if vectors is None else f"{vectors / 60:.1f} min{estimated}")
            building = m.get("building_p50_ms")
            cells.append("–" if building is None else f"{building:.1f} / {m['building_p99_ms']:.1f} ms")
            asked = m.get("asked_p50_s")
            cells.append("–" if asked is None else f"{asked:.1f} / {m['asked_max_s']:.1f} s ({m['asked_n']})")
        print("| " + " | ".join(cells) + " |", flush=True)
    for distinct in (False, True) if args.e2e else ():
        if distinct and not args.semantic:
            break
        e = asyncio.run(end_to_end(args.passages[-1], semantic=args.semantic, distinct=distinct))
        print(
            f"\nEnd to end at {args.passages[-1]:,} passages"
            + (" (2,000 distinct questions)" if distinct else f" ({len(E2E_QUESTIONS)} questions over and over)")
            + f": burst of {e['answers']} answers in {e['seconds']:.1f} s"
            f" = {e['answers_per_s']:.0f} answers/s (arrived by p50 {e['p50_s']:.2f} s, p99 {e['p99_s']:.2f} s);"
            f" conversations: {e['conversation_answers']} answers, {e['conversation_per_s']:.0f} answers/s,"
            f" latency p50 {e['latency_p50_s']:.2f} s, p99 {e['latency_p99_s']:.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
