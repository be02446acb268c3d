"""Failure classification for the Bluejay client: what went wrong in one attempt, whether
it is worth another attempt and whether the request may have reached Bluejay. How long to
wait and when to stop is ``retry``'s; the loop itself is ``calls``'.

No I/O here (``now`` is injected). ``FailureReader`` turns one failed attempt (an httpx
exception or a non-2xx answer) into a ``Failure``:

=================================  =========  ========================  ===============
failure                            transient  may have reached Bluejay  raised as
=================================  =========  ========================  ===============
connect error / connect timeout    yes        no                        TransportError
429 (Retry-After honoured)         yes        yes (ambiguous) [1]       RequestRejected
read timeout, dropped connection   yes        yes (ambiguous)           TransportError
500 / 502 / 503 / 504              yes        yes (ambiguous)           ServerError
TLS certificate not verified       no         no                        TransportError
401 / 403                          no         -                         AuthError
404                                no         -                         NotFoundError
422 and other 4xx                  no         -                         RequestRejected
3xx, 2xx over 20 MB                no         -                         ResponseError
=================================  =========  ========================  ===============

[1] A rate limiter normally answers 429 before the request is handled, but a proxy or
gateway may answer it after Bluejay handled it; a non-idempotent call (queueing, which
costs money) therefore looks for what it may have created before sending it again.
The look-up is one GET; a duplicate run is paid for.
"""

from __future__ import annotations

import json
import re
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus

import httpx

from bluejay_gate.bluejay.address import DEFAULT_BASE_URL
from bluejay_gate.bluejay.limits import (
    EXCERPT_CHARS,
    MAX_BODY_BYTES,
    MAX_LISTED_PROBLEMS,
    MIN_SCRUBBED_KEY,
)
from bluejay_gate.bluejay.retry import RETRY_STATUSES, parse_retry_after
from bluejay_gate.errors import (
    ApiError,
    AuthError,
    NotFoundError,
    RequestRejected,
    ResponseError,
    ServerError,
    TransportError,
)


@dataclass(frozen=True)
class Failure:
    """One failed attempt, described without keeping any httpx object around."""

    error_type: type[ApiError]
    message: str
    endpoint: str
    status: int | None = None
    transient: bool = False
    reached: bool = True  # False: the request surely never reached Bluejay
    retry_after: float | None = None
    summary: str = ""  # short cause for logs: "503 Service Unavailable", "read timeout"

    def error(self, budget_note: str = "") -> ApiError:
        message = self.message
        if budget_note:
            message = f"{message} (gave up {budget_note})"
        return self.error_type(message, endpoint=self.endpoint, status=self.status)


