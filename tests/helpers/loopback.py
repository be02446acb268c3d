"""A loopback HTTP server for the scripted servers of the tests, and forwarding one
request to the emulator behind them."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def serve(handle: Callable[[BaseHTTPRequestHandler], None]) -> ThreadingHTTPServer:
    """A started server on 127.0.0.1:<free port> whose GET, POST, PUT and PATCH go to ``handle``
    (one daemon thread per request)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            handle(self)

        def do_POST(self) -> None:
            handle(self)

        def do_PUT(self) -> None:
            handle(self)

        def do_PATCH(self) -> None:
            handle(self)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    # A short poll: shutdown() at teardown waits for it.
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd


def url_of(httpd: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def forward(
    upstream: str, h: BaseHTTPRequestHandler, body: bytes, timeout: float
) -> tuple[int, str, bytes]:
    """The request ``h`` (its ``body`` already read) sent on to ``upstream`` (host:port):
    the status, content type and body of its answer."""
    conn = http.client.HTTPConnection(upstream, timeout=timeout)
    headers = {k: v for k, v in h.headers.items() if k.lower() not in {"host", "connection"}}
    conn.request(h.command, h.path, body=body or None, headers=headers)
    answer = conn.getresponse()
    status, data = answer.status, answer.read()
    ctype = answer.headers.get("content-type", "application/json")
    conn.close()
    return status, ctype, data
