"""Realistic Vietnamese corpora of any size, for benchmarks, in the shapes real deployments have.

    python -m bench.generate --passages 100000 --out var/bench/100k                 # a few .jsonl files
    python -m bench.generate --passages 100000 --out var/bench/100k-txt --shape txt # one .txt per article
    python -m bench.generate --passages 100000 --out var/bench/topical --shape topical

Sentences come from the shipped news articles (``data/``) and xquad_vi's Wikipedia text; each
generated article has a real sentence as title and paragraphs of three sentences (one passage
each). To make the vocabulary grow with the corpus as real archives do (Heaps' law), about one
syllable in twelve is replaced by a made-up one (a real onset + rhyme + tone), and numbers are
redrawn. Deterministic for a given seed. Shapes:
- ``jsonl``: ``.jsonl`` files of 10,000 articles each, ``{"title", "text", "date"}``;
- ``txt``: the same articles, one ``.txt`` file each (title line, then the text), 1,000 files a
  folder: what an export of a news site's archive looks like;
- ``topical``: one topic everywhere, as in a border-guard archive: every passage has sentences
  about border posts ("Đồn Biên phòng X", "cán bộ, chiến sĩ", "tỉnh", "biên giới", so their
  posting lists are long), among real sentences; each article is about one post (a made-up name)
  and holds its needle fact "Đồn Biên phòng X có N cán bộ, chiến sĩ", asked in ``needles.jsonl``
  beside the data dir (``{"question", "answer"}``: the answer is a substring of the right sentence).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from retrieval.corpus import read_file, scan_data_dir
from retrieval.text.splitter import split_sentences

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "data", ROOT / "bench" / "xquad_vi" / "corpus"]
ONSETS = "b c ch d đ g gh h k kh l m n ng nh p ph qu r s t th tr v x".split()  # noqa: SIM905
RHYMES = (  # noqa: SIM905
    "a ai an ang anh ao at ay e em en eng i ia im in inh it o oa oai oan oc oi om on ong ot "
    "u ua uan uc ui um un ung ut uy"
).split()
TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
PASSAGES_PER_ARTICLE = 5
ARTICLES_PER_FILE = 10_000


def real_sentences() -> list[str]:
    sentences = []
    for source in SOURCES:
        for entry in scan_data_dir(source):
            for article in read_file(entry).articles:
                for paragraph in article.paragraphs:
                    sentences.extend(s for s in split_sentences(paragraph) if len(s.split()) >= 6)
    return sentences


def made_up_syllable(rng: random.Random) -> str:
    import unicodedata

    rhyme = rng.choice(RHYMES)
    return unicodedata.normalize("NFC", rng.choice(ONSETS) + rhyme[0] + rng.choice(TONES) + rhyme[1:])


def vary(sentence: str, rng: random.Random, vocabulary: list[str]) -> str:
    """Redraw numbers; swap about one word in twelve for a made-up or rare one."""
    sentence = re.sub(r"\d+", lambda m: str(rng.randrange(1, 10 ** len(m.group()))), sentence)
    words = sentence.split()
    for i in range(len(words)):
        if words[i].isalpha() and rng.random() < 1 / 12:
            if rng.random() < 0.5 or not vocabulary:
                new = made_up_syllable(rng)
                vocabulary.append(new)
            else:
                new = rng.choice(vocabulary)
            words[i] = new.capitalize() if words[i][0].isupper() else new
    return " ".join(words)


PROVINCES = ["Quảng Ninh", "Lạng Sơn", "Cao Bằng", "Hà Giang", "Lào Cai", "Lai Châu", "Điện Biên", "Sơn La",
             "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Kon Tum", "Gia Lai", "Đắk Lắk",
             "Bình Phước", "Tây Ninh", "Long An", "Đồng Tháp", "An Giang", "Kiên Giang", "Cà Mau"]  # fmt: skip
# Sentences about a border post ({post}), full of the topic's common words; {n}, {m}: numbers.
TOPIC = [
    "Cán bộ, chiến sĩ Đồn Biên phòng {post} duy trì tuần tra, kiểm soát {n} km đường biên giới tỉnh {province}.",
    "Đồn Biên phòng {post} phối hợp với chính quyền tuyên truyền pháp luật cho {n} hộ dân khu vực biên giới.",
    "Bộ đội Biên phòng tỉnh {province} đã chỉ đạo Đồn Biên phòng {post} tổ chức {n} đợt tuần tra song phương.",
    "Năm qua, cán bộ, chiến sĩ Đồn Biên phòng {post} đã giúp nhân dân {n} ngày công, xây dựng {m} nhà đại đoàn kết.",
    "Đồn Biên phòng {post} đã phát hiện, bắt giữ {n} vụ vận chuyển hàng lậu qua biên giới tỉnh {province}.",
    "Chương trình Xuân Biên phòng ấm lòng dân bản tại Đồn Biên phòng {post} trao {n} suất quà cho hộ nghèo.",
]
NEEDLE = "Hiện nay, Đồn Biên phòng {post} có {n} cán bộ, chiến sĩ, quản lý {m} mốc quốc giới trên tuyến biên giới."
SHAPES = ("jsonl", "txt", "topical")


def _date(rng: random.Random) -> str:
    return f"20{rng.randrange(10, 25)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"


def _records(passages: int, rng: random.Random, topical: bool, needles: list[dict[str, str]]) -> Iterator[dict]:
    """The articles, one record each; with ``topical``, one border post per article and its needle."""
    pool = real_sentences()
    vocabulary: list[str] = []
    posts: set[str] = set()
    recent: list[str] = []  # the last 50 posts: their names show up in each other's articles
    articles = -(-passages // PASSAGES_PER_ARTICLE)
    for number in range(articles):
        count = min(PASSAGES_PER_ARTICLE, passages - number * PASSAGES_PER_ARTICLE)
        if not topical:
            paragraphs = [" ".join(vary(rng.choice(pool), rng, vocabulary) for _ in range(3)) for _ in range(count)]
            title = " ".join(vary(rng.choice(pool), rng, vocabulary).split()[:12]).rstrip(".,")  # a headline
            yield {"title": title, "text": "\n".join(paragraphs), "date": _date(rng)}
            continue
        while (post := f"{made_up_syllable(rng).capitalize()} {made_up_syllable(rng).capitalize()}") in posts:
            pass
        posts.add(post)
        recent = [*recent[-49:], post]
        province = rng.choice(PROVINCES)

        def topic(name: str = post, province: str = province) -> str:
            template = rng.choice(TOPIC)
            return template.format(post=name, province=province, n=rng.randrange(2, 900), m=rng.randrange(2, 90))

        sentences = []
        for _ in range(count * 3):
            roll = rng.random()
            other = rng.choice(recent)  # a neighbouring post: the same words, another name
            sentences.append(
                topic() if roll < 0.5 else topic(other) if roll < 0.6 else vary(rng.choice(pool), rng, vocabulary)
            )
        staff, markers = rng.randrange(12, 99), rng.randrange(3, 40)
        needle = NEEDLE.format(post=post, n=staff, m=markers)
        sentences[rng.randrange(len(sentences))] = needle
        needles.append({"question": f"Đồn Biên phòng {post} có bao nhiêu cán bộ, chiến sĩ?",
                        "answer": f"Đồn Biên phòng {post} có {staff} cán bộ, chiến sĩ"})  # fmt: skip
        paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
        yield {"title": f"Đồn Biên phòng {post} vững vàng nơi biên giới tỉnh {province}", "text": "\n".join(paragraphs),
               "date": _date(rng)}  # fmt: skip


def generate(passages: int, out: Path, seed: int = 1, shape: str = "jsonl") -> int:
    """Write ``passages`` passages (3 sentences each) under ``out`` in ``shape``; returns articles.
    ``txt`` holds the very articles ``jsonl`` does (same seed), so the two compare file layout only."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    needles: list[dict[str, str]] = []
    written = 0
    handle = None
    try:
        for record in _records(passages, rng, shape == "topical", needles):
            if shape == "txt":
                folder = out / f"a{written // 1000:04d}"
                folder.mkdir(exist_ok=True)
                (folder / f"{written:07d}.txt").write_text(f"{record['title']}\n\n{record['text']}\n", "utf-8")
            else:
                if written % ARTICLES_PER_FILE == 0:
                    if handle is not None:
                        handle.close()
                    handle = (out / f"generated-{written // ARTICLES_PER_FILE:04d}.jsonl").open("w", encoding="utf-8")
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    finally:
        if handle is not None:
            handle.close()
    if needles:
        step = max(1, len(needles) // 200)  # 200 spread over the corpus
        lines = [json.dumps(n, ensure_ascii=False) for n in needles[::step][:200]]
        (out.parent / "needles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", choices=SHAPES, default="jsonl")
    args = parser.parse_args(argv)
    articles = generate(args.passages, args.out, args.seed, args.shape)
    print(f"{articles} articles, {args.passages} passages in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
