"""Evaluation: score the engine on a question set, by the benchmark's scoring rule.

    python -m retrieval.evaluate bench/xquad_vi             # a bench dir with corpus/
    python -m retrieval.evaluate bench/dev2 --data-dir data # a dev set over the shipped corpus
    python -m retrieval.evaluate                            # dev20 … dev (over data/), xquad_vi
    python -m retrieval.evaluate --lexical                  # without the semantic model
    python -m retrieval.evaluate --split test               # only the held-back half of the articles
    python -m retrieval.evaluate --conversations            # follow-up questions (bench/conversations)
    python -m retrieval.evaluate --markdown                 # the full tables (bench/README.md)
    python -m retrieval.evaluate --save-vectors             # re-embed every set into bench/vectors.npz

A bench dir holds ``questions.jsonl`` (``{"id", "question", "answers": [...], "doc"?}``), optionally
``unanswerable.jsonl`` (questions the corpus cannot answer), ``smalltalk.jsonl`` (lines that are
no question) and ``corpus/``. A returned sentence is a
hit when it comes from the question's ``doc`` (any doc when ``doc`` is null) and contains one of the
``answers``, both compared after NFC, lowercasing and collapsing white space. Reported: hit@1/3/5,
MRR@5, the share of answerable questions wrongly abstained on, the share of unanswerable ones
abstained on, and how both move with the abstention threshold (the evidence sweep); with the
replies' verdicts (``retrieval.question.verdict``), the share of questions whose first sentence
is right that are replied to as an answer, and the share of unanswerable ones (and small talk)
declined: abstained on, or replied to as "related" or "chat".
The run goes through the real engine and a real SQLite file (one per corpus, under ``var/eval/``).
The model's vectors for the sets' sentences and questions are stored in ``bench/vectors.npz``
(``StoredVectors``): a run embeds only texts the file lacks (all four sets: 10 s instead of ~3
minutes); ``--save-vectors`` embeds everything anew and rewrites the file.

``--split tune|test``: weights were chosen on the "tune" half of each set's articles (every other
article in name order; questions without an article by id) and are reported on the "test" half.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import sys
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from retrieval.engine import QAEngine
from retrieval.index.ranking import RankingConfig
from retrieval.index.search import SearchResult
from retrieval.index.semantic import MODEL_NAME, Encoder, ThreadEmbedder, quantize
from retrieval.question.conversation import Conversation

ROOT = Path(__file__).resolve().parent.parent
DEPTH = 5


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).lower()).strip()


class IncompleteRun(RuntimeError):
    """A semantic run without every sentence vector: its numbers would be lexical ones."""


@dataclass
class Outcome:
    kind: str
    answerable: bool
    evidence: float
    rank: int | None  # 1-based rank of the first hit within DEPTH, None if no hit
    half: str = "tune"  # "tune" or "test" (``in_split``)
    verdict: str = "answer"  # the reply's verdict (retrieval.question.verdict) before abstention


@dataclass
class Report:
    name: str
    threshold: float
    outcomes: list[Outcome] = field(default_factory=list)
    ms_per_question: float = 0.0

    def metrics(
        self, threshold: float | None = None, kind: str | None = None, half: str | None = None
    ) -> dict[str, float]:
        """Metrics as if the engine abstained below ``threshold`` (default: the configured one),
        of one ``kind`` of question and one ``half`` of the articles (default: all)."""
        tau = self.threshold if threshold is None else threshold
        chosen = [o for o in self.outcomes if (kind is None or o.kind == kind) and (half is None or o.half == half)]
        answerable = [o for o in chosen if o.answerable]
        unanswerable = [o for o in chosen if not o.answerable]
        ranks = [o.rank if o.evidence >= tau else None for o in answerable]
        n = len(answerable) or 1
        out = {
            "questions": float(len(answerable)),
            "hit@1": sum(r is not None and r <= 1 for r in ranks) / n,
            "hit@3": sum(r is not None and r <= 3 for r in ranks) / n,
            "hit@5": sum(r is not None and r <= 5 for r in ranks) / n,
            "mrr@5": sum(1 / r for r in ranks if r is not None) / n,
            "wrongly_abstained": sum(o.evidence < tau for o in answerable) / n,
        }
        # Of the questions whose first sentence is right, the share replied to as an answer (not
        # as "related"); of the unanswerable ones, the share not replied to as an answer.
        right = [o for o, r in zip(answerable, ranks, strict=True) if r == 1]
        out["answer_when_right"] = sum(o.verdict == "answer" for o in right) / (len(right) or 1)
        if unanswerable:
            out["unanswerable"] = float(len(unanswerable))
            out["abstained"] = sum(o.evidence < tau for o in unanswerable) / len(unanswerable)
            out["declined"] = sum(o.evidence < tau or o.verdict != "answer" for o in unanswerable) / len(unanswerable)
        return out


def load_questions(bench: Path) -> list[dict]:
    questions = []
    for name in ("questions.jsonl", "unanswerable.jsonl", "smalltalk.jsonl"):
        path = bench / name
        if path.is_file():
            with path.open(encoding="utf-8") as handle:
                questions.extend(json.loads(line) for line in handle if line.strip())
    return questions


def first_hit(answers: list, expected: list[str], doc: str | None) -> int | None:
    wanted = [_norm(a) for a in expected]
    for rank, answer in enumerate(answers[:DEPTH], start=1):
        if (doc is None or answer.doc == doc) and any(w in _norm(answer.sentence) for w in wanted):
            return rank
    return None


def half_of(question: dict, docs: list[str]) -> str:
    """The "tune" or "test" half of a set ``question`` belongs to: every other article in name
    order; a question without an article by its id."""
    if question.get("doc") in docs:
        number = docs.index(question["doc"]) % 2
    else:
        number = int(hashlib.sha1(question["id"].encode()).hexdigest(), 16) % 2
    return "tune" if number == 0 else "test"


def in_split(question: dict, docs: list[str], split: str | None) -> bool:
    """Whether ``question`` belongs to the "tune" or "test" half of a set (any when None)."""
    return split is None or half_of(question, docs) == split


async def _vectors_complete(engine: QAEngine, semantic: bool) -> None:
    """Wait for every sentence vector of a semantic run; IncompleteRun when the model did not load
    or embedding failed (the numbers would silently be lexical ones)."""
    await engine.semantic_ready()
    if not semantic:
        return
    progress = engine.semantic_progress()
    if progress is None or progress[0] < progress[1]:
        done = "no model" if progress is None else f"{progress[0]:,} of {progress[1]:,} sentence vectors"
        raise IncompleteRun(f"the semantic run is incomplete ({done}); see the warnings above, or use --lexical")


VECTORS = ROOT / "bench" / "vectors.npz"


class StoredVectors(Encoder):
    """The model, with the vectors it gave the bench sets' sentences and questions before
    (``bench/vectors.npz``, by text): a run asks the model only for texts it has not seen.

    Sentences are kept as the database keeps them (int8 and a scale) and questions as float16,
    and every vector is rounded so whether it was stored or computed, so a run's numbers do not
    depend on what the file held. ``--save-vectors`` rewrites the file with what a run used; a
    test re-embeds a sample of it to show that it is the model's own.
    """

    def __init__(self, model: object, path: Path | None = None) -> None:
        super().__init__(model)
        self.path = path = path or VECTORS
        self.sentences: dict[str, np.ndarray] = {}
        self.questions: dict[str, np.ndarray] = {}
        self.used_sentences: dict[str, np.ndarray] = {}
        self.used_questions: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path, allow_pickle=False) as stored:
                if str(stored["model"]) == MODEL_NAME:  # another model's vectors are never used
                    sentences = stored["sentence_vectors"] * stored["sentence_scales"][:, None]
                    self.sentences = dict(zip(stored["sentence_texts"].tolist(), sentences, strict=True))
                    questions = stored["question_vectors"].astype(np.float32)
                    self.questions = dict(zip(stored["question_texts"].tolist(), questions, strict=True))

    def query(self, text: str) -> np.ndarray:
        vector = self.questions.get(text)
        if vector is None:
            vector = super().query(text).astype(np.float16).astype(np.float32)
        self.used_questions[text] = vector
        return vector

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.sentences]
        if missing:
            q, scale = quantize(super().passages(missing))
            self.sentences.update(zip(missing, q * scale[:, None], strict=True))
        self.used_sentences.update((t, self.sentences[t]) for t in texts)
        return np.stack([self.sentences[t] for t in texts]).astype(np.float32)

    def save(self) -> None:
        """Write the vectors this run used (and only those) to the file."""
        q, scale = quantize(np.stack(list(self.used_sentences.values())))
        np.savez_compressed(
            self.path,
            model=np.array(MODEL_NAME),
            sentence_texts=np.array(list(self.used_sentences)),
            sentence_vectors=q,
            sentence_scales=scale,
            question_texts=np.array(list(self.used_questions)),
            question_vectors=np.stack(list(self.used_questions.values())).astype(np.float16),
        )


_encoder: StoredVectors | None = None


def shared_encoder() -> StoredVectors | None:
    """The semantic model with the stored vectors, loaded once per process (None if it cannot load)."""
    global _encoder
    if _encoder is None:
        _encoder = StoredVectors.load()
    return _encoder


def _model(semantic: bool) -> tuple[StoredVectors | None, ThreadEmbedder | None]:
    """The engine's encoder and embedder for a run: both through the stored vectors, or none."""
    encoder = shared_encoder() if semantic else None
    return encoder, ThreadEmbedder(encoder) if encoder else None


