"""Fault injection: which request fails, and how; which webhook event is lost, sent twice
or late (``WebhookFaults``). Deterministic for a seed.

Each fault rule has its own random stream seeded from ``(seed, rule index)``; every
request the rule's endpoint pattern matches draws one number from it, so the same
sequence of requests meets the same faults on every run.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from bluejay_gate.emulator.scenario import FaultDef, ScenarioError, WebhookFaultDef

FAULT_SPEC_HELP = (
    "ENDPOINT:KIND[:RATE[:WHEN]][:key=value...], e.g. "
    "'POST /v1/queue-simulation-run:503:0.2:after' or '*:429:0.1:retry_after=2'; "
    "KIND is 429, 500, 502, 503, slow or drop; WHEN is before or after; "
    "keys: retry_after, delay, times"
)


def parse_fault(spec: str) -> FaultDef:
    """Parse a command-line fault, see ``FAULT_SPEC_HELP``."""
    parts = [p.strip() for p in spec.split(":")]
    if len(parts) < 2 or not parts[0]:
        raise ScenarioError(f"--fault {spec!r}: expected {FAULT_SPEC_HELP}")
    fields: dict[str, Any] = {"endpoint": parts[0], "kind": parts[1]}
    positional = ["rate", "when"]
    for part in parts[2:]:
        if "=" in part:
            key, _, value = part.partition("=")
            fields[key.strip()] = value.strip()
        elif positional:
            fields[positional.pop(0)] = part
        else:
            raise ScenarioError(
                f"--fault {spec!r}: unexpected {part!r}; expected {FAULT_SPEC_HELP}"
            )
    try:
        return FaultDef.model_validate(fields)
    except ValidationError as exc:
        errors = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise ScenarioError(f"--fault {spec!r}: {errors}; expected {FAULT_SPEC_HELP}") from None


def as_fault(item: FaultDef | dict[str, Any] | str) -> FaultDef:
    if isinstance(item, FaultDef):
        return item
    if isinstance(item, str):
        return parse_fault(item)
    try:
        return FaultDef.model_validate(item)
    except ValidationError as exc:
        raise ScenarioError(f"fault {item!r}: {exc.errors(include_url=False)[0]['msg']}") from None


def endpoint_matches(pattern: str, method: str, path: str) -> bool:
    """``*``; ``"GET /v1/x/*"``; ``"/v1/ping"``; a trailing ``*`` is a prefix match."""
    pattern = pattern.strip()
    if pattern == "*":
        return True
    want_method, _, want_path = pattern.rpartition(" ")
    if want_method and want_method.upper() not in {method.upper(), "*"}:
        return False
    if want_path.endswith("*"):
        return path.startswith(want_path[:-1])
    return path == want_path.rstrip("/") or path == want_path


class FaultInjector:
    """Picks the fault (if any) for one request. Thread-safe."""

    def __init__(self, faults: Iterable[FaultDef], seed: int) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self.set(faults)

    def set(self, faults: Iterable[FaultDef], seed: int | None = None) -> None:
        rules = list(faults)
        with self._lock:
            if seed is not None:
                self._seed = seed
            self._rules = rules
            self._streams = [random.Random(f"{self._seed}|fault|{i}") for i in range(len(rules))]
            self._used = [0] * len(rules)

    @property
    def rules(self) -> list[FaultDef]:
        with self._lock:
            return list(self._rules)

    def choose(self, method: str, path: str) -> FaultDef | None:
        """The first matching rule whose draw falls under its rate (and has uses left)."""
        with self._lock:
            for i, rule in enumerate(self._rules):
                if not endpoint_matches(rule.endpoint, method, path):
                    continue
                if rule.times is not None and self._used[i] >= rule.times:
                    continue
                if self._streams[i].random() < rule.rate:
                    self._used[i] += 1
                    return rule
            return None


def parse_webhook_faults(text: str) -> WebhookFaultDef:
    """``--webhook-faults 'loss=0.2,duplicate=0.1,delay=2,delay_share=0.5'``."""
    fields: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise ScenarioError(
                f"--webhook-faults {text!r}: expected KEY=VALUE pairs separated by commas "
                "(loss, duplicate, delay, delay_share)"
            )
        fields[key.strip()] = value.strip()
    try:
        return WebhookFaultDef.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(map(str, first["loc"]))
        raise ScenarioError(f"--webhook-faults {text!r}: {where}: {first['msg']}") from None


class WebhookFaults:
    """What happens to each webhook event: ``draw`` -> (copies sent: 0 lost, 1, or 2 a
    duplicate with the same delivery id; seconds it waits first). Thread-safe."""

    def __init__(self, faults: WebhookFaultDef, seed: int) -> None:
        self.faults = faults
        self._lock = threading.Lock()
        self._stream = random.Random(f"{seed}|webhook-faults")

    def draw(self) -> tuple[int, float]:
        f = self.faults
        with self._lock:
            lost, twice, late = (self._stream.random() for _ in range(3))
        copies = 0 if lost < f.loss else 2 if twice < f.duplicate else 1
        return copies, f.delay if late < f.delay_share else 0.0
