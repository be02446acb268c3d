"""A scripted proxy on loopback for tests: every request goes to an upstream (the
emulator) unless ``script`` answers it itself: with a status (and headers, body), by
hanging (never answering until the proxy closes), or by answering after a delay.

``script(method, path, n)`` gets the request's method, path and how many requests to
that endpoint (method and path, a trailing numeric id dropped) came before it (0 for
the first), and returns ``None`` (proxy it) or a ``Scripted`` answer. ``rewrite`` may
change any proxied answer's body.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.helpers.loopback import forward, serve, url_of


@dataclass(frozen=True)
class Scripted:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # never answer
    delay: float = 0.0  # proxy it, after this many seconds


Script = Callable[[str, str, int], Scripted | None]
# (method, path, n, upstream status, upstream body) -> the body to answer instead
Rewrite = Callable[[str, str, int, int, bytes], bytes]


def endpoint_key(path: str) -> str:
    """``/v1/retrieve-simulation-results/70001`` -> ``/v1/retrieve-simulation-results/``."""
    head, _, tail = path.rpartition("/")
    return f"{head}/" if tail.isdigit() else path


class ScriptedProxy:
    def __init__(self, upstream: str, script: Script, rewrite: Rewrite | None = None) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.script = script
        self.rewrite = rewrite
        self.counts: dict[tuple[str, str], int] = {}
        self.log: list[tuple[str, str, int | str]] = []  # (method, path, status or "hang")
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.httpd = serve(self.handle)

    @property
    def base_url(self) -> str:
        return url_of(self.httpd)

    def close(self) -> None:
        self._closed.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def hits(self, method: str, prefix: str) -> list[int | str]:
        with self._lock:
            return [s for m, p, s in self.log if m == method and p.startswith(prefix)]

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("content-length") or 0)
        body = h.rfile.read(length) if length else b""
        key = (h.command, endpoint_key(h.path.split("?")[0]))
        with self._lock:
            n = self.counts.get(key, 0)
            self.counts[key] = n + 1
        answer = self.script(h.command, h.path, n)
        if answer is not None and answer.hang:
            with self._lock:
                self.log.append((h.command, h.path, "hang"))
            self._closed.wait(120)
            h.close_connection = True
            return
        if answer is not None and answer.delay:
            time.sleep(answer.delay)
            answer = None
        if answer is None:
            status, ctype, data = forward(self.upstream, h, body, timeout=30)
            extra = {"Content-Type": ctype}
            if self.rewrite is not None:
                data = self.rewrite(h.command, h.path, n, status, data)
        else:
            status, data = answer.status, answer.body
            extra = {"Content-Type": "application/json", **answer.headers}
        with self._lock:
            self.log.append((h.command, h.path, status))
        h.send_response(status)
        for name, value in extra.items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
