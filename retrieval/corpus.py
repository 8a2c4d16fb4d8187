"""The data dir: which article files it holds and how to read them.

``.txt`` files hold one article (see ``cleaner.parse_text_article``); ``.jsonl`` files hold one
article per line, ``{"title", "text", "date"?, "url"?}``. Reading never raises for one bad file or
line: the problem comes back as a message that names it, and the rest is indexed.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.text.cleaner import Article, parse_record, parse_text_article

SUPPORTED_SUFFIXES = (".txt", ".jsonl")
DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024


class CorpusFileError(Exception):
    """A file that cannot be indexed; the message says which and why."""


@dataclass(frozen=True)
class FileEntry:
    """One candidate file: ``name`` is its path relative to the data dir, with "/"."""

    name: str
    path: Path
    size: int
    mtime_ns: int


@dataclass
class FileContent:
    """A parsed file. ``records`` are its articles in file order, each with ``record_key`` of its
    source text; an article whose key was passed as known is not parsed again (``None``)."""

    sha256: str
    records: list[tuple[str, Article | None]]
    warnings: list[str] = field(default_factory=list)

    @property
    def articles(self) -> list[Article]:
        return [article for _, article in self.records if article is not None]


# hashlib lets go of the interpreter lock for inputs of 2048 bytes and more; done for each of
# 10,000 lines from a worker thread, that handing back and forth starved the event loop for
# 0.4 s (measured). Pieces below that size are hashed without letting go.
_HASH_PIECE = 2047


def record_key(source: str) -> str:
    """Identity of one article's source text (a .jsonl line, a whole .txt file): when a big file
    changes, its articles with a known key keep their stored words and skip pyvi."""
    data = source.encode("utf-8")
    digest = hashlib.blake2b(digest_size=16)
    for start in range(0, len(data), _HASH_PIECE):
        digest.update(data[start : start + _HASH_PIECE])
    return digest.hexdigest()


def content_key(text: str) -> str:
    """Identity of an article's text whatever its spacing, case or link: the same article
    fetched under two links, or from a feed and by hand, is stored once."""
    digest = hashlib.blake2b(digest_size=16)
    folded = " ".join(unicodedata.normalize("NFC", text).split()).casefold().encode("utf-8")
    for start in range(0, len(folded), _HASH_PIECE):
        digest.update(folded[start : start + _HASH_PIECE])
    return digest.hexdigest()


def scan_data_dir(data_dir: Path) -> list[FileEntry]:
    """All supported files under ``data_dir`` (hidden files and folders skipped, folders that are
    symbolic links not followed), sorted by name. ``os.scandir`` and plain strings: 20,000 files
    took 0.67 s with ``os.walk`` and ``Path`` arithmetic, 0.28 s so (a restart scans them all)."""
    entries: list[FileEntry] = []
    folders = [(str(data_dir), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            listing = list(os.scandir(folder))
        except OSError:
            continue
        for item in listing:
            name = item.name
            if name.startswith("."):
                continue
            try:
                if item.is_dir():
                    if not item.is_symlink():
                        folders.append((item.path, f"{prefix}{name}/"))
                    continue
                if os.path.splitext(name)[1].lower() not in SUPPORTED_SUFFIXES:
                    continue
                stat = item.stat()
            except OSError:
                continue
            entries.append(FileEntry(prefix + name, Path(item.path), stat.st_size, stat.st_mtime_ns))
    return sorted(entries, key=lambda e: e.name)


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")


def _looks_like_cp1258(text: str) -> bool:
    """Windows-1258 writes Vietnamese tones as combining marks after a vowel. Text that decodes
    with such marks, all of them after a vowel, is Vietnamese in cp1258; Latin-1 French or
    German decodes with none, so it is not mistaken for it."""
    letters = sum(ch.isalpha() for ch in text)
    marks = [i for i, ch in enumerate(text) if ch in _TONE_MARKS]
    if not marks or len(marks) * 40 < letters:
        return False
    return all(i > 0 and text[i - 1] in _VOWELS for i in marks)


_DECODE_PIECE = 1 << 20


def _decode_utf8(data: bytes) -> list[str]:
    """UTF-8 (BOM dropped) in pieces of 1 MB, kept apart: any one call over a whole 36 MB file
    (decoding it, joining the pieces, ``strip``) held the interpreter lock, and so the bot's event
    loop, for 25-110 ms (measured; the most when its memory was touched for the first time). A
    bad byte raises as decoding in one go does (same offset)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        pieces = [decoder.decode(data[at : at + _DECODE_PIECE]) for at in range(0, len(data), _DECODE_PIECE)]
        pieces.append(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        data.decode("utf-8-sig")  # raises with the offset in the whole file
        raise
    return [piece for piece in pieces if piece]


def decode_text(data: bytes, name: str) -> tuple[list[str], str | None]:
    """Text of a file, in pieces that join to it, and, when it was not UTF-8, a note saying what
    it was converted from.

    UTF-8 (with or without BOM); UTF-16 with a BOM; Windows-1258 when it can be told safely
    (see ``_looks_like_cp1258``). Anything else is refused with a message naming the file.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return [data.decode("utf-16")], "converted from UTF-16"
        except UnicodeDecodeError:
            raise CorpusFileError(f"{name}: broken UTF-16 text") from None
    try:
        return _decode_utf8(data), None
    except UnicodeDecodeError as exc:
        offset = exc.start
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = ""
    if text and _looks_like_cp1258(text):  # before NFC composes the marks away
        return [unicodedata.normalize("NFC", text)], "converted from Windows-1258"
    raise CorpusFileError(
        f"{name}: not UTF-8 text (invalid byte at offset {offset}) and not a recognisable "
        "UTF-16 or Windows-1258 file; save it as UTF-8"
    )


def _unprintable(sample: str) -> int:
    """Characters of ``sample`` that are neither printable nor a line break or tab. Text is
    nearly always all printable, which a few C calls tell (counting character by character in
    Python was a third of the time a small .txt file took to read; ``str.translate`` dropping
    the line breaks looked each character up in a dict: 135 us for 8,192 of them)."""
    if sample.replace("\n", "").replace("\r", "").replace("\t", "").isprintable():
        return 0
    return sum(not ch.isprintable() and ch not in "\n\r\t" for ch in sample)


def parse_content(name: str, data: bytes, known: Container[str] = ()) -> FileContent:
    """Parse the bytes of one data file into articles (those whose key is ``known`` are left
    unparsed: the caller has them already)."""
    digest = hashlib.sha256(data).hexdigest()
    is_utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not is_utf16 and b"\x00" in data[:8192]:
        raise CorpusFileError(f"{name}: binary file, not text")
    pieces, note = decode_text(data, name)
    if all(piece.isspace() for piece in pieces):  # stops at the first letter: no copy, no scan
        raise CorpusFileError(f"{name}: empty file")
    # A NUL character is a NUL byte in every encoding but UTF-16 (whose text is one piece).
    has_nul = any("\x00" in piece for piece in pieces) if is_utf16 else b"\x00" in data
    if has_nul or _unprintable(pieces[0][:8192]) > 8:
        raise CorpusFileError(f"{name}: binary file, not text")
    if name.lower().endswith(".jsonl"):
        content = _parse_jsonl(name, pieces, digest, known)
    elif (key := record_key(text := "".join(pieces))) in known:  # one article: read as a whole
        content = FileContent(digest, [(key, None)])
    else:
        article = parse_text_article(text)
        if not article.paragraphs:
            raise CorpusFileError(f"{name}: no article text left after cleaning")
        content = FileContent(digest, [(key, article)])
    if note:
        content.warnings.insert(0, f"{name}: {note}")
    return content


def jsonl_lines(pieces: list[str]) -> Iterator[str]:
    """The lines of a .jsonl file: split at "\n" only (JSON text may hold a raw U+2028, which
    ``str.splitlines`` would split at), one at a time (``splitlines`` on a 36 MB file held the
    interpreter lock for 80 ms), across the decoded pieces without joining them."""
    rest = ""
    for piece in pieces:
        start = 0
        while (end := piece.find("\n", start)) >= 0:
            yield (rest + piece[start:end]).removesuffix("\r")
            rest, start = "", end + 1
        rest += piece[start:]
    if rest:
        yield rest.removesuffix("\r")


def _parse_jsonl(name: str, pieces: list[str], digest: str, known: Container[str]) -> FileContent:
    records: list[tuple[str, Article | None]] = []
    warnings: list[str] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(jsonl_lines(pieces), start=1):
        if not (stripped := line.strip()):
            continue
        key = record_key(stripped)
        if (twin := first_line.setdefault(key, number)) != number:
            warnings.append(f"{name} line {number}: same article as line {twin}; indexed once")
            continue
        if key in known:
            records.append((key, None))
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            records.append((key, parse_record(record)))
        except (ValueError, TypeError) as exc:
            warnings.append(f"{name} line {number}: {exc}")
    if not records:
        detail = f" ({warnings[0]})" if warnings else ""
        raise CorpusFileError(f"{name}: no readable article{detail}")
    return FileContent(digest, records, warnings)


def read_file(entry: FileEntry, max_bytes: int = DEFAULT_MAX_FILE_BYTES, known: Container[str] = ()) -> FileContent:
    """Read and parse one file (see ``parse_content``), or raise CorpusFileError."""
    if entry.size > max_bytes:
        raise CorpusFileError(f"{entry.name}: {entry.size} bytes, over the {max_bytes}-byte limit")
    try:
        data = entry.path.read_bytes()
    except OSError as exc:
        raise CorpusFileError(f"{entry.name}: cannot read ({exc.strerror})") from None
    return parse_content(entry.name, data, known)


def safe_file_name(name: str) -> str:
    """A file name that stays inside the data dir: no folders, no hidden or odd characters.

    "../../etc/passwd.txt" -> "passwd.txt", "Báo cáo 1/2024?.txt" -> "2024.txt",
    "  .env.txt" -> "env.txt". Raises ValueError when nothing usable is left or the suffix is not
    one we index.
    """
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot or "." + suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ValueError(f"only {', '.join(SUPPORTED_SUFFIXES)} files are accepted")
    stem = re.sub(r"[^\w\-. ]+", "_", stem, flags=re.UNICODE).strip(" ._")
    stem = re.sub(r"\s+", "_", stem)[:100]
    if not stem:
        raise ValueError("the file name has no usable characters")
    return f"{stem}.{suffix.lower()}"


def write_atomically(path: Path, data: bytes) -> None:
    """Write via a hidden temporary file and a rename, so that a reload (which skips hidden
    files) never sees half a file, and a crash leaves the old one whole. The temporary name is
    this writer's own: two processes writing the same file never write into each other's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.part")
    try:
        with tmp.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


EDIT_LOCK = ".edit.lock"  # hidden: never indexed
EDIT_LOCK_WAIT = 30.0


@contextlib.contextmanager
def editing(data_dir: Path, wait: float = EDIT_LOCK_WAIT) -> Iterator[None]:
    """Hold the data dir's edit lock (an flock, so between processes too: the running bot and a
    cron ``feeds poll``) around one read-modify-write of its files; OSError after ``wait``
    seconds, or when the lock file cannot be made (a read-only data dir)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / EDIT_LOCK).open("a") as lock:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OSError(f"another process has been editing {data_dir} for {wait:g} s") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
