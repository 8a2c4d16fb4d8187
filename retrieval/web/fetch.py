"""Fetch a web page or feed safely: links come from admins and, through feeds, from anyone.

``Fetcher.fetch`` refuses what a bot that fetches on request must not do (OWASP's server-side
request forgery rules): schemes other than http(s); hosts that resolve to a loopback, private,
link-local, multicast or otherwise non-public address (checked after DNS resolution, and the
connection then goes to the address that was checked, so a second lookup cannot swap it); more
than ``MAX_REDIRECTS`` redirects (each hop checked again); bodies over ``max_bytes`` (checked
while streaming, not trusted from Content-Length alone); anything slower than ``timeout`` seconds
in all. One fetch at a time per host, so that a feed of 200 entries on one site is read politely.
``allow_private`` lifts the address check (tests on 127.0.0.1, intranet deployments).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx

from retrieval.text.normalize import printable

USER_AGENT = "vn-qa-bot/0.1 (Vietnamese question-answering bot; fetches articles on an admin's request)"
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 15.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A link that could not be fetched; the message says why in a sentence an admin understands."""


class RefusedLink(FetchError):
    """A link the bot will not fetch whatever happens (not http(s), a non-public address): unlike
    a failure, trying again later cannot help, and nothing from it may be kept."""


@dataclass(frozen=True)
class Fetched:
    """A successful response: ``url`` is where the body came from (after redirects)."""

    url: str
    content_type: str  # "text/html", without parameters, lower case ("" when absent)
    charset: str | None  # from the Content-Type header
    body: bytes


def check_url(url: str) -> httpx.URL:
    """The parsed URL, or FetchError when it is not an absolute http(s) link."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise RefusedLink(f"not a valid link ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise RefusedLink(f"only http and https links are fetched, not {parsed.scheme or 'a relative link'}")
    if not parsed.host:
        raise RefusedLink("the link has no host name")
    return parsed


# IPv6 ranges refused whatever they hold: site-local (deprecated, RFC 3879), IPv4-compatible
# (deprecated, RFC 4291: "::127.0.0.1" reaches loopback on some stacks), NAT64 local-use (RFC 8215).
_REFUSED_V6 = tuple(ipaddress.ip_network(n) for n in ("fec0::/10", "::/96", "64:ff9b:1::/48"))
# IPv4 special-purpose ranges that Python 3.11's ``is_global`` still calls global: IETF protocol
# assignments (RFC 6890) and the deprecated 6to4 relay anycast (RFC 7526).
_REFUSED_V4 = tuple(ipaddress.ip_network(n) for n in ("192.0.0.0/24", "192.88.99.0/24"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address in the last 32 bits


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, translated, 6to4, Teredo, NAT64): where
    a packet for it may end up, so they are judged by the IPv4 rules."""
    found = [v4 for v4 in (ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())) if v4 is not None]
    packed = ip.packed
    if packed[:8] == bytes(8) and packed[8:12] == b"\xff\xff\x00\x00":  # ::ffff:0:a.b.c.d (RFC 2765)
        found.append(ipaddress.IPv4Address(packed[12:]))
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(packed[12:]))
    return found


def without_credentials(url: httpx.URL | str) -> str:
    """A link as it may be stored and shown: without its "user:password@"."""
    try:
        parsed = httpx.URL(url) if isinstance(url, str) else url
    except httpx.InvalidURL:  # shown in a failure line: cut "//user:pass@" by hand
        return re.sub(r"(?<=//)[^/?#@]*@", "", str(url))
    return str(parsed.copy_with(userinfo=b"")) if parsed.userinfo else str(parsed)


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet: not loopback, private, link-local,
    multicast, reserved, shared, documentation or deprecated space, and for IPv6 not carrying an
    IPv4 address that is any of those (``is_global`` alone lets "::ffff:0:7f00:1" through)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in network for network in _REFUSED_V6):
            return False
        embedded = _embedded_ipv4(ip)
        if embedded:
            return all(is_public(str(v4)) for v4 in embedded)
    elif any(ip in network for network in _REFUSED_V4):
        return False
    return ip.is_global and not ip.is_multicast


