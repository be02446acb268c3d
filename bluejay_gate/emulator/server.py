"""The emulator's Python API (``Emulator``): its lifecycle (start, stop, base URL), the
request log it keeps, seeding state from tests, faults and webhooks, and the order per
request, as FastAPI does it: faults (``when: before``), ``dispatch`` (route, key,
validation, handler), then faults (``when: after``). The HTTP layer is ``http_handler``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

from bluejay_gate.emulator.dispatch import dispatch
from bluejay_gate.emulator.faults import FaultInjector, as_fault
from bluejay_gate.emulator.http_handler import (
    EmulatorHTTPServer,
    RequestHandler,
    reply_status,
    send_reply,
)
from bluejay_gate.emulator.requestlog import RequestRecord, request_line
from bluejay_gate.emulator.routing import Reply
from bluejay_gate.emulator.scenario import (
    FaultDef,
    MetricDef,
    Scenario,
    ScenarioError,
    SimulationDef,
    WebhookFaultDef,
)
from bluejay_gate.emulator.store import Store
from bluejay_gate.emulator.webhooks import Delivery, WebhookSender


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
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._webhooks: WebhookSender | None = None
        if self.scenario.webhook:
            hook = self.scenario.webhook
            self.set_webhook(hook.url, hook.secret, faults=hook.faults)

    def __repr__(self) -> str:
        return f"Emulator(base_url={self.base_url!r}, auth={'on' if self._api_key else 'off'})"

    # ---- lifecycle ----------------------------------------------------------------
    def start(self) -> Emulator:
        server = EmulatorHTTPServer((self._host, self._port), RequestHandler)
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

    def set_webhook(
        self,
        url: str,
        secret: str,
        *,
        faults: WebhookFaultDef | dict[str, Any] | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        """Post webhook events of every run (the gate's too) to ``url``, signed with
        ``secret``; ``faults``: loss, duplicate, delay (``WebhookFaultDef``); ``verify``:
        how an https ``url`` is trusted (a context with the receiver's CA)."""
        if self._webhooks:
            self._webhooks.stop()
        if isinstance(faults, dict):
            faults = WebhookFaultDef.model_validate(faults)
        self._webhooks = WebhookSender(self.state, url, secret, faults=faults, verify=verify)
        if self._server is not None:
            self._webhooks.start()

    def deliver_webhooks(self) -> int:
        """Send due webhook events now (tests with a ManualClock need not wait)."""
        return self._webhooks.deliver_due() if self._webhooks else 0

    @property
    def webhook_deliveries(self) -> list[Delivery]:
        return list(self._webhooks.deliveries) if self._webhooks else []

    # ---- serving ------------------------------------------------------------------
    def track_connection(self, conn: socket.socket, *, add: bool) -> None:
        with self._records_lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def serve(self, h: RequestHandler) -> None:
        started = time.perf_counter()
        received = self.clock()
        parts = urlsplit(h.path)
        path = parts.path.rstrip("/") or "/"
        query = {k: v[0] if len(v) == 1 else v for k, v in parse_qs(parts.query).items()}
        method = h.command
        raw = h.read_body()
        try:
            body_json = json.loads(raw) if raw.strip() else None
        except ValueError:
            body_json = raw.decode("utf-8", "replace")
        fault = self._faults.choose(method, path)
        if fault and fault.kind == "slow" and fault.when == "before":
            time.sleep(fault.delay)
        reply: Reply | None = None
        if fault is None or fault.kind == "slow" or fault.when == "after":
            reply = dispatch(
                self.state,
                api_key=self._api_key,
                method=method,
                path=path,
                query=query,
                raw=raw,
                key=h.headers.get("X-API-Key"),
            )
        # On record before the answer is written: a client that has its answer (the gate
        # exiting, a test reading ``requests``) always finds its request logged.
        status = reply_status(reply, fault)
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
        sent = send_reply(h, reply, fault)
        assert sent == status, (sent, status)
        if self._log is not None:
            line = request_line(
                h.client_address[0],
                method=method,
                path=path,
                query=query,
                status=status,
                fault=fault,
                ms=(time.perf_counter() - started) * 1000,
            )
            print(line, file=self._log, flush=True)
