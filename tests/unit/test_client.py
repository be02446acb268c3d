"""BluejayClient over httpx.MockTransport: headers, retries, errors, bodies, key hygiene."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bluejay_gate import __version__
from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.retry import RetryPolicy
from bluejay_gate.bluejay.transport import validate_base_url
from bluejay_gate.errors import (
    ApiError,
    AuthError,
    NotFoundError,
    RequestRejected,
    ResponseError,
    ServerError,
    TransportError,
    UsageError,
)
from tests.helpers.mock_api import KEY, Answer, Clock, Script, make, ok


def run_results(run_id: str = "77") -> dict[str, Any]:
    return {
        "simulation_run": {
            "id": run_id,
            "simulation_id": "4821",
            "created_at": "2026-04-01T12:00:00Z",
            "status": "RUNNING",
        },
        "simulation_results": [{"id": 501, "digital_human_id": 12, "status": "QUEUED"}],
    }


# -- base URL --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.getbluejay.ai", "https://api.getbluejay.ai"),
        ("https://api.getbluejay.ai/", "https://api.getbluejay.ai"),
        ("https://api.getbluejay.ai/v1", "https://api.getbluejay.ai"),
        ("https://api.getbluejay.ai/v1/", "https://api.getbluejay.ai"),
        ("https://proxy.example/bluejay/v1", "https://proxy.example/bluejay"),
        ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
        ("http://127.5.6.7:1/v1", "http://127.5.6.7:1"),
        ("http://[::1]:8787/", "http://[::1]:8787"),
        ("http://LOCALHOST:8787", "http://LOCALHOST:8787"),
    ],
)
def test_validate_base_url_accepts(url: str, expected: str) -> None:
    """https anywhere and http on loopback are accepted and normalised."""
    assert validate_base_url(url) == expected


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://api.getbluejay.ai", "plain http://"),
        ("http://10.0.0.1:8787", "plain http://"),
        ("http://localhost.evil.com", "plain http://"),
        ("ftp://api.getbluejay.ai", "not an http(s) URL"),
        ("api.getbluejay.ai", "not an http(s) URL"),
        ("https://user:pw@api.getbluejay.ai", "credentials"),
        ("https://api.getbluejay.ai/?x=1", "query"),
        ("https://api.getbluejay.ai:99999", "not a valid URL"),
    ],
)
def test_validate_base_url_refuses(url: str, needle: str) -> None:
    """Remote http, other schemes, credentials and queries are usage errors."""
    with pytest.raises(UsageError, match="BLUEJAY_BASE_URL") as info:
        validate_base_url(url)
    assert needle in str(info.value)


def test_empty_or_unsendable_key_is_usage_error() -> None:
    """An empty key or one that cannot be a header value fails before any request."""
    with pytest.raises(UsageError, match="BLUEJAY_API_KEY is empty"):
        BluejayClient("  ", transport=httpx.MockTransport(Script()))
    with pytest.raises(UsageError, match="copy the key again") as info:
        BluejayClient("sk-ab cd", transport=httpx.MockTransport(Script()))
    assert "sk-ab" not in str(info.value)


def test_ssl_cert_file_missing_is_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A SSL_CERT_FILE that cannot be loaded is named in a usage error."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "nope.pem"))
    with pytest.raises(UsageError, match=r"SSL_CERT_FILE=.*nope\.pem: cannot load CA"):
        BluejayClient(KEY)


def test_ssl_cert_file_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """A loadable SSL_CERT_FILE is accepted (verification stays on)."""
    import certifi

    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    with BluejayClient(KEY) as client:
        assert client.base_url == "https://api.getbluejay.ai"


# -- headers and bodies ------------------------------------------------------------------


def test_every_request_sends_key_accept_and_user_agent() -> None:
    """X-API-Key, Accept and User-Agent are on every request, retries included."""
    script = Script(httpx.Response(503), ok({"message": "pong"}))
    with make(script) as client:
        client.ping()
    assert len(script.requests) == 2
    for request in script.requests:
        assert request.headers["x-api-key"] == KEY
        assert request.headers["accept"] == "application/json"
        assert request.headers["user-agent"] == f"bluejay-gate/{__version__}"
        assert request.url.path == "/v1/ping"


def test_queue_body_types_and_omitted_none() -> None:
    """The queue body has simulation_id and digital_human_ids as strings, no None fields."""
    script = Script(
        ok({"simulation_runs": []}),
        ok({"simulation_run_id": "77", "simulation_result_ids": ["1"], "agent_id": "3"}),
    )
    with make(script) as client:
        queued = client.queue_run(
            "4821",
            digital_human_ids=[12, "13"],  # type: ignore[list-item]
            runs_per_digital_human=2,
            extra={"phone_number": None, "sip_uri": "sip:bot@example.test"},
        )
    assert queued.simulation_run_id == "77"
    assert script.bodies()[1] == {
        "simulation_id": "4821",
        "digital_human_ids": ["12", "13"],
        "runs_per_digital_human": 2,
        "sip_uri": "sip:bot@example.test",
    }


def test_undocumented_fields_are_not_sent() -> None:
    """A field the document does not list is refused locally, naming it."""
    script = Script()
    with make(script) as client:
        with pytest.raises(RequestRejected, match="not sent: description is not") as info:
            client.add_agent(
                {
                    "name": "B",
                    "system_prompt": "p",
                    "knowledge_base": "k",
                    "goals": [],
                    "description": "x",
                }
            )
        with pytest.raises(RequestRejected, match="bogus"):
            client.queue_run("1", extra={"bogus": 1})
        with pytest.raises(RequestRejected, match="whole number >= 1"):
            client.queue_run("1", runs_per_digital_human=0)
    assert info.value.endpoint == "POST /v1/add-agent"
    assert script.requests == []


def test_add_agent_requires_documented_fields() -> None:
    """AgentRequest's required fields missing: refused before sending."""
    script = Script()
    with make(script) as client, pytest.raises(RequestRejected) as info:
        client.add_agent({"name": "Bot", "goals": ["g"]})
    assert "needs knowledge_base, system_prompt" in str(info.value)
    assert script.requests == []


