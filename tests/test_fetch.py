"""retrieval.web.fetch against the local news site: limits, redirects, errors, and the address check."""

from __future__ import annotations

import asyncio
import socket

import pytest

from retrieval.web.fetch import Fetcher, FetchError, RefusedLink, is_public, resolve
from tests.news_site import NewsSite


@pytest.fixture
async def fetcher():
    """Allowed to reach the test server on 127.0.0.1, and nothing else that is not public."""
    client = Fetcher(timeout=1.0, max_bytes=200_000, allow_private=False)
    client.address_allowed = lambda address: address == "127.0.0.1" or is_public(address)
    yield client
    await client.close()


async def test_a_page_is_fetched_with_its_type_and_charset(site, fetcher):
    page = await fetcher.fetch(site.article_link("hoanh-mo-tuan-tra"))
    assert page.url == site.article_link("hoanh-mo-tuan-tra")
    assert (page.content_type, page.charset) == ("text/html", "utf-8")
    assert "Hoành Mô" in page.body.decode("utf-8")


async def test_redirects_are_followed_up_to_five(site, fetcher):
    page = await fetcher.fetch(site.link("/moved/mo-lo-tu-thien"))
    assert page.url == site.article_link("mo-lo-tu-thien")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        await fetcher.fetch(site.link("/loop/0"))
    assert site.hits == {"/bai/mo-lo-tu-thien.html": 1}  # the loop stopped after six requests, none counted


@pytest.mark.parametrize(("path", "message"), [("/error/404", "HTTP 404"), ("/error/500", "HTTP 500")])
async def test_http_errors_say_their_status(site, fetcher, path, message):
    with pytest.raises(FetchError, match=message):
        await fetcher.fetch(site.link(path))


async def test_a_slow_server_times_out(site, fetcher):
    with pytest.raises(FetchError, match="timed out after 1 s"):
        await fetcher.fetch(site.link("/slow"))


async def test_a_body_over_the_limit_is_refused_while_streaming_and_by_its_length(site, fetcher):
    with pytest.raises(FetchError, match="too big \\(over the 200,000-byte limit\\)"):
        await fetcher.fetch(site.link("/big"))  # chunked: no Content-Length to trust
    small = Fetcher(timeout=1.0, max_bytes=1000, allow_private=True)
    try:
        with pytest.raises(FetchError, match=r"too big \(\d[\d,]* bytes; the limit is 1,000\)"):
            await small.fetch(site.article_link("hoanh-mo-tuan-tra"))
    finally:
        await small.close()


async def test_one_fetch_at_a_time_per_host(site, fetcher):
    site.slow_seconds = 0.3
    results = await asyncio.gather(*(fetcher.fetch(site.link("/slow")) for _ in range(3)))
    assert len(results) == 3 and site.most_in_flight == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/a", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("/bai/tuong-doi.html", "only http and https"),
        ("http://", "no host"),
    ],
)
async def test_only_absolute_http_links(url, message):
    client = Fetcher()
    try:
        with pytest.raises(FetchError, match=message):
            await client.fetch(url)
    finally:
        await client.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://localhost:9/",
        "http://[::1]:9/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://0x7f000001:9/",  # 127.0.0.1 written in hex
        "http://2130706433:9/",  # and as one number
        "http://[::ffff:127.0.0.1]:9/",
    ],
)
async def test_non_public_addresses_are_refused_before_connecting(url):
    client = Fetcher()  # ALLOW_PRIVATE_URLS off
    try:
        with pytest.raises(FetchError, match="refused \\(ALLOW_PRIVATE_URLS=1"):
            await client.fetch(url)
    finally:
        await client.close()


async def test_a_redirect_to_a_private_address_is_refused(site, fetcher):
    with pytest.raises(FetchError, match=r"10\.11\.12\.13 is not a public address"):
        await fetcher.fetch(site.link("/to-private"))


