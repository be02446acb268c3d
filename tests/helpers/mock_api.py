"""A BluejayClient over httpx.MockTransport: a scripted sequence of answers that records
every request, and a clock that advances without waiting. No sockets."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.retry import RetryPolicy

KEY = "sk-canary-CLIENT-0123456789abcdef"
NOW = datetime(2026, 4, 1, 12, 0, 0, tzinfo=UTC)
Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Script:
    """A MockTransport handler answering a programmed sequence and recording requests."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
            answer = self.answers.pop(0) if self.answers else httpx.Response(599)
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


class Clock:
    """monotonic() and sleep() that advance together without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make(
    script: Script,
    *,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
    logs: list[str] | None = None,
    deadline: float | None = None,
) -> BluejayClient:
    clock = clock or Clock()
    return BluejayClient(
        KEY,
        "https://api.example.test",
        transport=httpx.MockTransport(script),
        retry=retry or RetryPolicy(jitter=0.0),
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        now=lambda: NOW,
        deadline=deadline,
        log=logs.append if logs is not None else None,
    )


def ok(payload: Any) -> httpx.Response:
    return httpx.Response(200, json=payload)
