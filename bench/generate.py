"""Realistic Vietnamese corpora of any size, for benchmarks: real sentences, recombined.

    python -m bench.generate --passages 100000 --out var/bench/100k

Sentences come from the shipped news articles (``data/``) and xquad_vi's Wikipedia text; each
generated article has a real sentence as title and paragraphs of three sentences (one passage
each). To make the vocabulary grow with the corpus as real archives do (Heaps' law), about one
syllable in twelve is replaced by a made-up one (a real onset + rhyme + tone), and numbers are
redrawn. Output: ``.jsonl`` files of 10,000 articles each, ``{"title", "text", "date"}``.
Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

from retrieval.corpus import read_file, scan_data_dir
from retrieval.splitter import split_sentences

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


def generate(passages: int, out: Path, seed: int = 1) -> int:
    """Write ``passages`` passages (3 sentences each) as .jsonl files under ``out``; returns articles."""
    rng = random.Random(seed)
    pool = real_sentences()
    vocabulary: list[str] = []
    out.mkdir(parents=True, exist_ok=True)
    articles = -(-passages // PASSAGES_PER_ARTICLE)
    written = 0
    for file_no in range(-(-articles // ARTICLES_PER_FILE)):
        with (out / f"generated-{file_no:04d}.jsonl").open("w", encoding="utf-8") as handle:
            for _ in range(min(ARTICLES_PER_FILE, articles - written)):
                left = passages - written * PASSAGES_PER_ARTICLE
                paragraphs = [
                    " ".join(vary(rng.choice(pool), rng, vocabulary) for _ in range(3))
                    for _ in range(min(PASSAGES_PER_ARTICLE, left))
                ]
                record = {
                    "title": vary(rng.choice(pool), rng, vocabulary).rstrip("."),
                    "text": "\n".join(paragraphs),
                    "date": f"20{rng.randrange(10, 25)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    articles = generate(args.passages, args.out, args.seed)
    print(f"{articles} articles, {args.passages} passages in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