def corpus_database(data_dir: Path, db_dir: Path | None) -> Path:
    """One database (and so one embedding of every sentence) per corpus, whichever sets ask it."""
    key = hashlib.sha1(str(data_dir.resolve()).encode()).hexdigest()[:10]
    return (db_dir or ROOT / "var" / "eval") / f"corpus-{key}.sqlite3"


async def evaluate(
    bench: Path,
    data_dir: Path | None = None,
    config: RankingConfig | None = None,
    db_dir: Path | None = None,
    semantic: bool = True,
    split: str | None = None,
) -> Report:
    """Run every question of ``bench`` through the engine (threshold applied afterwards); with
    ``semantic``, after every sentence vector is computed."""
    config = config or RankingConfig()
    data_dir = data_dir or bench / "corpus"
    encoder, embedder = _model(semantic)
    # Search without abstaining, so one run yields the metrics at every threshold.
    engine, _ = await QAEngine.open(
        data_dir,
        corpus_database(data_dir, db_dir),
        replace(config, min_evidence=0.0),
        encoder=encoder,
        embedder=embedder,
    )
    report = Report(bench.name, config.min_evidence)
    try:
        await _vectors_complete(engine, semantic)
        every = load_questions(bench)
        docs = sorted({q["doc"] for q in every if q.get("doc")})
        questions = [q for q in every if in_split(q, docs, split)]
        started = time.perf_counter()
        for q in questions:
            # as the bot asks it: a greeting before the question is left out ("Xin chào, …")
            result = engine.search_in_context(q["question"], None, DEPTH)
            answerable = bool(q.get("answers"))
            rank = first_hit(result.answers, q["answers"], q.get("doc")) if answerable else None
            kind = q.get("kind", "small talk" if "answers" not in q else "all")
            report.outcomes.append(Outcome(kind, answerable, result.evidence, rank, half_of(q, docs), result.verdict))
        report.ms_per_question = (time.perf_counter() - started) * 1000 / max(len(questions), 1)
    finally:
        await engine.close()
    return report


