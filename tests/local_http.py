"""Start an aiohttp application on 127.0.0.1 (a free port): the test servers' one way to listen."""

from __future__ import annotations

import ssl

from aiohttp import web


async def serve_locally(
    app: web.Application, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1", port: int = 0
) -> tuple[web.AppRunner, str]:
    """The running application's runner (``cleanup()`` stops it) and its root URL (https with
    ``tls``, the server's certificate). ``host``: another loopback address (127.0.0.2) is another
    host to the fetcher, which reads one host at a time."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=tls)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"{'https' if tls else 'http'}://{host}:{port}"