def test_update_agent_sends_agent_id_as_string() -> None:
    """update-agent carries agent_id as a string plus the changed fields."""
    script = Script(ok({"agent": {"agent_id": "5"}}))
    with make(script) as client:
        client.update_agent(5, {"name": "New", "phone_number": None})  # type: ignore[arg-type]
    request = script.requests[0]
    assert (request.method, request.url.path) == ("POST", "/v1/update-agent")
    assert script.bodies() == [{"agent_id": "5", "name": "New"}]


def test_update_by_external_id_is_put() -> None:
    """update-agent-by-external-id is a PUT with external_agent_id in the body."""
    script = Script(ok({"agent": {}}))
    with make(script) as client:
        client.update_agent_by_external_id("support-bot", {"goals": ["a"]})
    assert script.requests[0].method == "PUT"
    assert script.bodies() == [{"external_agent_id": "support-bot", "goals": ["a"]}]


def test_end_conversations_sends_integers_and_skips_empty() -> None:
    """end-conversations sends integer ids; an empty list sends nothing."""
    script = Script(
        ok({"success": True, "ended_count": 2, "test_result_ids": [1, 2], "message": ""})
    )
    with make(script) as client:
        client.end_conversations([])
        client.end_conversations(["1", "2"])
        with pytest.raises(RequestRejected, match="is not a whole number"):
            client.end_conversations(["abc"])
    assert script.bodies() == [{"test_result_ids": [1, 2]}]


def test_end_conversations_logs_partial_failure() -> None:
    """Ids Bluejay could not end are logged, not raised."""
    logs: list[str] = []
    script = Script(
        ok(
            {
                "success": False,
                "ended_count": 1,
                "test_result_ids": [1],
                "failed_ids": [2],
                "message": "x",
            }
        )
    )
    with make(script, logs=logs) as client:
        client.end_conversations(["1", "2"])
    assert logs == [
        "POST /v1/end-conversations: Bluejay could not end every conversation (failed: 2); x"
    ]