class FailureReader:
    """Turns one failed attempt into a ``Failure``: which error, is it worth retrying,
    and could the request have reached Bluejay. Echoed text is scrubbed of ``secret``
    and cut to ``EXCERPT_CHARS``."""

    def __init__(
        self, *, secret: str, host: str, timeout: float, now: Callable[[], datetime]
    ) -> None:
        self._secret = secret
        self.host = host
        self.timeout = timeout
        self.now = now

    def __repr__(self) -> str:
        return f"FailureReader(host={self.host!r})"

    def scrub(self, text: str) -> str:
        """``text`` with the secret replaced by ``***``; a key shorter than
        ``MIN_SCRUBBED_KEY`` only where it is a word of its own ("any" stays in "Company")."""
        secret = self._secret
        if not secret or secret not in text:
            return text
        if len(secret) >= MIN_SCRUBBED_KEY:
            return text.replace(secret, "***")
        return re.sub(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", "***", text)

    def excerpt(self, text: str) -> str:
        """Scrubbed, whitespace-collapsed and at most ``EXCERPT_CHARS`` long."""
        flat = " ".join(self.scrub(text).split())
        if len(flat) > EXCERPT_CHARS:
            return flat[: EXCERPT_CHARS - 1] + "…"
        return flat

    def too_big(self, endpoint: str, status: int, declared: int | None) -> Failure:
        """A 2xx whose body is over ``MAX_BODY_BYTES`` (declared or counted)."""
        size = f"{declared} bytes" if declared is not None else "more than that"
        return Failure(
            ResponseError,
            f"answered {status} with a body over {MAX_BODY_BYTES // (1024 * 1024)} MB ({size}); "
            "refused without reading it: check --base-url points at the Bluejay API",
            endpoint,
            status,
            summary="oversized body",
        )

    def transport(
        self, endpoint: str, exc: httpx.HTTPError, timeout: float | None = None
    ) -> Failure:
        """An httpx exception: no answer, or a broken one. ``timeout``: the attempt's own
        timeout when it was shorter than the configured one."""
        name = type(exc).__name__
        detail = self.excerpt(str(exc)) or name
        host = self.host
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            if _is_certificate_error(exc):
                return Failure(
                    TransportError,
                    f"TLS certificate of {host} could not be verified ({detail}); "
                    "if a proxy re-signs traffic, set SSL_CERT_FILE to its CA bundle",
                    endpoint,
                    summary="certificate error",
                )
            what = (
                "timed out connecting"
                if isinstance(exc, httpx.TimeoutException)
                else "could not connect"
            )
            return Failure(
                TransportError,
                f"{what} to {host} ({name}: {detail}); check the network, proxy settings "
                "and --base-url / BLUEJAY_BASE_URL",
                endpoint,
                transient=True,
                reached=False,
                summary=f"connect error ({name})",
            )
        if isinstance(exc, httpx.ReadTimeout):
            return Failure(
                TransportError,
                f"no answer within {timeout or self.timeout:g} s (read timeout); "
                "Bluejay may be slow or "
                "overloaded: try again later",
                endpoint,
                transient=True,
                summary="read timeout",
            )
        if isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError):
            return Failure(
                TransportError,
                f"the connection to {host} failed mid-request ({name}: {detail}); "
                "check the network or try again later",
                endpoint,
                transient=True,
                summary=f"dropped connection ({name})",
            )
        if isinstance(exc, httpx.DecodingError):
            return Failure(
                ResponseError,
                f"answered with a body that could not be decoded ({detail})",
                endpoint,
                summary="undecodable body",
            )
        return Failure(
            TransportError,
            f"request failed ({name}: {detail}); check --base-url and proxy settings",
            endpoint,
            summary=name,
        )

    def status(
        self,
        endpoint: str,
        status: int,
        headers: Mapping[str, str],
        data: bytes,
        what: tuple[str, str] | None = None,
    ) -> Failure:
        """A non-2xx answer. ``what`` is ``(kind, id)`` for a 404 message."""
        reason = _reason(status)
        detail = self._error_detail(data)
        suffix = f": {detail}" if detail else ""
        if status == 401:
            return Failure(
                AuthError,
                f"API key rejected (401): check BLUEJAY_API_KEY{suffix}",
                endpoint,
                status,
            )
        if status == 403:
            return Failure(
                AuthError,
                "the API key has no organisation or may not do this (403): create a key "
                "inside your organisation in the Bluejay dashboard and set "
                f"BLUEJAY_API_KEY{suffix}",
                endpoint,
                status,
            )
        if status == 404:
            if what is not None:
                kind, ident = what
                message = (
                    f"{kind} {ident} not found (404): check the {kind} id and that "
                    f"BLUEJAY_API_KEY belongs to its organisation{suffix}"
                )
            elif detail:
                message = f"not found (404): {detail}; check the ids in the spec"
            else:
                message = "not found (404): check --base-url points at the Bluejay API"
            return Failure(NotFoundError, message, endpoint, status)
        if status == 422:
            fields = self._validation_detail(data)
            return Failure(
                RequestRejected,
                f"request rejected (422): {fields or detail or 'no detail given'}",
                endpoint,
                status,
            )
        if status in RETRY_STATUSES:
            retry_after = parse_retry_after(headers.get("retry-after"), self.now())
            if status == 429:
                return Failure(
                    RequestRejected,
                    f"rate limited (429 Too Many Requests){suffix}; wait and run again, or "
                    "lower run.max_parallel",
                    endpoint,
                    status,
                    transient=True,
                    retry_after=retry_after,  # reached: may have been handled, see [1]
                    summary="429 Too Many Requests",
                )
            return Failure(
                ServerError,
                f"Bluejay answered {status} {reason}{suffix}; the service may be having "
                "trouble: try again later",
                endpoint,
                status,
                transient=True,
                retry_after=retry_after,
                summary=f"{status} {reason}",
            )
        if 300 <= status < 400:
            location = self.excerpt(headers.get("location", "")) or "nowhere"
            return Failure(
                ResponseError,
                f"answered {status} {reason}, a redirect to {location}: set --base-url to the "
                f"API address (e.g. {DEFAULT_BASE_URL})",
                endpoint,
                status,
            )
        if status >= 500:
            return Failure(
                ServerError, f"Bluejay answered {status} {reason}{suffix}", endpoint, status
            )
        return Failure(
            RequestRejected, f"request rejected ({status} {reason}){suffix}", endpoint, status
        )

    def _error_detail(self, data: bytes) -> str:
        """The ``detail`` of a FastAPI error body, or an excerpt of whatever came back."""
        text = data.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text)
        except ValueError:
            return self.excerpt(text)
        if isinstance(parsed, dict) and "detail" in parsed:
            detail = parsed["detail"]
            if isinstance(detail, str):
                return self.excerpt(detail)
            return self.excerpt(json.dumps(detail, ensure_ascii=False))
        return self.excerpt(text)

    def _validation_detail(self, data: bytes) -> str:
        """``body.simulation_id: Input should be a valid string; ...`` from a 422 body."""
        try:
            parsed = json.loads(data.decode("utf-8", errors="replace"))
        except ValueError:
            return ""
        items = parsed.get("detail") if isinstance(parsed, dict) else None
        if not isinstance(items, list):
            return ""
        problems: list[str] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            loc = item.get("loc")
            path = ".".join(str(p) for p in loc) if isinstance(loc, list) else ""
            msg = str(item.get("msg", "invalid"))
            if path.lower() == "header.x-api-key":
                problems.append("the X-API-Key header is missing: set BLUEJAY_API_KEY")
                continue
            problems.append(self.excerpt(f"{path}: {msg}" if path else msg))
        if not problems:
            return ""
        more = len(problems) - MAX_LISTED_PROBLEMS
        shown = "; ".join(problems[:MAX_LISTED_PROBLEMS])
        return f"{shown}; and {more} more" if more > 0 else shown


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP status"


def _is_certificate_error(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False