async def test_allow_private_reaches_the_local_server(site):
    client = Fetcher(timeout=1.0, allow_private=True)
    try:
        assert (await client.fetch(site.article_link("xuan-bien-gioi"))).body
    finally:
        await client.close()


def test_public_addresses():
    assert is_public("93.184.216.34") and is_public("2606:4700::6810:85e5")
    for address in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.1.1", "100.64.0.1", "0.0.0.0",
                    "::1", "fe80::1", "fc00::1", "224.0.0.1", "::ffff:10.0.0.1", "192.0.2.1"):  # fmt: skip
        assert not is_public(address), address


async def test_a_name_with_any_private_address_is_refused():
    with pytest.raises(FetchError, match="localhost resolves to a non-public address"):
        await resolve("localhost", 80)


async def test_https_goes_to_the_checked_address_and_is_verified_by_the_link_name(monkeypatch):
    """The connection is pinned to the address that was checked, and TLS still checks the
    certificate against the link's host name (sent as SNI), not against that address."""
    import ssl

    import trustme

    import retrieval.web.fetch as fetch_module

    authority = trustme.CA()
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("bao.test").configure_cert(server_side)
    client_side = ssl.create_default_context()
    authority.configure_trust(client_side)
    resolved = []

    async def resolve_to_the_test_server(host: str, port: int, allowed) -> str:
        resolved.append(host)
        return "127.0.0.1"

    monkeypatch.setattr(fetch_module, "resolve", resolve_to_the_test_server)
    site = NewsSite(tls=server_side)
    await site.start()
    client = Fetcher(timeout=2.0, verify=client_side)
    try:
        port = site.url.rsplit(":", 1)[1]
        link = f"https://bao.test:{port}/bai/hoanh-mo-tuan-tra.html"
        page = await client.fetch(link)
        assert page.url == link and "Hoành Mô" in page.body.decode("utf-8")
        assert site.hits == {"/bai/hoanh-mo-tuan-tra.html": 1} and resolved == ["bao.test"]
        with pytest.raises(FetchError, match=r"cannot connect to khac\.test"):  # not the certificate's name
            await client.fetch(f"https://khac.test:{port}/bai/hoanh-mo-tuan-tra.html")
        assert site.hits == {"/bai/hoanh-mo-tuan-tra.html": 1}
    finally:
        await client.close()
        await site.stop()


@pytest.mark.parametrize("answers", [["93.184.216.34", "10.0.0.7"], ["10.0.0.7", "93.184.216.34"]])
async def test_a_name_with_one_public_and_one_private_address_is_refused(monkeypatch, answers):
    """Any address, not the first: checking only the first fails this test (checked). The
    resolver is replaced at the function level; nothing is connected to."""

    async def getaddrinfo(host: str, port: int, **_: object) -> list[tuple]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in answers]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    with pytest.raises(RefusedLink, match=r"bao\.example resolves to a non-public address \(10\.0\.0\.7\)"):
        await resolve("bao.example", 80)
    client = Fetcher(timeout=1.0)
    try:
        with pytest.raises(RefusedLink):
            await client.fetch("http://bao.example/tin.html")
    finally:
        await client.close()


async def test_proxies_from_the_environment_are_never_used(site, monkeypatch):
    """A proxy resolves names itself, past the address check. With ``trust_env=True`` the page
    goes through the "proxy" below and this test fails (checked)."""
    connections = 0

    async def count(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        writer.close()

    proxy = await asyncio.start_server(count, "127.0.0.1", 0)
    port = proxy.sockets[0].getsockname()[1]
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{port}")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    client = Fetcher(timeout=2.0, allow_private=True)
    try:
        page = await client.fetch(site.article_link("xuan-bien-gioi"))
        assert "Mường Nhé" in page.body.decode("utf-8") and connections == 0
    finally:
        await client.close()
        proxy.close()
        await proxy.wait_closed()