def test_path_ids_are_encoded_and_integer_paths_checked() -> None:
    """External ids are percent-encoded; integer path ids are validated locally."""
    script = Script(httpx.Response(404, json={"detail": "Agent not found"}))
    with make(script) as client:
        assert client.find_agent_by_external_id("team/bot 1") is None
        with pytest.raises(RequestRejected, match="agent id 'abc' is not a whole number"):
            client.get_agent("abc")
        with pytest.raises(RequestRejected, match="simulation id"):
            client.get_simulation("12a")
    assert script.requests[0].url.raw_path == b"/v1/agent-by-external-id/team%2Fbot%201"
    assert len(script.requests) == 1


# -- parsing ------------------------------------------------------------------------------


def test_models_parse_each_endpoint() -> None:
    """Each read endpoint returns its model with string ids."""
    script = Script(
        ok(
            {
                "id": 5,
                "name": "Bot",
                "agent_description": "",
                "knowledge_base": "",
                "organization_id": "o",
                "mode": "VOICE",
            }
        ),
        ok([{"id": 5, "name": "Bot"}, {"id": "6", "name": "Other"}]),
        ok({"id": 4821, "agent_id": 5, "name": "Billing", "type": "VOICE"}),
        ok({"simulations": [{"id": 4821, "name": "Billing", "created_at": "2026-04-01T00:00:00"}]}),
        ok(
            {
                "simulation_runs": [
                    {
                        "id": 77,
                        "experiment_id": 4821,
                        "created_at": "2026-04-01T00:00:00",
                        "status": "COMPLETED",
                    }
                ]
            }
        ),
        ok(run_results()),
        ok({"simulation_result": {"id": 501, "digital_human_id": 12, "status": "COMPLETED"}}),
    )
    with make(script) as client:
        assert client.get_agent("5").name == "Bot"
        assert [a.id for a in client.list_agents()] == ["5", "6"]
        assert client.get_simulation("4821").agent_id == "5"
        assert [s.id for s in client.list_agent_simulations("5")] == ["4821"]
        assert [(r.id, r.sim_id) for r in client.list_runs("4821")] == [("77", "4821")]
        assert [r.id for r in client.get_run_results("77").results] == ["501"]
        assert client.get_result("501").digital_human_id == "12"
    assert [r.url.path for r in script.requests] == [
        "/v1/agents/5",
        "/v1/all-agents",
        "/v1/simulation/4821",
        "/v1/get-simulations-by-agent/5",
        "/v1/get-simulation-runs/4821",
        "/v1/retrieve-simulation-results/77",
        "/v1/retrieve-simulation-result/501",
    ]


def test_html_page_with_200_is_response_error() -> None:
    """A 200 HTML page says it is not JSON, with type and size, and is not retried."""
    page = "<html>" + "Sign in " * 300 + "</html>"
    script = Script(
        httpx.Response(200, text=page, headers={"content-type": "text/html; charset=utf-8"})
    )
    with make(script) as client, pytest.raises(ResponseError) as info:
        client.get_run_results("77")
    message = str(info.value)
    assert message.startswith(
        "GET /v1/retrieve-simulation-results/77: returned a body that is not JSON "
        f"(text/html, {len(page)} bytes): <html>Sign in"
    )
    assert len(message) < 450
    assert len(script.requests) == 1


def test_wrong_shape_names_field_paths() -> None:
    """A JSON body of the wrong shape lists field paths, not a dump."""
    script = Script(
        ok({"simulation_run": {"simulation_id": "1"}, "simulation_results": [{"id": None}] * 50})
    )
    with make(script) as client, pytest.raises(ResponseError) as info:
        client.get_run_results("77")
    message = str(info.value)
    assert "without the documented RunResults shape: simulation_run.id: Field required" in message
    assert "simulation_results.0.id" in message
    assert "; and " in message
    assert " more" in message
    assert len(message) < 800


def test_declared_oversized_body_is_refused_unread() -> None:
    """A Content-Length over 20 MB is refused before reading anything."""
    consumed: list[int] = []

    def stream() -> Iterator[bytes]:
        for i in range(30):
            consumed.append(i)
            yield b"x" * (1024 * 1024)

    script = Script(
        httpx.Response(200, content=stream(), headers={"content-length": str(30 * 1024 * 1024)})
    )
    with make(script) as client, pytest.raises(ResponseError, match="body over 20 MB"):
        client.get_run_results("77")
    assert consumed == []


