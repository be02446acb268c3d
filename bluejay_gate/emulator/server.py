"""The emulator's HTTP server and its Python API (``Emulator``).

stdlib ``ThreadingHTTPServer`` with HTTP/1.1 keep-alive; one thread per connection.
Order per request, as FastAPI does it: faults (``when: before``), route lookup (404/405),
``X-API-Key`` (missing → collected as a 422 error; wrong → 401 at once), path, query and
body validation (422 with every error), the handler, then faults (``when: after``).
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

from bluejay_gate.emulator.endpoints import router
from bluejay_gate.emulator.faults import FaultInjector, as_fault
from bluejay_gate.emulator.routing import Reply, validate
from bluejay_gate.emulator.scenario import (
    FaultDef,
    MetricDef,
    Scenario,
    ScenarioError,
    SimulationDef,
)
from bluejay_gate.emulator.store import Conflict, NotFound, Store
from bluejay_gate.emulator.webhooks import Delivery, WebhookSender

_REASONS = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
_SECRET_QUERY_WORDS = ("key", "token", "secret", "password")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the emulator received. ``status`` 0 means the connection was dropped.
    ``took_effect``: the handler ran and succeeded, whatever the client then received
    (a fault injected ``after`` hides a success from it)."""

    method: str
    path: str
    query: dict[str, Any]
    status: int
    body: Any | None
    fault: str | None
    time: float
    took_effect: bool = False


