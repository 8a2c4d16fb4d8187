"""retrieval.web.fetch against a hostile site (127.0.0.2): redirects to links that are not web links,
stacked compression, lying pages; and the address rules for IPv6 forms that carry IPv4."""

from __future__ import annotations

import tracemalloc

import pytest

from retrieval.web.extract import decode_html
from retrieval.web.fetch import Decoder, Fetcher, FetchError, RefusedLink, is_public, resolve, without_credentials
from tests.hostile_site import gzip_bomb
from tests.news_site import STORIES, news_page


@pytest.fixture
async def fetcher():
    client = Fetcher(timeout=5.0, max_bytes=200_000, allow_private=True)
    yield client
    await client.close()


@pytest.mark.parametrize("target", ["mailto:toa-soan@bienphong.vn", "javascript:alert(1)", "data:text/html,<p>x</p>"])
async def test_a_redirect_to_a_scheme_only_link_is_refused_as_a_fetch_error(hostile, fetcher, target):
    """Before: httpx.InvalidURL escaped the fetcher and stopped the whole batch or feed."""
    with pytest.raises(RefusedLink, match="redirected to something that is not an http or https link"):
        await fetcher.fetch(hostile.link(f"/redirect?to={target}"))


async def test_a_stacked_compression_bomb_stops_at_the_limit_with_little_memory(hostile, fetcher):
    """Before: "gzip, gzip" of 50 MB of zeros was inflated whole (2.2 GB for a bigger one)."""
    gzip_bomb()  # made before measuring: the server is in this process
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="too big once decompressed"):
            await fetcher.fetch(hostile.link("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000


@pytest.mark.parametrize("how", ["gzip", "deflate", "raw-deflate", "gzip-gzip"])
async def test_compressed_pages_are_decoded(hostile, fetcher, how):
    page = await fetcher.fetch(hostile.link(f"/encoded/{how}"))
    assert page.body == news_page(STORIES[1]).encode("utf-8")


@pytest.mark.parametrize(
    ("how", "message"),
    [("br", "unsupported content encoding 'br'"), ("three", "too many content encodings"),
     ("broken", "gzip encoding is broken")],
)  # fmt: skip
async def test_unknown_deep_or_broken_encodings_are_refused(hostile, fetcher, how, message):
    with pytest.raises(FetchError, match=message):
        await fetcher.fetch(hostile.link(f"/encoded/{how}"))


def test_every_layer_counts_against_the_limit():
    import gzip

    inner = gzip.compress(bytes(300_000))  # ~300 bytes that inflate to 300 kB
    decoder = Decoder("gzip", 100_000)
    with pytest.raises(FetchError, match="too big once decompressed"):
        for _ in decoder.decode(inner):
            pass
    pieces = list(Decoder("gzip", 400_000).decode(inner))
    assert sum(map(len, pieces)) == 300_000 and max(map(len, pieces)) <= 64 * 1024  # a piece at a time


async def test_a_declared_utf8_page_with_a_stray_byte_is_read(hostile, fetcher):
    """Before: refused as "no charset declared"."""
    page = await fetcher.fetch(hostile.link("/stray-byte"))
    text = decode_html(page.body, page.charset)
    assert STORIES[2].title + "\ufffd</h1>" in text


async def test_a_servers_reason_phrase_loses_its_terminal_escapes(hostile, fetcher):
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(hostile.link("/escapes"))
    message = str(caught.value)
    assert message.startswith("HTTP 502 Bad") and message.isprintable()  # no C1 CSI left to drive a terminal


async def test_credentials_in_a_link_are_not_kept(hostile, fetcher):
    page = await fetcher.fetch(hostile.link("/page").replace("http://", "http://bien:mat-khau@"))
    assert page.url == hostile.link("/page")
    assert without_credentials("https://u:p@x.vn:8443/a?b=1") == "https://x.vn:8443/a?b=1"
    assert without_credentials("http://u:p@[::1/") == "http://[::1/"  # not even a valid link


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",  # IPv4-compatible (deprecated)
        "::ffff:0:7f00:1",  # IPv4-translated, loopback
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254 (cloud metadata)
        "64:ff9b:1::1",  # NAT64 local use
        "fec0::1",  # site-local (deprecated)
        "::ffff:192.168.1.1",
        "192.0.0.8",
        "192.88.99.1",
    ],
)
def test_ipv6_forms_that_carry_a_private_ipv4_and_deprecated_ranges_are_refused(address):
    """Before: each of these passed ``is_global``."""
    assert not is_public(address)