def test_streamed_oversized_body_stops_reading() -> None:
    """Without Content-Length the body is read only up to the cap, then refused."""
    consumed: list[int] = []
    chunk = b"x" * (1024 * 1024)

    def stream() -> Iterator[bytes]:
        for i in range(40):
            consumed.append(i)
            yield chunk

    script = Script(httpx.Response(200, content=stream()))
    with make(script) as client, pytest.raises(ResponseError, match="more than that"):
        client.list_agents()
    assert len(consumed) == 21


# -- retries ------------------------------------------------------------------------------


def test_retries_5xx_with_exponential_backoff() -> None:
    """503, 502, 500 then 200: four attempts, delays 0.5, 1, 2, one log line each."""
    logs: list[str] = []
    clock = Clock()
    script = Script(httpx.Response(503), httpx.Response(502), httpx.Response(500), ok({}))
    with make(script, clock=clock, logs=logs) as client:
        client.ping()
        assert client.request_count == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]
    assert logs == [
        "GET /v1/ping: 503 Service Unavailable; retrying in 0.5 s (attempt 2 of 6)",
        "GET /v1/ping: 502 Bad Gateway; retrying in 1.0 s (attempt 3 of 6)",
        "GET /v1/ping: 500 Internal Server Error; retrying in 2.0 s (attempt 4 of 6)",
    ]


def test_429_honours_retry_after_seconds_and_date() -> None:
    """Retry-After as seconds and as an HTTP date set the wait, capped by max_delay."""
    clock = Clock()
    script = Script(
        httpx.Response(429, headers={"retry-after": "3"}),
        httpx.Response(429, headers={"retry-after": "Wed, 01 Apr 2026 12:00:07 GMT"}),
        httpx.Response(429, headers={"retry-after": "3600"}),
        ok([]),
    )
    with make(script, clock=clock) as client:
        assert client.list_agents() == []
    assert clock.sleeps == [3.0, 7.0, 10.0]


def test_gives_up_after_max_attempts_with_server_error() -> None:
    """A persistent 503 becomes ServerError after max_attempts, saying so."""
    script = Script(*[httpx.Response(503, json={"detail": "maintenance"})] * 10)
    with make(script, retry=RetryPolicy(max_attempts=3, jitter=0.0)) as client:
        with pytest.raises(ServerError) as info:
            client.list_runs("4821")
    assert len(script.requests) == 3
    assert info.value.status == 503
    assert str(info.value) == (
        "GET /v1/get-simulation-runs/4821: Bluejay answered 503 Service Unavailable: "
        "maintenance; the service may be having trouble: try again later "
        "(gave up after 3 attempts)"
    )


def test_connect_errors_become_transport_error() -> None:
    """Connection refused every time ends as TransportError naming host and fix."""
    script = Script(*[httpx.ConnectError("[Errno 111] Connection refused")] * 6)
    with make(script) as client, pytest.raises(TransportError) as info:
        client.ping()
    assert len(script.requests) == 6
    assert (
        "could not connect to api.example.test (ConnectError: [Errno 111] Connection refused)"
        in str(info.value)
    )
    assert "gave up after 6 attempts" in str(info.value)


def test_read_timeout_is_retried_for_get() -> None:
    """A read timeout on a GET is retried."""
    script = Script(httpx.ReadTimeout("timed out"), ok(run_results()))
    with make(script) as client:
        assert client.get_run_results("77").simulation_run.id == "77"
    assert len(script.requests) == 2


def test_deadline_stops_retries() -> None:
    """No backoff starts that would pass the deadline; the message says why."""
    clock = Clock()
    script = Script(*[httpx.Response(502)] * 10)
    with make(script, clock=clock, deadline=clock.now + 1.2) as client:
        with pytest.raises(ServerError, match="would pass the gate's time budget"):
            client.ping()
    assert clock.sleeps == [0.5]
    assert len(script.requests) == 2


def test_deadline_is_settable_and_first_attempt_always_goes() -> None:
    """Past the deadline a call still makes its first attempt (clean-up must go out)."""
    clock = Clock()
    script = Script(
        httpx.Response(503),
        ok({"success": True, "ended_count": 1, "test_result_ids": [1], "message": ""}),
    )
    with make(script, clock=clock) as client:
        client.deadline = clock.now - 5
        with pytest.raises(ServerError):
            client.ping()
        client.deadline = None
        client.end_conversations(["1"])
    assert clock.sleeps == []
    assert len(script.requests) == 2


