"""A hostile proxy on loopback: every request goes to the upstream (the emulator) and
the first-matching endpoint's answer is replaced (a mutation of the real answer, a
50 MB stream, a drip, a Content-Encoding), or answered 403; plus the endpoints the
gate calls and how to run the gate through the proxy in-process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from tests.helpers.loopback import forward, serve, url_of

MB = 1024 * 1024

# A mutation gets the emulator's real answer and returns (content type, body bytes).
Mutation = Callable[[bytes], tuple[str, bytes]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    prefix: str  # path prefix the hostile answer replaces
    needed: str  # a top-level field the gate cannot do without
    strict: bool = True  # False: the gate may carry on without this answer (logged)
    optional: bool = False  # the document does not require ``needed``: missing = empty
    # A readable empty list means "none": thresholds that cannot be judged stop the gate
    # before anything is queued (exit 2).
    empty_stops: bool = False


ENDPOINTS = [
    Endpoint("GET", "/v1/ping", ""),
    Endpoint("GET", "/v1/agent-by-external-id/", "id"),
    Endpoint("PUT", "/v1/update-agent-by-external-id", "agent"),
    Endpoint("GET", "/v1/simulation/", "id"),
    Endpoint("GET", "/v1/get-simulations-by-agent/", "simulations", optional=True),
    # A 2xx to queueing means the run exists: an unreadable answer is reconciled through
    # get-simulation-runs (the run is adopted, logged), so the verdict may still be real.
    Endpoint("POST", "/v1/queue-simulation-run", "simulation_run_id", strict=False),
    Endpoint("GET", "/v1/retrieve-simulation-results/", "simulation_run"),
    Endpoint("GET", "/v1/retrieve-simulation-result/", "simulation_result"),
    # The snapshot before queueing is best effort: a bad answer is logged and the gate
    # matches a lost queue answer by creation time instead.
    Endpoint("GET", "/v1/get-simulation-runs/", "simulation_runs", strict=False, optional=True),
    # Read before paying (preflight): an unreadable answer costs only the check (one
    # warning, the run goes on and the verdict still judges every value).
    Endpoint("GET", "/v1/custom-metrics", "metrics", strict=False, empty_stops=True),
    Endpoint(
        "GET", "/v1/digital-humans-by-simulation/", "digital_humans", strict=False, empty_stops=True
    ),
]


class HostileServer:
    """Proxies to ``upstream``; the first-matching request gets ``mutation``'s answer."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.target: Endpoint | None = None
        self.mutation: Mutation | None = None
        self.stream_bytes = 0  # > 0: answer with this many bytes, no Content-Length
        self.drip_seconds = 0.0  # > 0: send one byte every 0.2 s for this long
        self.encoding = ""  # a Content-Encoding header for the hostile answer
        self.refused: tuple[str, ...] = ()  # path prefixes answered 403, not proxied
        self.hits = 0
        self.httpd = serve(self.handle)

    @property
    def base_url(self) -> str:
        return url_of(self.httpd)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("content-length") or 0)
        body = h.rfile.read(length) if length else b""
        if self.refused and h.path.startswith(self.refused):
            denied = b'{"detail": "not allowed for this key"}'
            h.send_response(403)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(denied)))
            h.end_headers()
            h.wfile.write(denied)
            return
        status, ctype, data = forward(self.upstream, h, body, timeout=10)
        target = self.target
        if target and h.command == target.method and h.path.startswith(target.prefix):
            self.hits += 1
            if self.stream_bytes:
                self._stream(h)
                return
            if self.drip_seconds:
                self._drip(h)
                return
            if self.mutation is not None and 200 <= status < 300:
                ctype, data = self.mutation(data)
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        if self.encoding and target and h.path.startswith(target.prefix):
            h.send_header("Content-Encoding", self.encoding)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _drip(self, h: BaseHTTPRequestHandler) -> None:
        """Headers at once, then a byte at a time: no single read ever times out."""
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        until = time.monotonic() + self.drip_seconds
        try:
            while time.monotonic() < until:
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass  # the client gave up: what it should do
        h.close_connection = True

    def _stream(self, h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Connection", "close")
        h.end_headers()
        chunk = b'{"x": "' + b"y" * MB
        sent = 0
        try:
            while sent < self.stream_bytes:
                h.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the client stopped reading: what it should do
        h.close_connection = True


@dataclass
class World:
    emu: Emulator
    server: HostileServer
    spec: Path
    out: Path


def run_gate(world: World, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    argv = ["run", "--spec", str(world.spec), "--base-url", world.server.base_url]
    argv += ["--junit", str(world.out / "junit.xml"), "--report", str(world.out / "r.json")]
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert isinstance(info.value.code, int)
    return info.value.code, out + err
