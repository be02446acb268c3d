"""BluejayClient over real loopback HTTP against a scripted server that misbehaves on cue."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.retry import RetryPolicy
from bluejay_gate.errors import AuthError, RequestRejected, ResponseError, TransportError

KEY = "sk-canary-LOOPBACK-0123456789"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Act:
    """One scripted answer. kind: json | raw | drop | slow | huge | echo-key."""

    kind: str
    status: int = 200
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    size: int = 0


class ScriptedServer:
    """A stdlib HTTP server answering each request with the next scripted ``Act``."""

    def __init__(self) -> None:
        self.acts: list[Act] = []
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                with owner.lock:
                    owner.seen.append(
                        Seen(
                            self.command,
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            json.loads(raw) if raw else None,
                        )
                    )
                    act = owner.acts.pop(0) if owner.acts else Act("json", 599)
                owner.perform(self, act)

            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def do_PUT(self) -> None:
                self._handle()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def perform(self, handler: BaseHTTPRequestHandler, act: Act) -> None:
        if act.kind == "drop":
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if act.kind == "slow":
            time.sleep(act.delay)
        if act.kind == "huge":
            self._huge(handler, act)
            return
        if act.kind == "echo-key":
            body = json.dumps(
                {"detail": f"key {handler.headers.get('X-API-Key')} unknown"}
            ).encode()
            content_type = "application/json"
        elif act.kind == "raw":
            body = act.payload
            content_type = act.headers.get("content-type", "text/html")
        else:
            body = json.dumps(act.payload).encode()
            content_type = "application/json"
        handler.send_response(act.status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in act.headers.items():
            if name.lower() != "content-type":
                handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    @staticmethod
    def _huge(handler: BaseHTTPRequestHandler, act: Act) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if act.headers.get("declare"):
            handler.send_header("Content-Length", str(act.size))
        else:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b"[" + b"0," * (512 * 1024)
        sent = 0
        try:
            while sent < act.size:
                if act.headers.get("declare"):
                    handler.wfile.write(chunk)
                else:
                    handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
        except OSError:
            return  # the client hung up, as it should
        handler.close_connection = True


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    scripted.thread.start()
    yield scripted
    scripted.server.shutdown()
    scripted.server.server_close()


def client(
    url: str, sleeps: list[float], logs: list[str] | None = None, **kwargs: Any
) -> BluejayClient:
    return BluejayClient(
        KEY,
        url,
        retry=RetryPolicy(jitter=0.0),
        sleep=sleeps.append,
        log=logs.append if logs is not None else None,
        **kwargs,
    )


def test_fault_sequence_then_success(server: ScriptedServer) -> None:
    """503, a dropped connection and a 429 with Retry-After, then 200: four real requests."""
    server.acts = [
        Act("json", 503, {"detail": "busy"}),
        Act("drop"),
        Act("json", 429, {"detail": "slow down"}, {"Retry-After": "2"}),
        Act("json", 200, [{"id": 1, "name": "Bot"}]),
    ]
    sleeps: list[float] = []
    logs: list[str] = []
    with client(server.url, sleeps, logs) as c:
        agents = c.list_agents()
        assert c.request_count == 4
    assert [a.id for a in agents] == ["1"]
    assert sleeps == [0.5, 1.0, 2.0]
    assert [line.split(";")[0] for line in logs] == [
        "GET /v1/all-agents: 503 Service Unavailable",
        "GET /v1/all-agents: dropped connection (RemoteProtocolError)",
        "GET /v1/all-agents: 429 Too Many Requests",
    ]
    for seen in server.seen:
        assert seen.headers["x-api-key"] == KEY
        assert seen.headers["accept"] == "application/json"
        assert seen.headers["user-agent"].startswith("bluejay-gate/")


def test_slow_answer_times_out_and_is_retried(server: ScriptedServer) -> None:
    """An answer slower than the timeout is a read timeout, retried for a GET."""
    server.acts = [Act("slow", 200, {}, delay=0.4), Act("json", 200, {"message": "pong"})]
    sleeps: list[float] = []
    logs: list[str] = []
    with client(server.url, sleeps, logs, timeout=0.15) as c:
        c.ping()
    assert len(server.seen) == 2
    assert logs[0].startswith("GET /v1/ping: read timeout; retrying in 0.5 s")


def test_html_with_200_is_response_error(server: ScriptedServer) -> None:
    """A 200 login page is a ResponseError naming type and size, without a retry."""
    page = b"<!doctype html><title>Sign in</title>" + b" " * 1200
    server.acts = [Act("raw", 200, page, {"content-type": "text/html; charset=utf-8"})]
    with client(server.url, []) as c, pytest.raises(ResponseError) as info:
        c.get_simulation("4821")
    assert f"not JSON (text/html, {len(page)} bytes)" in str(info.value)
    assert len(server.seen) == 1


def test_validation_error_names_field(server: ScriptedServer) -> None:
    """A FastAPI 422 comes back as RequestRejected naming the field and reason."""
    detail = [
        {
            "loc": ["body", "test_result_ids", 0],
            "msg": "Input should be a valid integer",
            "type": "int_parsing",
        }
    ]
    server.acts = [Act("json", 422, {"detail": detail})]
    with client(server.url, []) as c, pytest.raises(RequestRejected) as info:
        c.end_conversations(["5"])
    assert str(info.value) == (
        "POST /v1/end-conversations: request rejected (422): "
        "body.test_result_ids.0: Input should be a valid integer"
    )
    assert server.seen[0].body == {"test_result_ids": [5]}


def test_echoed_key_is_scrubbed(server: ScriptedServer) -> None:
    """A server that echoes the key in its 401 body does not get it into the message."""
    server.acts = [Act("echo-key", 401)]
    with client(server.url, []) as c, pytest.raises(AuthError) as info:
        c.ping()
    assert KEY not in str(info.value)
    assert (
        str(info.value)
        == "GET /v1/ping: API key rejected (401): check BLUEJAY_API_KEY: key *** unknown"
    )


@pytest.mark.parametrize("declare", [True, False])
def test_oversized_body_is_refused(server: ScriptedServer, declare: bool) -> None:
    """A body over 20 MB, declared or chunked, is refused without reading it all."""
    server.acts = [Act("huge", size=64 * 1024 * 1024, headers={"declare": "1"} if declare else {})]
    start = time.monotonic()
    with client(server.url, []) as c, pytest.raises(ResponseError, match="body over 20 MB"):
        c.list_agents()
    assert time.monotonic() - start < 3.0


def test_queue_drop_after_creation_adopts(server: ScriptedServer) -> None:
    """Queue answer dropped: the run that appeared is adopted, the POST is sent once."""
    run = {
        "id": 77,
        "experiment_id": 4821,
        "created_at": "2026-04-01T12:00:00Z",
        "status": "INITIALIZING",
    }
    old = {**run, "id": 70, "status": "COMPLETED"}
    server.acts = [
        Act("json", 200, {"simulation_runs": [old]}),
        Act("drop"),
        Act("json", 200, {"simulation_runs": [old, run]}),
        Act(
            "json",
            200,
            {
                "simulation_run": {
                    "id": "77",
                    "simulation_id": "4821",
                    "created_at": "2026-04-01T12:00:00Z",
                },
                "simulation_results": [{"id": 901, "digital_human_id": 12}],
            },
        ),
    ]
    logs: list[str] = []
    with client(server.url, [], logs) as c:
        queued = c.queue_run("4821", digital_human_ids=["12"])
    assert (queued.simulation_run_id, queued.simulation_result_ids) == ("77", ["901"])
    assert [(s.method, s.path) for s in server.seen] == [
        ("GET", "/v1/get-simulation-runs/4821"),
        ("POST", "/v1/queue-simulation-run"),
        ("GET", "/v1/get-simulation-runs/4821"),
        ("GET", "/v1/retrieve-simulation-results/77"),
    ]
    assert server.seen[1].body == {"simulation_id": "4821", "digital_human_ids": ["12"]}
    assert logs == [
        "POST /v1/queue-simulation-run: adopted run 77 "
        "after dropped connection (RemoteProtocolError)"
    ]


def test_connection_refused_is_transport_error() -> None:
    """Nothing listening: TransportError after the attempts, naming the host."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    sleeps: list[float] = []
    with client(f"http://127.0.0.1:{port}", sleeps) as c, pytest.raises(TransportError) as info:
        c.ping()
    assert "could not connect to 127.0.0.1" in str(info.value)
    assert "gave up after 6 attempts" in str(info.value)
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]
