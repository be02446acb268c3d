"""The webhook listener: where Bluejay pushes ``simulation_result_evaluated`` (``run.wait:
webhook``), and the ``Inbox`` the poller waits on instead of sleeping.

A ``ThreadingHTTPServer`` on its own thread (https with ``--listen-tls-cert/key``); the URL
to register in Bluejay's dashboard is its root. Each delivery is answered at once and never
waits on Bluejay: too big -> 413; unsigned or wrongly signed -> 401; verified but malformed
or an unknown event -> 400; verified and readable -> 200, and a ``simulation_result_evaluated``
goes to the inbox (a delivery id seen before is answered 200 and dropped: delivery is at
least once). Which run a result belongs to is the poller's to judge (foreign ones are
ignored there). Nothing here sends a request, and nothing prints the secret.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import socketserver
import ssl
import threading
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bluejay_gate.bluejay.webhook_events import BadDelivery, Pushed, read_event, signed
from bluejay_gate.errors import UsageError

MAX_BODY = 1024 * 1024  # a scored conversation is a few kB; 1 MiB is plenty
# A slow or silent client is dropped after this long, well inside Bluejay's 5 s.
READ_TIMEOUT = 3.0
# Delivery ids remembered against replays (oldest forgotten first).
MAX_DELIVERIES = 100_000
# How often the serving thread looks for ``stop``: the gate exits at most this much later.
STOP_POLL = 0.01


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6; port 0 picks a free one) -> (host, port)."""
    host, sep, port_text = text.strip().rpartition(":")
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not port_text.isdigit() or int(port_text) > 65535:
        raise UsageError(f"--listen {text!r}: expected HOST:PORT, e.g. 0.0.0.0:8080 or [::]:8443")
    return host, int(port_text)


class Inbox:
    """Verified events, handed from the listener's threads to the poller's main thread."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Pushed] = queue.SimpleQueue()
        self._arrived = threading.Event()

    def put(self, pushed: Pushed) -> None:
        self._queue.put(pushed)
        self._arrived.set()

    def wait(self, seconds: float) -> bool:
        """True as soon as something is waiting (at once if it already is)."""
        return self._arrived.wait(max(0.0, seconds))

    def take(self) -> list[Pushed]:
        """Everything waiting, oldest first."""
        self._arrived.clear()
        got: list[Pushed] = []
        with contextlib.suppress(queue.Empty):
            while True:
                got.append(self._queue.get_nowait())
        return got


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    listener: Listener

    def server_bind(self) -> None:
        # HTTPServer's looks up the host's FQDN, which can hang on a runner without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a broken connection (or a failed TLS handshake) is the client's problem


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = READ_TIMEOUT
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    def do_POST(self) -> None:
        status = self.server.listener.receive(self)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        return


class Listener:
    """Receives Bluejay's webhooks until ``stop``; ``counts`` tallies the answers."""

    def __init__(
        self,
        host: str,
        port: int,
        secret: str,
        *,
        tls_cert: Path | None = None,
        tls_key: Path | None = None,
    ) -> None:
        self.inbox = Inbox()
        self.counts: dict[int, int] = {}  # HTTP status -> deliveries answered with it
        self.replayed = 0  # deliveries answered 200 and dropped: their id was seen before
        self._secret = secret
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        context = _tls_context(tls_cert, tls_key)
        try:
            server = (_Server6 if ":" in host else _Server)((host, port), _Handler)
        except OSError as exc:
            raise UsageError(
                f"--listen {host}:{port}: cannot listen there ({exc.strerror or exc}): "
                "choose a free port on an address of this machine"
            ) from None
        if context is not None:
            server.socket = context.wrap_socket(
                server.socket, server_side=True, do_handshake_on_connect=False
            )
        server.listener = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": STOP_POLL},
            name="bluejay-gate-webhooks",
            daemon=True,
        )
        self.scheme = "https" if context is not None else "http"

    @property
    def url(self) -> str:
        """The URL to register in Bluejay (the listener's root)."""
        host, port = self._server.server_address[:2]
        shown = f"[{host!s}]" if ":" in str(host) else str(host)
        return f"{self.scheme}://{shown}:{port}/"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> Listener:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> Listener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _count(self, status: int) -> int:
        with self._lock:
            self.counts[status] = self.counts.get(status, 0) + 1
        return status

    def receive(self, h: BaseHTTPRequestHandler) -> int:
        """One delivery: its HTTP answer (the event, if any, is in the inbox)."""
        length_text = h.headers.get("Content-Length")
        if h.headers.get("Transfer-Encoding") or length_text is None:
            return self._count(411 if length_text is None else 400)
        try:
            length = int(length_text)
        except ValueError:
            return self._count(400)
        if length < 0:
            return self._count(400)
        if length > MAX_BODY:
            return self._count(413)
        try:
            raw = h.rfile.read(length)
        except OSError:
            return self._count(400)
        if len(raw) != length:
            return self._count(400)
        if not signed(self._secret, raw, h.headers.get("X-Bluejay-Signature")):
            return self._count(401)
        try:
            pushed = read_event(h.headers.get("X-Bluejay-Event"), raw)
        except BadDelivery:
            return self._count(400)
        delivery = (h.headers.get("X-Bluejay-Delivery") or "").strip()
        with self._lock:
            if delivery and delivery in self._seen:
                self.counts[200] = self.counts.get(200, 0) + 1
                self.replayed += 1
                return 200
            if delivery:
                self._seen[delivery] = None
                if len(self._seen) > MAX_DELIVERIES:
                    self._seen.popitem(last=False)
        if pushed is not None:
            self.inbox.put(pushed)
        return self._count(200)


def _tls_context(cert: Path | None, key: Path | None) -> ssl.SSLContext | None:
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise UsageError(
            "--listen-tls-cert and --listen-tls-key go together: give both (PEM files), "
            "or neither to listen on plain http behind your own TLS proxy"
        )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(cert), str(key))
    except (OSError, ssl.SSLError) as exc:
        raise UsageError(
            f"--listen-tls-cert {cert} / --listen-tls-key {key}: cannot load them "
            f"({getattr(exc, 'strerror', None) or exc}): give a PEM certificate and its key"
        ) from None
    return context