def format_report(report: Report) -> str:
    lines = [f"## {report.name} (abstain below evidence {report.threshold:.2f})", ""]
    lines.append(
        "| subset | questions | hit@1 | hit@3 | hit@5 | MRR@5 | wrongly abstained | answer when right "
        "| OOD abstained | OOD declined |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    kinds = sorted({o.kind for o in report.outcomes})
    for kind in [None, *kinds] if len(kinds) > 1 else [None]:
        m = report.metrics(kind=kind)
        ood = f"{m['abstained']:.3f} of {m['unanswerable']:.0f} | {m['declined']:.3f}" if "abstained" in m else "– | –"
        if not m["questions"]:
            lines.append(f"| {kind} | 0 | – | – | – | – | – | – | {ood} |")
            continue
        lines.append(
            f"| {kind or 'all'} | {m['questions']:.0f} | {m['hit@1']:.3f} | {m['hit@3']:.3f} | {m['hit@5']:.3f} "
            f"| {m['mrr@5']:.3f} | {m['wrongly_abstained']:.3f} | {m['answer_when_right']:.3f} | {ood} |"
        )
    lines += ["", "Evidence sweep (answerable kept vs. unanswerable abstained):", ""]
    lines.append("| threshold | hit@1 | wrongly abstained | OOD abstained |")
    lines.append("|---:|---:|---:|---:|")
    for tau in [x / 20 for x in range(0, 20)]:
        m = report.metrics(tau)
        ood = f"{m['abstained']:.3f}" if "abstained" in m else "–"
        lines.append(f"| {tau:.2f} | {m['hit@1']:.3f} | {m['wrongly_abstained']:.3f} | {ood} |")
    lines.append(f"\n{report.ms_per_question:.2f} ms per question (search only).")
    return "\n".join(lines)


async def evaluate_conversations(
    bench: Path, data_dir: Path, dev: Path | None = None, db_dir: Path | None = None, semantic: bool = True
) -> dict[str, float]:
    """Follow-ups in context against their hand-written standalone rewrites (``bench``:
    ``conversations.jsonl``, one conversation a line: ``{"id", "turns": [{"question", "answers",
    "doc", "standalone"}]}``), and ``dev``'s questions asked one after another in a single
    conversation against each asked alone (context must not bend a question that stands alone)."""
    encoder, embedder = _model(semantic)
    engine, _ = await QAEngine.open(data_dir, corpus_database(data_dir, db_dir), encoder=encoder, embedder=embedder)
    counts: dict[str, list[bool]] = {}

    def record(name: str, result: SearchResult, turn: dict) -> None:
        if turn["answers"]:
            counts.setdefault(name, []).append(first_hit(result.answers, turn["answers"], turn.get("doc")) == 1)
        else:  # the right reply is no answer: none, or only related sentences
            counts.setdefault(name, []).append(result.verdict != "answer")

    try:
        await _vectors_complete(engine, semantic)
        with (bench / "conversations.jsonl").open(encoding="utf-8") as handle:
            conversations = [json.loads(line) for line in handle if line.strip()]
        for conversation in conversations:
            turns = Conversation()
            for n, turn in enumerate(conversation["turns"]):
                result = engine.search_in_context(turn["question"], turns.last(now=0.0))
                kind = "first turns" if n == 0 else "follow-ups" if turn["answers"] else "unanswerable follow-ups"
                record(f"{kind}: in context", result, turn)
                if n:
                    record(f"{kind}: standalone rewrite", engine.search(turn["standalone"]), turn)
                    record(f"{kind}: alone (no context)", engine.search(turn["question"]), turn)
                turns.add(result.understood_as or turn["question"], [a.sentence for a in result.answers], now=0.0)
        if dev is not None:
            turns = Conversation()
            for question in (q for q in load_questions(dev) if q["answers"]):
                result = engine.search_in_context(question["question"], turns.last(now=0.0))
                record("dev in one conversation", result, question)
                record("dev alone", engine.search(question["question"]), question)
                turns.add(result.understood_as or question["question"], [a.sentence for a in result.answers], now=0.0)
    finally:
        await engine.close()
    return {f"{name} ({len(hits)})": sum(hits) / len(hits) for name, hits in counts.items()}


# Each ingredient switched off alone, to show what it buys (bench/README.md: ablation). "lexical"
# runs without the semantic model.
ABLATIONS: dict[str, dict[str, object]] = {
    "all ingredients (default)": {},
    "semantic re-ranking off (lexical only)": {"lexical": True},
    "semantic: sentence only (no passage context)": {"semantic_passage_weight": 0.0},
    "semantic: z-score fusion": {"fusion": "zscore"},
    "semantic: reciprocal rank fusion": {"fusion": "rrf"},
    "abstention without the model's evidence": {"semantic_evidence_weight": 0.0},
    "no answer-type bonus": {"answer_type_weight": 0.0},
    "no bonus for a number before what is counted": {"counted_weight": 0.0},
    "no coverage in sentence ranking": {"coverage_weight": 0.0},
    "no passage score in sentence ranking": {"passage_weight": 0.0},
    "no abbreviation expansion": {"abbreviations": False},
    "no title in passages": {"title_in_passage": False},
    "no accent restoration (unaccented questions: lexical only)": {"restore_accents": False},
    "the best sentence kept when a close one states the answer": {"stated_depth": 0},
    "BM25Okapi (Okapi's idf floor) instead of BM25Plus": {"scorer": "BM25Okapi"},
    "sentence BM25 b=0.75 (rank-bm25's default)": {"sentence_b": 0.75},
    "plain: BM25 sentences only (no passage, coverage, type)": {
        "answer_type_weight": 0.0,
        "counted_weight": 0.0,
        "coverage_weight": 0.0,
        "passage_weight": 0.0,
        "sentence_b": 0.75,
    },
}


def calibrate(reports: list[Report], max_wrong: float = 0.01, step: float = 0.05) -> float:
    """The abstention threshold: the lowest one that abstains on the most unanswerable questions
    while no answerable set loses more than ``max_wrong`` of its questions to abstention."""
    best, best_ood = 0.0, -1.0
    for tau in [round(i * step, 4) for i in range(int(1 / step))]:
        metrics = [r.metrics(tau) for r in reports]
        if any(m["wrongly_abstained"] > max_wrong for m in metrics):
            break
        ood = [m["abstained"] for m in metrics if "abstained" in m]
        if ood and min(ood) > best_ood:
            best, best_ood = tau, min(ood)
    return best


async def ablation(runs: list[tuple[Path, Path | None]], split: str | None = None) -> str:
    """Markdown table: each ablation's hit@1 and MRR@5 on every set, and the share of
    out-of-domain questions abstained where a set has them."""
    sets = " | ".join(f"{b.name} hit@1 | {b.name} MRR@5" for b, _ in runs)
    header = f"| configuration | {sets} | OOD abstained |"
    lines = [header, "|---|" + "---:|" * (2 * len(runs) + 1)]
    for name, change in ABLATIONS.items():
        change = dict(change)
        semantic = not change.pop("lexical", False)
        config = replace(RankingConfig(), **change)  # type: ignore[arg-type]
        cells, abstained = [], []
        for bench, data_dir in runs:
            m = (await evaluate(bench, data_dir, config, semantic=semantic, split=split)).metrics()
            cells += [f"{m['hit@1']:.3f}", f"{m['mrr@5']:.3f}"]
            if "abstained" in m:
                abstained.append(f"{bench.name} {m['abstained']:.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {', '.join(abstained)} |")
    return "\n".join(lines)


def _row(label: str, ranking: str, m: dict[str, float]) -> str:
    ood = f"{m['abstained']:.3f} | {m['declined']:.3f}" if "abstained" in m else "– | –"
    names = ("hit@1", "hit@3", "hit@5", "mrr@5", "wrongly_abstained", "answer_when_right")
    answerable = " | ".join(f"{m[n]:.3f}" if m["questions"] else "–" for n in names)
    return f"| {label} | {ranking} | {answerable} | {ood} |"


def markdown_table(semantic: list[Report], lexical: list[Report]) -> str:
    """The full quality table (bench/README.md), from one semantic and one lexical run of each set: the whole
    set, its kinds of question (semantic), and its tune and test halves of the articles."""
    lines = [
        "| set | ranking | hit@1 | hit@3 | hit@5 | MRR@5 | answerable abstained | answer when right "
        "| unanswerable abstained | unanswerable declined |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for sem, lex in zip(semantic, lexical, strict=True):
        m = sem.metrics()
        size = f"{m['questions']:.0f} answerable" + (
            f" + {m['unanswerable']:.0f} unanswerable" if "abstained" in m else ""
        )
        lines += [_row(f"{sem.name}, {size}", "semantic", m), _row("", "lexical", lex.metrics())]
        kinds = sorted({o.kind for o in sem.outcomes})
        for kind in kinds if len(kinds) > 1 else []:
            m = sem.metrics(kind=kind)
            lines.append(_row(f"{sem.name}, {m['questions'] or m.get('unanswerable', 0):.0f} {kind}", "semantic", m))
        for half in ("test", "tune"):
            n = sem.metrics(half=half)["questions"]
            lines += [
                _row(f"{sem.name}, *{half}* half of the articles ({n:.0f})", "semantic", sem.metrics(half=half)),
                _row("", "lexical", lex.metrics(half=half)),
            ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "bench",
        nargs="?",
        type=Path,
        help="bench dir (default: bench/dev20 … dev5, dev3, dev2 and dev over data/, bench/xquad_vi)",
    )
    parser.add_argument("--data-dir", type=Path, help="corpus to index (default: BENCH/corpus)")
    parser.add_argument("--json", action="store_true", help="print metrics as JSON")
    parser.add_argument("--markdown", action="store_true", help="the full quality tables (bench/README.md)")
    parser.add_argument("--ablation", action="store_true", help="switch each ranking ingredient off in turn")
    parser.add_argument("--lexical", action="store_true", help="without the semantic model")
    parser.add_argument("--split", choices=("tune", "test"), help="only one half of the articles (see above)")
    parser.add_argument("--conversations", action="store_true", help="bench/conversations: follow-up questions")
    parser.add_argument(
        "--save-vectors", action="store_true", help="embed every default set and conversation anew; store in bench/"
    )
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except IncompleteRun as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


DEFAULT_RUNS: list[tuple[Path, Path | None]] = [
    (ROOT / "bench" / "dev20", ROOT / "data"),
    (ROOT / "bench" / "dev19", ROOT / "data"),
    (ROOT / "bench" / "dev18", ROOT / "data"),
    (ROOT / "bench" / "dev17", ROOT / "data"),
    (ROOT / "bench" / "dev16", ROOT / "data"),
    (ROOT / "bench" / "dev15", ROOT / "data"),
    (ROOT / "bench" / "dev14", ROOT / "data"),
    (ROOT / "bench" / "dev13", ROOT / "data"),
    (ROOT / "bench" / "dev12", ROOT / "data"),
    (ROOT / "bench" / "dev11", ROOT / "data"),
    (ROOT / "bench" / "dev10", ROOT / "data"),
    (ROOT / "bench" / "dev9", ROOT / "data"),
    (ROOT / "bench" / "dev8", ROOT / "data"),
    (ROOT / "bench" / "dev7", ROOT / "data"),
    (ROOT / "bench" / "dev6", ROOT / "data"),
    (ROOT / "bench" / "dev5", ROOT / "data"),
    (ROOT / "bench" / "dev3", ROOT / "data"),
    (ROOT / "bench" / "dev2", ROOT / "data"),
    (ROOT / "bench" / "dev", ROOT / "data"),
    (ROOT / "bench" / "xquad_vi", None),
]


def save_vectors() -> int:
    """Every semantic run the tests make, from the model alone, then its vectors stored."""
    encoder = shared_encoder()
    if encoder is None:
        raise IncompleteRun("the semantic run is incomplete (no model)")
    encoder.sentences, encoder.questions = {}, {}
    with tempfile.TemporaryDirectory() as db_dir:  # fresh databases: every sentence embedded here
        for bench, data_dir in DEFAULT_RUNS:
            asyncio.run(evaluate(bench, data_dir, db_dir=Path(db_dir)))
        for name in ("conversations", *(f"dev{n}" for n in range(3, 21))):
            bench, dev = ROOT / "bench" / name, ROOT / "bench" / "dev"
            asyncio.run(evaluate_conversations(bench, ROOT / "data", dev, db_dir=Path(db_dir)))
    encoder.save()
    print(f"{len(encoder.used_sentences)} sentences and {len(encoder.used_questions)} questions in {encoder.path}")
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.save_vectors:
        return save_vectors()
    if args.conversations:
        bench = args.bench or ROOT / "bench" / "conversations"
        data_dir, dev = args.data_dir or ROOT / "data", ROOT / "bench" / "dev"
        rankings = [False, True] if args.markdown else [args.lexical]
        columns = [
            asyncio.run(evaluate_conversations(bench, data_dir, dev, semantic=not lexical)) for lexical in rankings
        ]
        names = ["semantic", "lexical"] if args.markdown else ["hit@1 (abstained, for unanswerable ones)"]
        print(f"| conversations | {' | '.join(names)} |\n|---|" + "---:|" * len(names))
        print("\n".join(f"| {name} | " + " | ".join(f"{c[name]:.3f}" for c in columns) + " |" for name in columns[0]))
        return 0
    runs = [(args.bench, args.data_dir)] if args.bench else DEFAULT_RUNS
    for bench, _ in runs:
        if not (bench / "questions.jsonl").is_file():
            print(f"error: {bench} has no questions.jsonl", file=sys.stderr)
            return 2
    if args.ablation:
        print(asyncio.run(ablation(runs, args.split)))
        return 0
    if args.markdown:
        semantic = [asyncio.run(evaluate(bench, data_dir)) for bench, data_dir in runs]
        lexical = [asyncio.run(evaluate(bench, data_dir, semantic=False)) for bench, data_dir in runs]
        print(markdown_table(semantic, lexical))
        return 0
    reports = [
        asyncio.run(evaluate(bench, data_dir, semantic=not args.lexical, split=args.split)) for bench, data_dir in runs
    ]
    for report in reports:
        if args.json:
            print(json.dumps({"bench": report.name, **report.metrics()}))
        else:
            print(format_report(report) + "\n")
    if not args.json:
        print(
            f"Calibrated threshold: {calibrate(reports):.2f} (the lowest that abstains most on unanswerable "
            f"questions with at most 1% of any answerable set abstained); configured: {reports[0].threshold:.2f}"
        )
        print(held_out_calibration(reports))
    return 0


def held_out_calibration(reports: list[Report]) -> str:
    """The threshold chosen on the tune half of every set (unanswerable questions included, split
    by id), and what it does on the test half, which played no part in choosing it."""
    tune = [replace(r, outcomes=[o for o in r.outcomes if o.half == "tune"]) for r in reports]
    chosen = calibrate(tune)
    held_out = [(r.name, r.metrics(chosen, half="test")) for r in reports]
    cells = ", ".join(
        f"{name}: {m['wrongly_abstained']:.3f} answerable abstained"
        + (f", {m['abstained']:.3f} unanswerable abstained" if "abstained" in m else "")
        for name, m in held_out
    )
    return f"Chosen on the tune halves: {chosen:.2f}; on the test halves at {chosen:.2f}: {cells}"


if __name__ == "__main__":
    sys.exit(main())