async def resolve(host: str, port: int, allowed: Callable[[str], bool] = is_public) -> str:
    """One address of ``host`` to connect to; FetchError when it cannot be resolved or when any
    of its addresses is not ``allowed`` (a name with one private address among public ones could
    be steered to it)."""
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"cannot resolve {host} ({exc})") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError(f"cannot resolve {host}")
    for address in addresses:
        if not allowed(address):
            where = "is not a public address" if address == host else f"resolves to a non-public address ({address})"
            raise RefusedLink(f"{host} {where}; refused (ALLOW_PRIVATE_URLS=1 allows it on an intranet)")
    return addresses[0]


class Fetcher:
    """An HTTP client with the limits above; one per bot, closed with ``close``. ``verify``: the
    certificate authorities trusted (httpx's default bundle; tests pass their own)."""

    def __init__(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        allow_private: bool = False,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        # Which addresses may be connected to (tests narrow it to prove each hop is checked).
        self.address_allowed: Callable[[str], bool] = (lambda address: True) if allow_private else is_public
        # No proxies from the environment: a proxy would resolve names itself, past the check.
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": USER_AGENT},
            verify=verify,  # certificates are checked against the link's host name (SNI), not the address
            # No connection is reused: pooled by the pinned address, a TLS connection verified
            # for one host name would carry a request for another name served at that address.
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self._hosts: dict[str, tuple[asyncio.Lock, int]] = {}  # host -> (its lock, fetches using it)

    async def close(self) -> None:
        await self._client.aclose()

    def _timed_out(self) -> FetchError:
        """The one error for a fetch over ``timeout``: connecting, reading, or in all."""
        return FetchError(f"timed out after {self.timeout:g} s")

    async def fetch(self, url: str, accept: str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5") -> Fetched:
        """GET ``url`` within the limits, following redirects; FetchError says why not."""
        current = check_url(url)
        host = current.host
        lock, users = self._hosts.get(host, (asyncio.Lock(), 0))
        self._hosts[host] = lock, users + 1
        try:
            async with lock:
                try:
                    async with asyncio.timeout(self.timeout):
                        return await self._follow(current, accept)
                except TimeoutError:
                    raise self._timed_out() from None
        finally:
            lock, users = self._hosts[host]
            if users == 1:
                del self._hosts[host]  # nobody else waits: the table stays small
            else:
                self._hosts[host] = lock, users - 1

    async def _follow(self, current: httpx.URL, accept: str) -> Fetched:
        for _ in range(MAX_REDIRECTS + 1):
            status, location, fetched = await self._get(current, accept)
            if fetched is not None:
                return fetched
            if location is None:
                raise FetchError(f"HTTP {status} without a Location to follow")
            current = check_url(str(current.join(location)))
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    async def _get(self, url: httpx.URL, accept: str) -> tuple[int, str | None, Fetched | None]:
        """One request to the checked address of ``url``: (status, redirect target, response)."""
        port = url.port or (443 if url.scheme == "https" else 80)
        address = await resolve(url.host, port, self.address_allowed)
        pinned = url.copy_with(host=address)
        headers = {"Host": url.netloc.decode("ascii"), "Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
        request = self._client.build_request(
            "GET", pinned, headers=headers, extensions={"sni_hostname": url.host} if url.scheme == "https" else None
        )
        try:
            response = await self._client.send(request, stream=True)
        except httpx.InvalidURL as exc:  # a Location httpx cannot parse ("mailto:x", "javascript:…")
            raise RefusedLink(f"redirected to something that is not an http or https link ({exc})") from None
        except httpx.TimeoutException:
            raise self._timed_out() from None
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot connect to {url.host} ({type(exc).__name__}: {exc})") from None
        try:
            if response.status_code in _REDIRECTS:
                return response.status_code, response.headers.get("location"), None
            if response.status_code != 200:
                reason = printable(response.reason_phrase or "")[:100]
                raise FetchError(f"HTTP {response.status_code} {reason}".strip())
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(f"too big ({int(declared):,} bytes; the limit is {self.max_bytes:,})")
            body = await self._read(response)
            content_type, _, params = response.headers.get("content-type", "").partition(";")
            return 200, None, Fetched(without_credentials(url), content_type.strip().lower(), _charset(params), body)
        finally:
            await response.aclose()

    async def _read(self, response: httpx.Response) -> bytes:
        """The body, its content encodings undone here rather than by httpx: every layer's output
        counts against ``max_bytes`` as it is produced (a 1.8 KB "gzip, gzip" bomb once grew to
        2.2 GB), a piece at a time, the event loop free between pieces."""
        decoder = Decoder(response.headers.get("content-encoding", ""), self.max_bytes)
        body = bytearray()
        received = 0
        try:
            async for chunk in response.aiter_raw():
                received += len(chunk)
                if received > self.max_bytes:
                    raise FetchError(f"too big (over the {self.max_bytes:,}-byte limit)")
                for piece in decoder.decode(chunk):
                    body += piece
                    await asyncio.sleep(0)
            for piece in decoder.flush():
                body += piece
        except httpx.TimeoutException:
            raise self._timed_out() from None
        except httpx.HTTPError as exc:
            raise FetchError(f"the connection broke while reading ({type(exc).__name__})") from None
        return bytes(body)


def _charset(params: str) -> str | None:
    """ "charset=windows-1258" from the parameters of a Content-Type header."""
    for part in params.split(";"):
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


# Content encodings undone (``Decoder``), at most this many stacked; "br" and "zstd" are not
# asked for and are refused if sent anyway.
ACCEPT_ENCODING = "gzip, deflate"
MAX_ENCODINGS = 2
_PIECE = 64 * 1024  # bytes a decompression step produces at most


class _Inflater:
    """One gzip or deflate layer, undone a piece at a time."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.produced = 0
        self._may_be_raw = encoding == "deflate"  # "deflate" is also sent without its zlib header
        self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS)

    def pieces(self, data: bytes) -> Iterator[bytes]:
        """The output for ``data`` (b"" at the end: what is still held), ``_PIECE`` at a time."""
        while not self._inflate.eof:
            try:
                out = self._inflate.decompress(data, _PIECE)
            except zlib.error:
                if not self._may_be_raw:
                    raise FetchError(f"the response's {self.encoding} encoding is broken") from None
                self._may_be_raw = False
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._may_be_raw = False
            data = self._inflate.unconsumed_tail
            if out:
                self.produced += len(out)
                yield out
            elif not data:
                break


class Decoder:
    """Undoes a response's Content-Encoding as its bytes arrive; FetchError when any layer's
    output passes ``max_bytes`` or an encoding is unknown, broken or stacked too deep."""

    def __init__(self, header: str, max_bytes: int) -> None:
        encodings = [e.strip().lower() for e in header.split(",") if e.strip()]
        encodings = ["gzip" if e == "x-gzip" else e for e in encodings if e != "identity"]
        if len(encodings) > MAX_ENCODINGS:
            raise FetchError(f"too many content encodings stacked ({', '.join(encodings)})")
        if unknown := [e for e in encodings if e not in ("gzip", "deflate")]:
            raise FetchError(f"unsupported content encoding {unknown[0]!r}")
        self.max_bytes = max_bytes
        self._layers = [_Inflater(e) for e in reversed(encodings)]  # the last applied is undone first

    def decode(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of the next raw bytes (each at most 64 KiB)."""
        return self._through(0, data)

    def flush(self) -> Iterator[bytes]:
        """What the layers still hold at the end of the response."""
        for number in range(len(self._layers)):
            yield from self._through(number, b"")

    def _through(self, number: int, data: bytes) -> Iterator[bytes]:
        if number == len(self._layers):
            if data:
                yield data
            return
        layer = self._layers[number]
        for piece in layer.pieces(data):
            if layer.produced > self.max_bytes:
                raise FetchError(f"too big once decompressed (over the {self.max_bytes:,}-byte limit)")
            yield from self._through(number + 1, piece)
