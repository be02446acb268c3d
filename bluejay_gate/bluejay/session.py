"""The client's connection to Bluejay and one attempt of a request: the API key and where
it may go, the shared state of every thread (request count, 429 holds, the cancel), and
sending one request and reading its answer within its timeout and size caps. It never
retries (``calls`` does) and knows no endpoint's JSON (the endpoint families do).

Every request carries ``X-API-Key``, ``Accept: application/json`` and
``User-Agent: bluejay-gate/<version>``. ``deadline`` (settable; the gate's budget)
shortens each attempt's timeout near it (never below 5 s) so a hanging request cannot
hold the gate long past its budget. A 429 on an endpoint holds every later attempt to it,
from any thread, until its ``Retry-After`` (else the first backoff) has passed.

The API key is only ever placed in the ``X-API-Key`` header of a request. It is not a
default header of the underlying ``httpx.Client``, ``repr(client)`` does not show it,
errors are raised without chaining the httpx exceptions (which hold the request), and
any body text echoed into a message is scrubbed of the key and cut to 200 characters.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

import httpx

from bluejay_gate import __version__
from bluejay_gate.bluejay.address import DEFAULT_BASE_URL
from bluejay_gate.bluejay.failures import Failure, FailureReader
from bluejay_gate.bluejay.limits import ERROR_BODY_BYTES, MAX_BODY_BYTES
from bluejay_gate.bluejay.retry import RetryPolicy
from bluejay_gate.bluejay.transport import (
    Secret,
    scrub_answer,
    ssl_verify,
    validate_base_url,
)
from bluejay_gate.errors import UsageError

MIN_ATTEMPT_TIMEOUT = 5.0
# After ``interrupt`` (cancel), each attempt gets at most this long: clean-up and the
# reports must be done within 5 s of the signal.
CLEANUP_ATTEMPT_TIMEOUT = 2.5


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Reply:
    """A 2xx answer, its body read in full (and at most ``MAX_BODY_BYTES``)."""

    status: int
    content_type: str
    body: bytes


class Session:
    """The connection, the shared state of every thread, and one attempt of a request."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen dataclass, safe default
        sleep: Callable[[float], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
        deadline: float | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        key = (api_key or "").strip()
        if not key:
            raise UsageError("BLUEJAY_API_KEY is empty: set it to an API key from Bluejay")
        if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
            raise UsageError(
                "BLUEJAY_API_KEY contains spaces, control or non-ASCII characters and "
                "cannot be sent in a header: copy the key again"
            )
        self._key = Secret(key)
        self.base_url = validate_base_url(base_url)
        self.retry = retry
        self.deadline = deadline
        self._sleep = sleep
        self._monotonic = monotonic
        self._now = now
        self._log_sink = log
        self._timeout = timeout
        self._lock = threading.Lock()
        # Set by ``interrupt``: every wait between attempts started before it ends at once.
        self._wake = threading.Event()
        self._interrupted = False
        # A 429 on an endpoint holds every later attempt to it, from any thread, until then.
        self._holds: dict[str, float] = {}
        self._request_count = 0
        # One lock per simulation for ``queueing`` (queue calls of one simulation in turn).
        self._queue_locks: dict[str, threading.Lock] = {}
        self._rng = random.Random()
        self._failures = FailureReader(secret=key, host="", timeout=timeout, now=now)
        self._http = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout),
            verify=ssl_verify() if transport is None else True,
            follow_redirects=False,
            headers={
                "Accept": "application/json",
                "User-Agent": f"bluejay-gate/{__version__}",
            },
        )
        self._failures.host = self._http.base_url.host

    def __repr__(self) -> str:
        return f"BluejayClient(base_url={self.base_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def interrupt(self) -> None:
        """Cancel (from a signal handler or another thread): every retry backoff or 429
        hold under way ends at once and its call gives up without another attempt.
        Calls made afterwards (the clean-up) still go out, with attempts of at most
        ``CLEANUP_ATTEMPT_TIMEOUT`` seconds, retried only within the deadline."""
        with self._lock:
            woken, self._wake = self._wake, threading.Event()
            self._interrupted = True
        woken.set()

    @property
    def interrupted(self) -> bool:
        return self._interrupted

    def _pause(self, delay: float, wake: threading.Event) -> bool:
        """Wait ``delay`` seconds before the next attempt; True when ``interrupt`` came."""
        if self._sleep is None:
            return wake.wait(delay)
        self._sleep(delay)
        return wake.is_set()

    @property
    def request_count(self) -> int:
        """HTTP attempts sent so far (retries and reconciliation look-ups included)."""
        with self._lock:
            return self._request_count

    def _log(self, line: str) -> None:
        if self._log_sink is not None:
            self._log_sink(self._scrub(line))

    def _scrub(self, text: str) -> str:
        return self._failures.scrub(text)

    def _excerpt(self, text: str) -> str:
        return self._failures.excerpt(text)

    def _rand(self) -> float:
        with self._lock:
            return self._rng.random()

    # -- 429 holds ----------------------------------------------------------------------

    def _wait_for_hold(self, route: str, waited_until: float) -> None:
        """Before an attempt: wait out a 429 another call of this endpoint met (bounded
        by the deadline, cut short by ``interrupt``); not again for the call that met it
        and has just waited (``waited_until``)."""
        with self._lock:
            until = self._holds.get(route, 0.0)
        if self.deadline is not None:
            until = min(until, self.deadline)
        now = self._monotonic()
        if until > now and until > waited_until:
            self._pause(until - now, self._wake)

    def _hold(self, failure: Failure, delay: float | None) -> float:
        """After a 429: every attempt to that endpoint waits until the returned time, the
        retry's own ``delay`` (else ``Retry-After``, else the first backoff, capped)."""
        if delay is None:
            wait = failure.retry_after
            delay = min(self.retry.backoff(1) if wait is None else wait, self.retry.max_delay)
        until = self._monotonic() + delay
        if failure.status == 429:
            route = _route(*failure.endpoint.split(" ", 1))
            with self._lock:
                self._holds[route] = max(self._holds.get(route, 0.0), until)
        return until

    # -- one attempt --------------------------------------------------------------------

    def _attempt(
        self,
        method: str,
        path: str,
        body: Any,
        what: tuple[str, str] | None,
        waited_until: float = 0.0,
    ) -> Reply | Failure:
        self._wait_for_hold(_route(method, path), waited_until)
        return self._send(method, path, body, what)

    def _send(
        self, method: str, path: str, body: Any, what: tuple[str, str] | None
    ) -> Reply | Failure:
        endpoint = f"{method} {path}"
        with self._lock:
            self._request_count += 1
        headers = {"X-API-Key": self._key.reveal()}
        timeout = self._attempt_timeout()
        expires = self._monotonic() + timeout  # for the whole answer, not each read
        try:
            with self._http.stream(
                method, path, json=body, headers=headers, timeout=timeout
            ) as response:
                status = response.status_code
                ctype = response.headers.get("content-type", "").split(";")[0].strip()
                success = 200 <= status < 300
                limit = MAX_BODY_BYTES if success else ERROR_BODY_BYTES
                declared = response.headers.get("content-length", "")
                if success and declared.isdigit() and int(declared) > limit:
                    return self._failures.too_big(endpoint, status, int(declared))
                chunks = _until(response.iter_bytes(), expires, self._monotonic, timeout)
                data, over = _read_capped(chunks, limit)
                if over and success:
                    return self._failures.too_big(endpoint, status, None)
                if success:
                    return Reply(status, ctype, scrub_answer(data, headers["X-API-Key"]))
                return self._failures.status(endpoint, status, response.headers, data, what)
        except httpx.HTTPError as exc:
            return self._failures.transport(endpoint, exc, timeout)

    def _attempt_timeout(self) -> float:
        """The configured timeout, shortened near the deadline (to no less than
        ``MIN_ATTEMPT_TIMEOUT``) so a hanging request cannot hold the gate far past it."""
        deadline = self.deadline
        limit, floor = self._timeout, MIN_ATTEMPT_TIMEOUT
        if self._interrupted:  # cancelled: clean-up calls must not hang
            limit = floor = min(self._timeout, CLEANUP_ATTEMPT_TIMEOUT)
        if deadline is None:
            return limit
        left = deadline - self._monotonic()
        return min(limit, max(left, floor))


def _route(method: str, path: str) -> str:
    """``GET /v1/retrieve-simulation-results/77`` -> ``GET /v1/retrieve-simulation-results``:
    the endpoint, whatever ids follow (rate limits are per endpoint)."""
    parts = path.split("?", 1)[0].split("/")
    return f"{method} {'/'.join(parts[:3])}"


def _until(
    chunks: Iterator[bytes], expires: float, monotonic: Callable[[], float], timeout: float
) -> Iterator[bytes]:
    """The chunks, until ``expires``: a body that trickles in (each read well inside the
    read timeout) cannot hold an attempt past its timeout."""
    for chunk in chunks:
        if monotonic() > expires:
            raise httpx.ReadTimeout(f"the answer was still arriving after {timeout:g} s")
        yield chunk


def _read_capped(chunks: Iterator[bytes], limit: int) -> tuple[bytes, bool]:
    """Read at most ``limit`` bytes; the flag says whether there was more."""
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        if size + len(chunk) > limit:
            parts.append(chunk[: limit - size])
            return b"".join(parts), True
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts), False
