"""The console JSON contract, through a real ``python -m bot console --json`` process."""

import json
import os
import subprocess
import sys
import unicodedata

from tests.conftest import ROOT

QUESTIONS = [
    "Tư lệnh Bộ đội Biên phòng là ai?",
    "tu lenh bo doi bien phong la ai",
    unicodedata.normalize("NFD", "Quảng Ninh thu hút đầu tư nước ngoài năm 2023 đạt bao nhiêu?"),
    "",
    "Giá vàng hôm nay bao nhiêu?",
    "😀 <b>x</b> ' OR 1=1 --",
    "Chủ tịch UBND tỉnh Quảng Ninh là ai?",  # a near miss: the corpus names another province's
    "Cảm ơn bạn nhiều!",
]


def run_console(args, stdin, tmp_path, env_extra=None):
    """``python -m bot ARGS`` with ``stdin``; lexical ranking unless ``env_extra`` turns the model on
    (answers would otherwise depend on how many vectors the background work had computed)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATA_DIR", "DB_PATH", "TOP_K")}
    env["SEMANTIC_RERANK"] = "off"
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin.encode("utf-8"),
        capture_output=True,
        cwd=tmp_path,  # no .env there, and var/ is created there
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )


def test_json_contract(tmp_path, data_dir):
    db = tmp_path / "contract.sqlite3"
    proc = run_console(
        ["console", "--json", "--data-dir", str(data_dir), "--db", str(db), "--top", "2"],
        "\n".join(QUESTIONS) + "\n",
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode("utf-8").splitlines()
    assert len(lines) == len(QUESTIONS)  # exactly one object per input line, nothing else on stdout
    objects = [json.loads(line) for line in lines]
    for question, obj in zip(QUESTIONS, objects, strict=True):
        assert (
            set(obj) == {"question", "answers", "understood_as", "verdict", "took_ms"} and obj["understood_as"] is None
        )
        assert obj["question"] == question
        assert isinstance(obj["took_ms"], float) and 0 < obj["took_ms"] < 10_000  # milliseconds, not seconds
        assert len(obj["answers"]) <= 2
        for answer in obj["answers"]:
            assert set(answer) == {"sentence", "doc", "title", "date", "url", "score"}
            assert (data_dir / answer["doc"]).is_file()
            assert answer["date"] is None or len(answer["date"]) in (7, 10)
    first, unaccented, nfd, empty, gold, junk, near_miss, thanks = objects
    assert [o["verdict"] for o in objects] == ["answer"] * 3 + ["none"] * 3 + ["related", "chat"]
    assert near_miss["answers"] and "Chủ tịch UBND tỉnh" in near_miss["answers"][0]["sentence"]  # listed all the same
    assert thanks["answers"] == []
    assert "Lê Đức Thái" in first["answers"][0]["sentence"]
    assert first["answers"][0]["date"] == "2024-03-27"
    assert unaccented["answers"][0]["sentence"] == first["answers"][0]["sentence"]
    assert "3,1 tỷ USD" in nfd["answers"][0]["sentence"]
    assert empty["answers"] == [] and gold["answers"] == [] and junk["answers"] == []
    assert b"index:" in proc.stderr  # progress and logs go to stderr
    assert db.is_file()


def test_defaults_come_from_the_environment(tmp_path, data_dir):
    proc = run_console(
        ["console", "--json"],
        "Huyện nào về đích nông thôn mới?\n",
        tmp_path,
        {"DATA_DIR": str(data_dir), "DB_PATH": str(tmp_path / "env.sqlite3"), "TOP_K": "1"},
    )
    assert proc.returncode == 0, proc.stderr.decode()
    (obj,) = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert len(obj["answers"]) == 1 and "Bình Liêu" in obj["answers"][0]["sentence"]
    assert (tmp_path / "env.sqlite3").is_file()


def test_no_token_starts_the_console_with_readable_output(tmp_path, data_dir):
    proc = run_console([], "Tư lệnh Bộ đội Biên phòng là ai?\n", tmp_path, {"DATA_DIR": str(data_dir)})
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    assert out.startswith("1. ") and "Lê Đức Thái" in out and "— Đại tướng Lương Cường" in out
    assert (tmp_path / "var" / "bot.sqlite3").is_file()  # default DB under var/


def test_missing_data_dir_is_a_clear_error(tmp_path):
    proc = run_console(["console", "--json", "--data-dir", str(tmp_path / "nope")], "x\n", tmp_path)
    assert proc.returncode == 2
    assert b"does not exist" in proc.stderr and proc.stdout == b""


def test_index_command_prepares_vectors_then_console_reranks(tmp_path):
    """``python -m bot index`` exits once every vector exists; the console then answers a
    paraphrase with the semantic ranking (its lexical answer is the decoy)."""
    from tests.test_semantic import ANSWER, DECOY, PARAPHRASE

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(f"Quân y khám bệnh cho đồng bào\n\n{ANSWER}\n", encoding="utf-8")
    (corpus / "b.txt").write_text(f"Mùa chè ở vùng biên\n\n{DECOY}\n", encoding="utf-8")
    db = tmp_path / "var" / "bot.sqlite3"
    on = {"SEMANTIC_RERANK": "on"}
    index = run_console(["index", "--data-dir", str(corpus), "--db", str(db)], "", tmp_path, on)
    assert index.returncode == 0, index.stderr.decode()
    assert "100% 2/2 sentences" in index.stderr.decode()
    # stderr is a pipe, not a terminal: plain lines, no bar redrawn with carriage returns
    lines = index.stderr.decode().splitlines()
    assert "\r" not in index.stderr.decode() and any(line.startswith("index: ") for line in lines)
    ask = ["console", "--json", "--data-dir", str(corpus), "--db", str(db), "--top", "1"]
    lexical = json.loads(run_console(ask, PARAPHRASE + "\n", tmp_path).stdout)
    semantic = json.loads(run_console(ask, PARAPHRASE + "\n", tmp_path, on).stdout)
    assert lexical["answers"][0]["sentence"] == DECOY
    assert semantic["answers"][0]["sentence"] == ANSWER


def test_conversations_in_the_json_contract(tmp_path, data_dir):
    """Lines with a "conversation" share context (interleaved); other lines stand alone."""
    lines = [
        json.dumps({"question": "Tư lệnh Bộ đội Biên phòng là ai?", "conversation": "a"}),
        json.dumps({"question": "Bí thư Tỉnh ủy Quảng Ninh là ai?", "conversation": "b"}),
        json.dumps({"question": "Còn Chính ủy?", "conversation": "a"}),
        json.dumps({"question": "Tỉnh này thu hút đầu tư nước ngoài năm 2023 đạt bao nhiêu?", "conversation": "b"}),
        "Còn Chính ủy?",  # plain text: on its own
        json.dumps({"question": "Còn Chính ủy?"}),  # no conversation: on its own
        json.dumps(["not", "an", "object"]),
        json.dumps({"question": "/new", "conversation": "a"}),
        json.dumps({"question": "con chinh uy thi sao", "conversation": "a"}),  # after /new: alone
    ]
    proc = run_console(["console", "--json", "--data-dir", str(data_dir), "--db", str(tmp_path / "c.sqlite3")],
                       "\n".join(lines) + "\n", tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    out = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    keys = {"question", "answers", "understood_as", "verdict", "took_ms"}
    assert len(out) == len(lines) and all(set(o) == keys for o in out)
    first_a, first_b, follow_a, follow_b, plain, lone, listed, new, after_new = out
    assert first_a["understood_as"] is None and first_b["understood_as"] is None
    assert follow_a["question"] == "Còn Chính ủy?" and follow_a["understood_as"] == "Chính ủy Bộ đội Biên phòng là ai?"
    assert "Nguyễn Anh Tuấn" in follow_a["answers"][0]["sentence"]
    assert follow_b["understood_as"].startswith("Tỉnh Quảng Ninh")  # the province, not its "Tỉnh ủy"
    assert "3,1 tỷ USD" in follow_b["answers"][0]["sentence"]
    assert plain["understood_as"] is None and lone["understood_as"] is None and listed["understood_as"] is None
    assert listed["question"] == lines[6]
    assert new["answers"] == [] and after_new["understood_as"] is None


def test_a_follow_up_takes_the_frame_it_fits_two_turns_back(tmp_path, data_dir):
    """ "Còn Chính ủy?" after a question about a general's meeting has no title to replace; the
    question before it has ("Ai là Tư lệnh …?"), which the console's conversation keeps."""
    turns = ["Ai là Tư lệnh Bộ đội Biên phòng?", "Lê Đức Thái chủ trì hội nghị nào?", "Còn Chính ủy?"]
    lines = [json.dumps({"question": q, "conversation": "c"}, ensure_ascii=False) for q in turns]
    proc = run_console(["console", "--json", "--data-dir", str(data_dir), "--db", str(tmp_path / "c.sqlite3")],
                       "\n".join(lines) + "\n", tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    first, second, third = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert "Lê Đức Thái" in first["answers"][0]["sentence"]
    assert second["understood_as"] is None
    assert third["understood_as"] == "Ai là Chính ủy Bộ đội Biên phòng?"
    assert "Nguyễn Anh Tuấn" in third["answers"][0]["sentence"] and third["verdict"] == "answer"
