"""Retry policy, Retry-After parsing, the retry budget and failure classification."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from bluejay_gate.bluejay.failures import FailureReader
from bluejay_gate.bluejay.limits import EXCERPT_CHARS
from bluejay_gate.bluejay.retry import RetryBudget, RetryPolicy, parse_retry_after
from bluejay_gate.errors import (
    AuthError,
    NotFoundError,
    RequestRejected,
    ResponseError,
    ServerError,
    TransportError,
)

NOW = datetime(2026, 4, 1, 12, 0, 0, tzinfo=UTC)
KEY = "sk-canary-RETRY-0123456789"


class FakeClock:
    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def reader() -> FailureReader:
    return FailureReader(secret=KEY, host="api.example.test", timeout=30.0, now=lambda: NOW)


def test_backoff_doubles_and_caps_without_jitter() -> None:
    """Delays double from base_delay and stop at max_delay when jitter is off."""
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0, jitter=0.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_backoff_jitter_only_shortens() -> None:
    """Jitter removes up to its share of the delay and never lengthens it."""
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=0.5)
    assert policy.backoff(2, rand=0.0) == 2.0
    assert policy.backoff(2, rand=0.999) == pytest.approx(1.001)
    assert policy.backoff(200, rand=0.0) == 10.0


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"base_delay": -1}, "base_delay"),
        ({"max_total": float("inf")}, "max_total"),
        ({"jitter": 1.5}, "jitter"),
    ],
)
def test_policy_rejects_nonsense(kwargs: dict[str, float], needle: str) -> None:
    """An impossible policy is refused with the offending field named."""
    with pytest.raises(ValueError, match=needle):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("7", 7.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        ("soon", None),
        ("nan", None),
        ("Wed, 01 Apr 2026 12:00:30 GMT", 30.0),
        ("Wed, 01 Apr 2026 11:59:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    """Retry-After is read as delta-seconds or an HTTP date relative to now."""
    assert parse_retry_after(header, NOW) == expected


def test_budget_stops_at_max_attempts() -> None:
    """After max_attempts attempts no further delay is offered."""
    clock = FakeClock()
    budget = RetryBudget(RetryPolicy(max_attempts=3, jitter=0.0), clock)
    delays = []
    for _ in range(3):
        budget.attempt_started()
        delays.append(budget.next_delay())
    assert delays == [0.5, 1.0, None]
    assert budget.gave_up_because == "after 3 attempts"


def test_budget_respects_deadline() -> None:
    """A delay that would end at or past the deadline is refused and explained."""
    clock = FakeClock(100.0)
    budget = RetryBudget(RetryPolicy(jitter=0.0), clock, deadline=101.0)
    budget.attempt_started()
    assert budget.next_delay() == 0.5
    budget.attempt_started()
    assert budget.next_delay() is None
    assert "time budget" in budget.gave_up_because


def test_budget_respects_max_total() -> None:
    """Elapsed time plus the next delay may not exceed max_total."""
    clock = FakeClock(0.0)
    budget = RetryBudget(RetryPolicy(max_total=5.0, jitter=0.0), clock)
    budget.attempt_started()
    clock.now = 4.5
    assert budget.next_delay() == 0.5
    clock.now = 4.6
    assert budget.next_delay() is None
    assert "retry budget 5 s" in budget.gave_up_because


def test_budget_caps_retry_after_at_max_delay() -> None:
    """A long Retry-After is capped at max_delay."""
    budget = RetryBudget(RetryPolicy(max_delay=4.0), FakeClock())
    budget.attempt_started()
    assert budget.next_delay(retry_after=60.0) == 4.0


def test_budget_retry_after_past_deadline_gives_up() -> None:
    """A Retry-After that ends past the deadline means giving up, not retrying early."""
    budget = RetryBudget(RetryPolicy(max_delay=30.0), FakeClock(0.0), deadline=10.0)
    budget.attempt_started()
    assert budget.next_delay(retry_after=20.0) is None


def test_status_classification() -> None:
    """Each status maps to its error type, retryability and reach."""
    r = reader()
    cases = {
        401: (AuthError, False, True),
        403: (AuthError, False, True),
        404: (NotFoundError, False, True),
        422: (RequestRejected, False, True),
        409: (RequestRejected, False, True),
        429: (RequestRejected, True, True),  # a proxy may answer it after handling
        500: (ServerError, True, True),
        502: (ServerError, True, True),
        503: (ServerError, True, True),
        504: (ServerError, True, True),
        501: (ServerError, False, True),
        302: (ResponseError, False, True),
    }
    for status, (kind, transient, reached) in cases.items():
        failure = r.status("GET /v1/ping", status, {}, b"")
        assert (failure.error_type, failure.transient, failure.reached) == (
            kind,
            transient,
            reached,
        ), status


def test_status_429_reads_retry_after() -> None:
    """A 429's Retry-After becomes the failure's retry_after."""
    failure = reader().status("GET /v1/ping", 429, {"retry-after": "4"}, b"")
    assert failure.retry_after == 4.0
    assert "rate limited (429 Too Many Requests)" in failure.message


def test_transport_classification() -> None:
    """Connect errors are surely-not-sent; read timeouts and drops are ambiguous."""
    request = httpx.Request("POST", "https://api.example.test/v1/queue-simulation-run")
    r = reader()
    connect = r.transport("POST /x", httpx.ConnectError("refused", request=request))
    assert (connect.transient, connect.reached) == (True, False)
    timeout = r.transport("POST /x", httpx.ReadTimeout("slow", request=request))
    assert (timeout.transient, timeout.reached) == (True, True)
    assert "no answer within 30 s" in timeout.message
    drop = r.transport("POST /x", httpx.RemoteProtocolError("gone", request=request))
    assert (drop.transient, drop.reached, drop.summary) == (
        True,
        True,
        "dropped connection (RemoteProtocolError)",
    )
    bad = r.transport("POST /x", httpx.UnsupportedProtocol("ftp?", request=request))
    assert bad.transient is False
    assert bad.error_type is TransportError


def test_certificate_error_is_not_retried() -> None:
    """A TLS verification failure is permanent and points at SSL_CERT_FILE."""
    request = httpx.Request("GET", "https://api.example.test/v1/ping")
    exc = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] self-signed", request=request)
    failure = reader().transport("GET /v1/ping", exc)
    assert failure.transient is False
    assert "SSL_CERT_FILE" in failure.message


def test_excerpt_scrubs_key_and_truncates() -> None:
    """Echoed text loses the key, collapses whitespace and stays short."""
    text = f"bad key {KEY}\n\n" + "x" * 1000
    out = reader().excerpt(text)
    assert KEY not in out
    assert out.startswith("bad key *** xxx")
    assert len(out) == EXCERPT_CHARS


def test_422_lists_fields_and_missing_key_header() -> None:
    """A FastAPI 422 names each field and why; a missing X-API-Key points at the variable."""
    body = (
        b'{"detail": [{"loc": ["body", "simulation_id"], "msg": "Input should be a valid '
        b'string", "type": "string_type"}, {"loc": ["header", "X-API-Key"], "msg": "Field '
        b'required", "type": "missing"}]}'
    )
    failure = reader().status("POST /v1/queue-simulation-run", 422, {}, body)
    assert failure.message == (
        "request rejected (422): body.simulation_id: Input should be a valid string; "
        "the X-API-Key header is missing: set BLUEJAY_API_KEY"
    )
