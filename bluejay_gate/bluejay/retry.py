"""Retry timing for the Bluejay client: how often and how long to retry a transient failure
(``RetryPolicy``, ``RetryBudget``), how long a server asks to wait (``parse_retry_after``),
and which answer statuses are worth another attempt. Which failures are transient is
``failures``'; the loop that sends the attempts is ``calls``'.

No I/O here: the client owns the loop and injects ``sleep``, ``monotonic`` and ``now``
so tests never wait.

A retry budget is bounded three ways at once:

* ``max_attempts`` - attempts per call, the first one included;
* ``max_total`` - seconds from the first attempt until the next one would start;
* ``deadline`` - an absolute ``monotonic()`` time (the gate's ``--timeout``) after which
  no backoff and no new attempt starts.

The first attempt of a call is always made, even past the deadline: clean-up calls such
as ``end-conversations`` must still go out when the gate has run out of time.

Delays grow exponentially from ``base_delay`` up to ``max_delay`` and lose a random share
of up to ``jitter`` of their length, so that parallel gates do not retry in lock-step.
A server's ``Retry-After`` (seconds or an HTTP date) replaces the computed delay, capped
at ``max_delay``; if even that would pass the deadline or ``max_total``, the call gives up
instead of retrying early.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from bluejay_gate.bluejay.limits import EXCERPT_CHARS
from bluejay_gate.errors import UsageError

# Statuses worth another attempt: rate limited, or the server side had a bad moment.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Caps every wait between attempts (backoff and Retry-After), in seconds: tests and
# soak runs use it to retry at full speed; users rarely need it.
MAX_DELAY_ENV = "BLUEJAY_RETRY_MAX_DELAY"


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long the client retries a transient failure."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 10.0
    max_total: float = 120.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(
                f"RetryPolicy.max_attempts must be at least 1, not {self.max_attempts}"
            )
        for name in ("base_delay", "max_delay", "max_total"):
            value = getattr(self, name)
            if not (value >= 0 and math.isfinite(value)):
                raise ValueError(f"RetryPolicy.{name} must be a finite number >= 0, not {value}")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"RetryPolicy.jitter must be between 0 and 1, not {self.jitter}")

    def backoff(self, retry_number: int, rand: float = 0.0) -> float:
        """Delay before retry ``retry_number`` (1 = the first retry); ``rand`` in [0, 1)."""
        exponent = min(max(retry_number - 1, 0), 60)
        delay = min(self.max_delay, self.base_delay * (2.0**exponent))
        return delay * (1.0 - self.jitter * rand)


def policy_from_env(env: Mapping[str, str]) -> RetryPolicy:
    """The default policy, with ``max_delay`` (and ``base_delay``, never above it) taken
    from ``BLUEJAY_RETRY_MAX_DELAY`` when set."""
    text = env.get(MAX_DELAY_ENV, "").strip()
    if not text:
        return RetryPolicy()
    try:
        cap = float(text)
    except ValueError:
        cap = -1.0
    if not (math.isfinite(cap) and 0 <= cap <= 3600):
        raise UsageError(
            f"{MAX_DELAY_ENV}={text[:EXCERPT_CHARS]!r} is not a number of seconds between "
            "0 and 3600: set e.g. 10, or unset it"
        )
    default = RetryPolicy()
    return RetryPolicy(max_delay=cap, base_delay=min(default.base_delay, cap))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date).

    ``None`` when absent or unreadable; a date in the past gives 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(seconds):
            return max(seconds, 0.0)
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


@dataclass
class RetryBudget:
    """The retry state of one call: counts attempts and decides the next delay."""

    policy: RetryPolicy
    monotonic: Callable[[], float]
    deadline: float | None = None
    rand: Callable[[], float] = random.random
    attempts: int = 0
    started: float | None = None
    gave_up_because: str = ""

    def attempt_started(self) -> None:
        """Record that an attempt is about to be sent."""
        if self.started is None:
            self.started = self.monotonic()
        self.attempts += 1

    def elapsed(self) -> float:
        """Seconds since the first attempt started (0 before it)."""
        return 0.0 if self.started is None else self.monotonic() - self.started

    def next_delay(self, retry_after: float | None = None) -> float | None:
        """Seconds to sleep before the next attempt, or ``None`` when the budget is spent.

        When ``None``, ``gave_up_because`` says which bound stopped the retries.
        """
        if self.attempts >= self.policy.max_attempts:
            self.gave_up_because = f"after {self.attempts} attempts"
            return None
        if retry_after is not None:
            delay = min(retry_after, self.policy.max_delay)
        else:
            delay = self.policy.backoff(self.attempts, self.rand())
        now = self.monotonic()
        if self.deadline is not None and now + delay >= self.deadline:
            self.gave_up_because = (
                f"after {self.attempts} attempt{'s' if self.attempts != 1 else ''}: "
                f"waiting {delay:.1f} s more would pass the gate's time budget"
            )
            return None
        started = now if self.started is None else self.started
        if now - started + delay > self.policy.max_total:
            self.gave_up_because = (
                f"after {self.attempts} attempts over {now - started:.1f} s "
                f"(retry budget {self.policy.max_total:g} s)"
            )
            return None
        return delay