@pytest.mark.parametrize("address", ["2002:808:808::1", "64:ff9b::808:808", "::ffff:8.8.8.8", "2606:4700::6810:85e5"])
def test_ipv6_forms_that_carry_a_public_ipv4_stay_public(address):
    assert is_public(address)


async def test_a_bracketed_ipv6_host_carrying_loopback_is_refused_before_connecting():
    with pytest.raises(RefusedLink, match="not a public address"):
        await resolve("::ffff:0:7f00:1", 80)
    client = Fetcher(timeout=1.0)
    try:
        with pytest.raises(RefusedLink):
            await client.fetch("http://[64:ff9b::7f00:1]/admin")
    finally:
        await client.close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_every_redirect_status_is_followed_and_checked(hostile, fetcher, status):
    """Each of the five is followed (mutation testing found 303, 307 and 308 untested)."""
    page = await fetcher.fetch(hostile.link(f"/redirect?status={status}&to=/page"))
    assert page.url == hostile.link("/page") and STORIES[2].title.encode() in page.body


async def test_a_304_is_not_followed(hostile, fetcher):
    with pytest.raises(FetchError, match="HTTP 304"):
        await fetcher.fetch(hostile.link("/redirect?status=304&to=/page"))


def test_a_public_ipv6_address_with_ffff_0_inside_is_not_taken_for_a_translated_one():
    """Only ::ffff:0:a.b.c.d (the first 64 bits zero) carries an IPv4 address (mutation testing:
    'and' -> 'or' survived)."""
    assert is_public("2606:4700::ffff:0:a00:1")


async def test_five_redirects_are_followed_and_a_sixth_is_not(hostile, fetcher):
    """The limit exactly (mutation testing: one hop more or less survived)."""
    assert (await fetcher.fetch(hostile.link("/chain/5"))).url == hostile.link("/page")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        await fetcher.fetch(hostile.link("/chain/6"))


async def test_the_host_header_is_the_links_though_the_connection_goes_to_the_checked_address(hostile, fetcher):
    await fetcher.fetch(hostile.link("/page"))
    assert hostile.hosts == [hostile.url.removeprefix("http://")]


async def test_default_ports_are_80_and_443(monkeypatch):
    import retrieval.web.fetch as fetch_module

    asked: list[tuple[str, int]] = []

    async def refuse(host: str, port: int, allowed: object) -> str:
        asked.append((host, port))
        raise RefusedLink("stop here")

    monkeypatch.setattr(fetch_module, "resolve", refuse)
    client = Fetcher(timeout=1.0)
    try:
        for link in ("http://bao.example/a", "https://bao.example/a", "https://bao.example:8443/a"):
            with pytest.raises(RefusedLink):
                await client.fetch(link)
    finally:
        await client.close()
    assert asked == [("bao.example", 80), ("bao.example", 443), ("bao.example", 8443)]


async def test_certificates_are_verified_by_default(monkeypatch):
    """A default Fetcher refuses a server whose certificate no trusted authority signed
    (mutation testing: verify=False by default survived)."""
    import ssl

    import trustme

    import retrieval.web.fetch as fetch_module
    from tests.news_site import NewsSite

    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("bao.test").configure_cert(server_side)  # an authority nobody trusts

    async def to_the_test_server(host: str, port: int, allowed: object) -> str:
        return "127.0.0.1"

    monkeypatch.setattr(fetch_module, "resolve", to_the_test_server)
    site = NewsSite(tls=server_side)
    await site.start()
    client = Fetcher(timeout=2.0)
    try:
        port = site.url.rsplit(":", 1)[1]
        with pytest.raises(FetchError, match=r"cannot connect to bao\.test"):
            await client.fetch(f"https://bao.test:{port}/bai/hoanh-mo-tuan-tra.html")
        assert site.hits == {}
    finally:
        await client.close()
        await site.stop()