def test_max_total_bounds_retries() -> None:
    """max_total caps the time spent retrying one call."""
    clock = Clock()
    script = Script(*[httpx.Response(504)] * 10)
    policy = RetryPolicy(max_attempts=10, base_delay=1.0, max_total=3.5, jitter=0.0)
    with (
        make(script, clock=clock, retry=policy) as client,
        pytest.raises(ServerError, match=r"retry budget 3\.5 s"),
    ):
        client.ping()
    assert clock.sleeps == [1.0, 2.0]


# -- error mapping ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "kind", "text"),
    [
        (
            401,
            {"detail": "Invalid API key"},
            AuthError,
            "GET /v1/agents/5: API key rejected (401): check BLUEJAY_API_KEY: Invalid API key",
        ),
        (403, {"detail": "no org"}, AuthError, "GET /v1/agents/5: the API key has no organisation"),
        (
            404,
            {"detail": "Agent not found"},
            NotFoundError,
            "GET /v1/agents/5: agent 5 not found (404): check the agent id",
        ),
        (
            422,
            {
                "detail": [
                    {
                        "loc": ["path", "agent_id"],
                        "msg": "Input should be a valid integer",
                        "type": "int_parsing",
                    }
                ]
            },
            RequestRejected,
            "GET /v1/agents/5: request rejected (422): "
            "path.agent_id: Input should be a valid integer",
        ),
        (
            409,
            {"detail": "conflict"},
            RequestRejected,
            "GET /v1/agents/5: request rejected (409 Conflict): conflict",
        ),
        (
            301,
            None,
            ResponseError,
            "GET /v1/agents/5: answered 301 Moved Permanently, "
            "a redirect to https://elsewhere.test/: set --base-url",
        ),
    ],
)
def test_status_errors(status: int, body: Any, kind: type[ApiError], text: str) -> None:
    """4xx and 3xx map to their error types, not retried, message starting with the endpoint."""
    headers = {"location": "https://elsewhere.test/"} if status == 301 else {}
    response = (
        httpx.Response(status, json=body, headers=headers)
        if body
        else httpx.Response(status, headers=headers)
    )
    script = Script(response)
    with make(script) as client, pytest.raises(kind) as info:
        client.get_agent("5")
    assert type(info.value) is kind
    assert str(info.value).startswith(text)
    assert info.value.status == status
    assert len(script.requests) == 1


def test_error_body_echo_is_truncated() -> None:
    """A long error body is cut to about 200 characters in the message."""
    script = Script(httpx.Response(400, text="E" * 5000))
    with make(script) as client, pytest.raises(RequestRejected) as info:
        client.ping()
    assert str(info.value) == "GET /v1/ping: request rejected (400 Bad Request): " + "E" * 199 + "…"


# -- the key never leaks ---------------------------------------------------------------


def _leak_free(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)
    assert KEY not in text
    return text


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(401, json={"detail": f"bad key {KEY}"}),
        httpx.Response(403, text=f"key {KEY} has no org"),
        httpx.Response(404, json={"detail": f"nothing for {KEY}"}),
        httpx.Response(422, json={"detail": [{"loc": ["header", KEY], "msg": KEY, "type": "x"}]}),
        httpx.Response(400, text=KEY),
        httpx.Response(503, text=f"upstream said {KEY}"),
        httpx.Response(429, text=KEY),
        httpx.Response(302, headers={"location": f"https://x.test/?k={KEY}"}),
        httpx.Response(200, text=f"<html>{KEY}</html>"),
        httpx.Response(200, json={"simulation_run": KEY}),
        httpx.ConnectError(f"refused {KEY}"),
        httpx.ReadTimeout(f"slow {KEY}"),
        httpx.RemoteProtocolError(f"dropped {KEY}"),
    ],
)
def test_key_never_in_errors_logs_or_repr(answer: Answer) -> None:
    """Across error paths the key is absent from messages, tracebacks, logs and repr."""
    logs: list[str] = []
    script = Script(*[answer] * 6)
    with make(script, logs=logs, retry=RetryPolicy(max_attempts=2, jitter=0.0)) as client:
        with pytest.raises(ApiError) as info:
            client.get_run_results("77")
        assert KEY not in repr(client)
        assert KEY not in repr(vars(client))
    text = _leak_free(info.value)
    assert "GET /v1/retrieve-simulation-results/77" in text
    assert all(KEY not in line for line in logs)


