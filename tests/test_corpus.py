import json

import pytest

from retrieval.corpus import CorpusFileError, parse_content, read_file, scan_data_dir
from tests.conftest import cp1258


def test_scan_finds_supported_files_only(tmp_path):
    (tmp_path / "a.txt").write_text("Tiêu đề\nCâu.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_text("{}", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("x", encoding="utf-8")
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    assert [e.name for e in scan_data_dir(tmp_path)] == ["a.txt", "sub/b.jsonl"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4, "not UTF-8|binary"),
        ("Ceci est un café très agréable.\n".encode("latin-1"), "not UTF-8"),
        ("Tiêu đề\nNội dung.".encode("utf-16-le"), "binary"),  # UTF-16 without BOM: cannot be told
    ],
)
def test_unreadable_files_get_a_message_naming_them(data, message):
    with pytest.raises(CorpusFileError, match=message) as info:
        parse_content("bad.txt", data)
    assert str(info.value).startswith("bad.txt:")


@pytest.mark.parametrize(
    ("data", "note"),
    [
        ("Tin biên giới\nBộ đội Biên phòng giữ vững chủ quyền biên giới.".encode("utf-16"), "UTF-16"),
        (cp1258("Tin biên giới\nBộ đội Biên phòng giữ vững chủ quyền biên giới."), "Windows-1258"),
    ],
)
def test_other_encodings_are_converted_when_safe(data, note):
    content = parse_content("old.txt", data)
    assert content.articles[0].title == "Tin biên giới"
    assert content.articles[0].paragraphs == ["Bộ đội Biên phòng giữ vững chủ quyền biên giới."]
    assert content.warnings[0] == f"old.txt: converted from {note}"


def test_jsonl_bad_lines_are_reported_and_the_rest_kept():
    lines = [
        json.dumps({"title": "Một", "text": "Câu một."}, ensure_ascii=False),
        "{not json",
        json.dumps({"title": "Hai"}),
        json.dumps(["list"]),
        json.dumps(
            {"title": "Ba", "text": "Câu ba.", "date": "2024-01-02", "url": "https://a.vn/3"}, ensure_ascii=False
        ),
    ]
    content = parse_content("bulk.jsonl", "\n".join(lines).encode())
    assert [a.title for a in content.articles] == ["Một", "Ba"]
    assert content.articles[1].url == "https://a.vn/3"
    assert [w.split(":")[0] for w in content.warnings] == [
        "bulk.jsonl line 2",
        "bulk.jsonl line 3",
        "bulk.jsonl line 4",
    ]


def test_file_over_the_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Tiêu đề\n" + "Câu dài. " * 100, encoding="utf-8")
    (entry,) = scan_data_dir(tmp_path)
    with pytest.raises(CorpusFileError, match="over the 100-byte limit"):
        read_file(entry, max_bytes=100)
    assert read_file(entry).articles


def test_utf8_is_decoded_in_pieces_with_file_offsets(monkeypatch):
    """Big files are decoded piece by piece (the event loop stays free); the text and the offset
    of a bad byte are those of decoding the file in one go, wherever a piece boundary falls."""
    import retrieval.corpus as corpus

    good = "\ufeffĐường biên giới Việt Nam – chủ quyền".encode()
    for piece in (1, 2, 3, 7, 64):
        monkeypatch.setattr(corpus, "_DECODE_PIECE", piece)
        assert "".join(corpus._decode_utf8(good)) == good.decode("utf-8-sig")
        for at in range(0, len(good), 3):
            bad = good[:at] + b"\xff" + good[at:]
            with pytest.raises(UnicodeDecodeError) as whole:
                bad.decode("utf-8-sig")
            with pytest.raises(UnicodeDecodeError) as pieces:
                corpus._decode_utf8(bad)
            assert pieces.value.start == whole.value.start


def test_jsonl_lines_split_at_newlines_only():
    """A raw U+2028 inside a JSON string (json.dumps with ensure_ascii=False writes one) is text,
    not a line break; Windows line ends are fine."""
    lines = [
        json.dumps({"title": "Một", "text": "Câu một.\u2028Vẫn câu một."}, ensure_ascii=False),
        json.dumps({"title": "Hai", "text": "Câu hai."}, ensure_ascii=False),
    ]
    content = parse_content("bulk.jsonl", "\r\n".join(lines).encode())
    assert [a.title for a in content.articles] == ["Một", "Hai"] and content.warnings == []


def test_jsonl_read_in_pieces_is_the_same_file(monkeypatch):
    """Lines, CRLF ends, blank lines, a NUL and an all-blank file are found the same wherever
    the decoding pieces end (a line may span many pieces, a piece hold many lines)."""
    import retrieval.corpus as corpus

    records = [{"title": f"Bài {i}", "text": f"Câu số {i} về biên giới.\u2028Vẫn câu {i}."} for i in range(4)]
    data = ("\r\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n").encode()
    whole = parse_content("bulk.jsonl", data)
    for piece in (1, 2, 5, 17, 64):
        monkeypatch.setattr(corpus, "_DECODE_PIECE", piece)
        content = parse_content("bulk.jsonl", data)
        assert [(a.title, a.paragraphs) for a in content.articles] == [(a.title, a.paragraphs) for a in whole.articles]
        assert [a.title for a in content.articles] == ["Bài 0", "Bài 1", "Bài 2", "Bài 3"]
        with pytest.raises(CorpusFileError, match="empty file"):
            parse_content("blank.jsonl", b" \n\r\n \t\n" * 20)
        with pytest.raises(CorpusFileError, match="binary"):
            parse_content("nul.jsonl", data + b"x" * 9000 + b"\x00")