def load_scenario(scenario: Scenario | dict[str, Any] | str | Path | None) -> Scenario:
    """A Scenario from an object, a mapping, a file path, or YAML text (a str with a newline)."""
    if scenario is None:
        return Scenario()
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        return Scenario.from_dict(scenario)
    if isinstance(scenario, str) and "\n" in scenario:
        return Scenario.from_yaml(scenario)
    return Scenario.from_file(scenario)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    emulator: Emulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-request is not the emulator's problem; stay quiet.
        return


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 120

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle + delayed ACK add 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.emulator._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.emulator._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        return  # request lines are logged by Emulator._log, without query secrets

    def _read_body(self) -> bytes:
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
        self.server.emulator._serve(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle  # noqa: N815


class Emulator:
    """A local Bluejay API. ``with Emulator(scenario) as emu: httpx.get(emu.base_url + ...)``."""

    def __init__(
        self,
        scenario: Scenario | dict[str, Any] | str | Path | None = None,
        *,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        speed: float = 1.0,
        clock: Callable[[], float] | None = None,
        seed: int | None = None,
        log: TextIO | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.scenario = load_scenario(scenario)
        self._tls = tls  # serve https with this server context (certificate loaded)
        self.seed = self.scenario.seed if seed is None else seed
        self.clock = clock or time.monotonic
        self.state = Store(self.scenario, clock=self.clock, speed=speed, seed=self.seed)
        self._api_key = api_key
        self._host = host
        self._port = port
        self._log = log
        self._faults = FaultInjector(self.scenario.faults, self.seed)
        self._records: list[RequestRecord] = []
        self._records_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._webhooks: WebhookSender | None = None
        if self.scenario.webhook:
            self.set_webhook(self.scenario.webhook.url, self.scenario.webhook.secret)

    def __repr__(self) -> str:
        return f"Emulator(base_url={self.base_url!r}, auth={'on' if self._api_key else 'off'})"

    # ---- lifecycle ----------------------------------------------------------------
    def start(self) -> Emulator:
        server = _Server((self._host, self._port), _Handler)
        if self._tls is not None:
            server.socket = self._tls.wrap_socket(server.socket, server_side=True)
        server.emulator = self
        self._server = server
        self.state.base_url = self.base_url
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="bluejay-emulator",
        )
        self._thread.start()
        if self._webhooks:
            self._webhooks.start()
        return self

    def stop(self) -> None:
        if self._webhooks:
            self._webhooks.stop()
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        with self._records_lock:
            open_connections = list(self._connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not started; call start() first")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        scheme = "https" if self._tls is not None else "http"
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{scheme}://{host}:{self.port}"

    # ---- request log --------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        with self._records_lock:
            return list(self._records)

    def count(self, method: str, path_prefix: str) -> int:
        """How many requests with this method had a path starting with ``path_prefix``."""
        method = method.upper()
        return sum(
            1 for r in self.requests if r.method == method and r.path.startswith(path_prefix)
        )

    def last_scored_at(self) -> float | None:
        """Clock time (``clock``, monotonic by default) at which the last conversation queued
        so far reaches its final status, i.e. is scored; None before any conversation. Runs
        advance lazily with the clock, so this is known as soon as a run is queued."""
        with self.state.lock:
            moments = [c.final_at() for c in self.state.conversations.values()]
        return max(moments) if moments else None

    def clear_requests(self) -> None:
        with self._records_lock:
            self._records.clear()

    # ---- seeding state from tests -------------------------------------------------
    def add_agent(self, **fields: Any) -> str:
        return str(self.state.add_agent(fields))

    def add_custom_metric(self, **fields: Any) -> str:
        return self.state.add_metric(MetricDef.model_validate(fields))

    def add_simulation(self, agent_id: str | int, name: str, **behaviour: Any) -> str:
        """A simulation of an existing agent; ``behaviour`` takes the scenario's simulation
        keys (``id``, ``digital_humans``, ``scores``, ``run_outcome``, ``quirks``, ...)."""
        try:
            sim = SimulationDef.model_validate({"name": name, "agent": agent_id, **behaviour})
        except ValueError as exc:
            raise ScenarioError(f"add_simulation({name!r}): {exc}") from None
        agent = self.state.find_agent_ref(agent_id)
        return str(self.state.add_simulation(agent, sim))

    def set_faults(
        self, faults: Iterable[FaultDef | dict[str, Any] | str], *, seed: int | None = None
    ) -> None:
        """Replace the fault rules; ``seed`` (default: the emulator's) seeds their draws,
        so faults can vary while the scenario's scores stay the same."""
        self._faults.set([as_fault(f) for f in faults], seed=seed)

    def set_webhook(self, url: str, secret: str) -> None:
        if self._webhooks:
            self._webhooks.stop()
        self._webhooks = WebhookSender(self.state, url, secret)
        if self._server is not None:
            self._webhooks.start()

    def deliver_webhooks(self) -> int:
        """Send due webhook events now (tests with a ManualClock need not wait)."""
        return self._webhooks.deliver_due() if self._webhooks else 0

    @property
    def webhook_deliveries(self) -> list[Delivery]:
        return list(self._webhooks.deliveries) if self._webhooks else []

    # ---- serving ------------------------------------------------------------------
    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._records_lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _serve(self, h: _Handler) -> None:
        started = time.perf_counter()
        received = self.clock()
        parts = urlsplit(h.path)
        path = parts.path.rstrip("/") or "/"
        query = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(parts.query).items()}
        method = h.command
        raw = h._read_body()
        try:
            body_json = json.loads(raw) if raw.strip() else None
        except ValueError:
            body_json = raw.decode("utf-8", "replace")
        fault = self._faults.choose(method, path)
        if fault and fault.kind == "slow" and fault.when == "before":
            time.sleep(fault.delay)
        reply: Reply | None = None
        if fault is None or fault.kind == "slow" or fault.when == "after":
            reply = self._dispatch(method, path, query, raw, h.headers.get("X-API-Key"))
        status = self._send(h, reply, fault)
        took_effect = reply is not None and 200 <= reply.status < 300
        record = RequestRecord(
            method,
            path,
            query,
            status,
            body_json,
            fault.kind if fault else None,
            received,
            took_effect,
        )
        with self._records_lock:
            self._records.append(record)
        if self._log is not None:
            self._log_line(
                h,
                method=method,
                path=path,
                query=query,
                status=status,
                fault=fault,
                started=started,
            )

    def _dispatch(
        self, method: str, path: str, query: dict[str, Any], raw: bytes, key: str | None
    ) -> Reply:
        route, raw_params, allowed = router.match(method, path)
        if route is None:
            if allowed:
                return Reply(
                    405, {"detail": "Method Not Allowed"}, {"Allow": ", ".join(sorted(allowed))}
                )
            return Reply(404, {"detail": "Not Found"})
        errors = []
        if route.auth:
            if key is None:
                errors.append(
                    {
                        "type": "missing",
                        "loc": ["header", "X-API-Key"],
                        "msg": "Field required",
                        "input": None,
                    }
                )
            elif self._api_key is not None and key != self._api_key:
                return Reply(401, {"detail": "Invalid API key"})
        call, more = validate(route, raw_params, query, raw)
        errors.extend(more)
        if errors or call is None:
            return Reply(422, {"detail": errors})
        try:
            return route.handler(self.state, call)
        except NotFound as exc:
            return Reply(404, {"detail": str(exc)})
        except Conflict as exc:
            return Reply(400, {"detail": str(exc)})

    def _send(self, h: _Handler, reply: Reply | None, fault: FaultDef | None) -> int:
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

    def _log_line(
        self,
        h: _Handler,
        *,
        method: str,
        path: str,
        query: dict[str, Any],
        status: int,
        fault: FaultDef | None,
        started: float,
    ) -> None:
        shown = "&".join(
            f"{k}={'***' if any(w in k.lower() for w in _SECRET_QUERY_WORDS) else v}"
            for k, v in query.items()
        )
        target = f"{path}?{shown}" if shown else path
        extra = f" fault={fault.kind}/{fault.when}" if fault else ""
        ms = (time.perf_counter() - started) * 1000
        assert self._log is not None
        print(
            f'{h.client_address[0]} "{method} {target}" {status or "dropped"}{extra} {ms:.1f}ms',
            file=self._log,
            flush=True,
        )


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
