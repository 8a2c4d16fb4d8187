"""Shared fixtures: the shipped corpus, copied so that tests may change it."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def eval_db_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The evaluation's databases, one per corpus, shared by the whole session: each corpus's
    sentences are embedded once, not once per test."""
    return tmp_path_factory.mktemp("eval")


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


@pytest.fixture
async def hostile():
    """The hostile site (``tests/hostile_site.py``) on 127.0.0.2."""
    from tests.hostile_site import HostileSite

    server = HostileSite(tarpit_seconds=8.0)
    await server.start()
    yield server
    await server.stop()


async def open_web(
    data: Path,
    db: Path,
    *,
    timeout: float = 1.0,
    max_file_bytes: int | None = None,
    poll_seconds: float = 60.0,
    private: bool = True,
):
    """A WebCorpus over ``data`` and ``db``; ``private=False``: the production address rule, but
    for the tests' two local sites themselves."""
    from retrieval.engine import QAEngine
    from retrieval.web.fetch import Fetcher, is_public
    from retrieval.web.ingest import WebCorpus

    engine, _ = await QAEngine.open(data, db, **({"max_file_bytes": max_file_bytes} if max_file_bytes else {}))
    fetcher = Fetcher(timeout=timeout, max_bytes=200_000, allow_private=private)
    if not private:
        fetcher.address_allowed = lambda address: address in ("127.0.0.1", "127.0.0.2") or is_public(address)
    return WebCorpus(engine, fetcher, poll_seconds)


@pytest.fixture
async def web(small_data, db_path):
    """Articles by link and feeds over ``small_data``, private addresses allowed (the local sites)."""
    corpus = await open_web(small_data, db_path)
    yield corpus
    await corpus.fetcher.close()
    await corpus.engine.close()
