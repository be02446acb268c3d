"""The emulator's HTTP layer: a stdlib ``ThreadingHTTPServer`` with HTTP/1.1 keep-alive
(one thread per connection), the request handler (reads the body, plain or chunked, and
hands the request to the ``Emulator``), and writing a reply, or the fault that replaces it
(slow, dropped connection, 429 with Retry-After, 500, 502/503 HTML pages).
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from bluejay_gate.emulator.routing import Reply
from bluejay_gate.emulator.scenario import FaultDef

if TYPE_CHECKING:
    from bluejay_gate.emulator.server import Emulator

_REASONS = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    emulator: Emulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-request is not the emulator's problem; stay quiet.
        return


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EmulatorHTTPServer
    timeout = 120

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle + delayed ACK add 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.emulator.track_connection(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.emulator.track_connection(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        return  # the Emulator logs request lines (requestlog), without query secrets

    def read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0] or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        self.server.emulator.serve(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle  # noqa: N815


def reply_status(reply: Reply | None, fault: FaultDef | None) -> int:
    """The status ``send_reply`` will answer with (0: the connection is dropped), known
    before anything is written, so the request is on record before the client can act on
    its answer."""
    if fault is not None and fault.kind == "drop":
        return 0
    if fault is not None and fault.kind != "slow":
        return int(fault.kind)
    assert reply is not None
    return reply.status


def send_reply(h: RequestHandler, reply: Reply | None, fault: FaultDef | None) -> int:
    if fault is not None:
        if fault.kind == "slow":
            if fault.when == "after":
                time.sleep(fault.delay)
        elif fault.kind == "drop":
            h.close_connection = True
            with contextlib.suppress(OSError):
                h.connection.shutdown(socket.SHUT_RDWR)
            return 0
        else:
            code = int(fault.kind)
            headers = {}
            if code == 429:
                headers["Retry-After"] = _seconds(fault.retry_after)
                reply = Reply(429, {"detail": "Rate limit exceeded; retry later"}, headers)
            elif code == 500:
                reply = Reply(500, b"Internal Server Error", content_type="text/plain")
            else:
                page = f"<html><body><h1>{code} {_REASONS[code]}</h1></body></html>"
                reply = Reply(code, page.encode(), content_type="text/html")
    assert reply is not None
    payload = (
        reply.body
        if isinstance(reply.body, bytes)
        else json.dumps(reply.body, separators=(",", ":")).encode()
    )
    h.send_response(reply.status)
    h.send_header("Content-Type", reply.content_type)
    h.send_header("Content-Length", str(len(payload)))
    for name, value in reply.headers.items():
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(payload)
    return reply.status


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
