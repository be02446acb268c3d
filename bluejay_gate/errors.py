"""The project's one exception tree, and the exit code each branch maps to.

::

    GateError                   base class; ``exit_code`` says how the CLI ends
    ├── UsageError        (2)   bad command line or environment (e.g. no BLUEJAY_API_KEY)
    │   └── EarlierReportError  an earlier JSON report that cannot be used (unreadable,
    │                           another spec or agent, shards that do not fit together)
    ├── SpecError         (2)   bad spec file; carries file, line and key
    └── NoVerdictError    (3)   the gate could not reach a verdict
        ├── ApiError            anything that went wrong talking to Bluejay; carries endpoint
        │   ├── AuthError           401 key rejected / 403 key without an organisation
        │   ├── NotFoundError       404: the id that was not found
        │   ├── RequestRejected     422 and other 4xx: which field and why
        │   ├── ServerError         5xx, after retries
        │   ├── TransportError      connect/read errors, after retries
        │   └── ResponseError       a 2xx whose body is not what the API documents
        └── ResolveError        agent/simulation lookup failed (ambiguous name, wrong agent)

A failed gate is a result (a ``Verdict`` with exit code 1), never an exception; so are a
timeout and a cancel once anything was queued (the ``Verdict``'s errors, exit 3), and a
``SpecError`` raised by the checks before paying (a threshold the metric definitions show
cannot be judged: exit 2, nothing queued). Outside the tree: ``report.ReportWriteError``
(an ``OSError`` naming each report that could not be written; the gate makes it exit 3).
Messages say what failed, where, and how to fix it. No message ever contains the API
key: the client never formats request headers into errors.
"""

from __future__ import annotations

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_INVALID = 2
EXIT_NO_VERDICT = 3


class GateError(Exception):
    """Base of every error the gate raises on purpose."""

    exit_code: int = EXIT_NO_VERDICT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(GateError):
    """The command line or the environment is invalid; nothing was sent."""

    exit_code = EXIT_INVALID


class EarlierReportError(UsageError):
    """An earlier JSON report (``--rerun-failed``, ``merge``) cannot be used; nothing was
    sent. The message names the file."""


class SpecError(GateError):
    """The spec is invalid; nothing was sent. Rendered as ``file:line: key: message``."""

    exit_code = EXIT_INVALID

    def __init__(
        self, message: str, *, file: str | None = None, line: int | None = None, key: str = ""
    ) -> None:
        self.file = file
        self.line = line
        self.key = key
        where = ""
        if file:
            where = f"{file}:{line}: " if line else f"{file}: "
        keypart = f"{key}: " if key else ""
        super().__init__(f"{where}{keypart}{message}")
        self.detail = message


class NoVerdictError(GateError):
    """The gate could not reach a verdict (exit 3)."""

    exit_code = EXIT_NO_VERDICT


class ApiError(NoVerdictError):
    """Talking to Bluejay failed. ``endpoint`` is e.g. ``GET /v1/ping``."""

    def __init__(self, message: str, *, endpoint: str = "", status: int | None = None) -> None:
        self.endpoint = endpoint
        self.status = status
        prefix = f"{endpoint}: " if endpoint else ""
        super().__init__(f"{prefix}{message}")


class AuthError(ApiError):
    """401 (key rejected) or 403 (key without an organisation)."""


class NotFoundError(ApiError):
    """404 for a specific id."""


class RequestRejected(ApiError):
    """422 or another 4xx: the request was refused."""


class ServerError(ApiError):
    """5xx that persisted through the retries."""


class TransportError(ApiError):
    """Network failure (connect, read, TLS) that persisted through the retries."""


class ResponseError(ApiError):
    """A success status whose body does not have the documented shape."""


class ResolveError(NoVerdictError):
    """The spec's agent or simulations could not be resolved unambiguously."""
