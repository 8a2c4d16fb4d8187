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
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

import httpx

USER_AGENT = "vn-qa-bot/0.1 (Vietnamese question-answering bot; fetches articles on an admin's request)"
MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 15.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A link that could not be fetched; the message says why in a sentence an admin understands."""


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
        raise FetchError(f"not a valid link ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"only http and https links are fetched, not {parsed.scheme or 'a relative link'}")
    if not parsed.host:
        raise FetchError("the link has no host name")
    return parsed


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet (not loopback, private, link-local,
    multicast, reserved, shared or documentation space; IPv4-mapped IPv6 judged as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
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
            raise FetchError(f"{host} {where}; refused (ALLOW_PRIVATE_URLS=1 allows it on an intranet)")
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
        headers = {"Host": url.netloc.decode("ascii"), "Accept": accept}
        request = self._client.build_request(
            "GET", pinned, headers=headers, extensions={"sni_hostname": url.host} if url.scheme == "https" else None
        )
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TimeoutException:
            raise self._timed_out() from None
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot connect to {url.host} ({type(exc).__name__}: {exc})") from None
        try:
            if response.status_code in _REDIRECTS:
                return response.status_code, response.headers.get("location"), None
            if response.status_code != 200:
                reason = response.reason_phrase or ""
                raise FetchError(f"HTTP {response.status_code} {reason}".strip())
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(f"too big ({int(declared):,} bytes; the limit is {self.max_bytes:,})")
            body = bytearray()
            try:
                async for piece in response.aiter_bytes():
                    body += piece
                    if len(body) > self.max_bytes:
                        raise FetchError(f"too big (over the {self.max_bytes:,}-byte limit)")
            except httpx.TimeoutException:
                raise self._timed_out() from None
            except httpx.HTTPError as exc:
                raise FetchError(f"the connection broke while reading ({type(exc).__name__})") from None
            content_type, _, params = response.headers.get("content-type", "").partition(";")
            return 200, None, Fetched(str(url), content_type.strip().lower(), _charset(params), bytes(body))
        finally:
            await response.aclose()


def _charset(params: str) -> str | None:
    """ "charset=windows-1258" from the parameters of a Content-Type header."""
    for part in params.split(";"):
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None