def test_key_not_in_reconciliation_errors() -> None:
    """A failed queue reconciliation message does not carry the key either."""
    logs: list[str] = []
    script = Script(
        ok({"simulation_runs": []}),
        httpx.Response(503, text=KEY),
        *[httpx.Response(500, text=f"oops {KEY}")] * 6,
    )
    with make(script, logs=logs, retry=RetryPolicy(max_attempts=2, jitter=0.0)) as client:
        with pytest.raises(ServerError) as info:
            client.queue_run("4821")
    text = _leak_free(info.value)
    assert "may exist: check the Bluejay dashboard" in text
    assert all(KEY not in line for line in logs)


# -- threads ----------------------------------------------------------------------------


def test_request_count_is_thread_safe() -> None:
    """Eight threads pinging at once are all counted."""
    script = Script(*[ok({})] * 400)
    with make(script) as client:

        def ping_fifty_times() -> None:
            for _ in range(50):
                client.ping()

        threads = [threading.Thread(target=ping_fifty_times) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert client.request_count == 400
    assert len(script.requests) == 400


def test_persistent_429_is_request_rejected() -> None:
    """Rate limited on every attempt: RequestRejected that says to wait or lower parallelism."""
    script = Script(*[httpx.Response(429, headers={"retry-after": "1"})] * 3)
    with make(script, retry=RetryPolicy(max_attempts=3, jitter=0.0)) as client:
        with pytest.raises(RequestRejected) as info:
            client.list_agents()
    assert info.value.status == 429
    assert str(info.value) == (
        "GET /v1/all-agents: rate limited (429 Too Many Requests); wait and run again, "
        "or lower run.max_parallel (gave up after 3 attempts)"
    )


def test_attempt_timeout_shrinks_near_the_deadline() -> None:
    """Near the deadline an attempt's timeout shrinks, but never below 5 s."""
    clock = Clock()
    seen: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"]["read"])
        return ok({})

    with BluejayClient(
        KEY,
        "https://api.example.test",
        transport=httpx.MockTransport(handler),
        timeout=30.0,
        monotonic=clock.monotonic,
    ) as client:
        client.ping()
        client.deadline = clock.now + 12.0
        client.ping()
        client.deadline = clock.now + 1.0
        client.ping()
    assert seen == [30.0, 12.0, 5.0]


def test_interrupt_wakes_a_retry_wait_and_stops_the_retries() -> None:
    """A call waiting out Retry-After: 30 (real waits, no injected sleep) gives up within
    a second of ``interrupt`` without another attempt; a call made afterwards still goes
    out, and its attempts are short (clean-up must not hang)."""
    script = Script(
        httpx.Response(503, headers={"Retry-After": "30"}, text="busy"),
        ok({"test_result_ids": [5], "success": True}),
    )
    client = BluejayClient(
        KEY,
        "https://api.example.test",
        transport=httpx.MockTransport(script),
        retry=RetryPolicy(max_delay=30.0),
    )
    caught: list[BaseException] = []

    def poll() -> None:
        try:
            client.get_run_results("77")
        except ApiError as exc:
            caught.append(exc)

    worker = threading.Thread(target=poll)
    worker.start()
    threading.Event().wait(0.3)
    assert worker.is_alive()  # waiting out the Retry-After
    client.interrupt()
    worker.join(timeout=1.0)
    assert not worker.is_alive()
    assert len(caught) == 1
    assert isinstance(caught[0], ServerError)
    assert "gave up because the gate was cancelled" in str(caught[0])
    assert len(script.requests) == 1
    client.end_conversations(["5"])
    assert len(script.requests) == 2
    assert script.requests[1].url.path == "/v1/end-conversations"
    assert script.requests[1].extensions["timeout"]["read"] <= 2.5
