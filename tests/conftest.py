"""Shared fixtures: the shipped corpus, copied so that tests may change it."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the built-in corpus."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "test.sqlite3"


def cp1258(text: str) -> bytes:
    """Encode Vietnamese as Windows-1258: base letters precomposed, tone marks combining."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            tones = "".join(m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323")
            rest = "".join(m for m in marks if m not in tones)
            out += unicodedata.normalize("NFC", base + rest).encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


@pytest.fixture
async def site():
    """The local news site (``tests/news_site.py``) on 127.0.0.1."""
    from tests.news_site import NewsSite  # it imports this module

    server = NewsSite(slow_seconds=2.0)
    await server.start()
    yield server
    await server.stop()


SEED = "Đồn Biên phòng Cốc Pài\n\nĐồn Biên phòng Cốc Pài quản lý 20 km đường biên giới trên địa bàn huyện Xín Mần.\n"


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    """A data dir of one short article (fetched articles are added to it)."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "coc-pai.txt").write_text(SEED, encoding="utf-8")
    return folder
