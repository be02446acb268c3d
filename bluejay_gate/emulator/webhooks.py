"""Webhook delivery: ``simulation_ended`` and ``simulation_result_evaluated``, signed as
Bluejay signs them (``X-Bluejay-Signature`` = hex HMAC-SHA256 of the raw body).

State is lazy, so a small thread looks at the clock every ``interval`` seconds and sends
each event once per conversation, in order (ended before evaluated), for every run queued
(the gate's too). ``WebhookFaults`` may lose an event, send it twice with one delivery id
(delivery is at least once) or hold it back for a while (then order is not kept).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import ssl
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from bluejay_gate.emulator.faults import WebhookFaults
from bluejay_gate.emulator.lifecycle import Conversation
from bluejay_gate.emulator.scenario import WebhookFaultDef
from bluejay_gate.emulator.store import Store
from bluejay_gate.emulator.timeline import COMPLETED, ENDED, iso

log = logging.getLogger("bluejay_gate.emulator")

# Statuses the webhook schema's TestResultStatus enum allows; others are sent as INCOMPLETED.
_SCHEMA_STATUSES = frozenset(
    {
        "CONVERSATION_ENDED",
        "EVALUATING",
        "COMPLETED",
        "INCOMPLETED",
        "REJECTED",
        "INSUFFICIENT_FUNDS",
    }
)


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Delivery:
    event: str
    result_id: int
    delivery_id: str
    status: int | None  # HTTP status the receiver answered; None when it failed
    error: str | None = None
    at: float | None = None  # emulator clock when it was answered (or failed)


def ended_body(conv: Conversation, status: str) -> dict[str, Any]:
    start, end = conv.times()
    return {
        "type": "simulation_ended",
        "id": conv.id,
        "digital_human_id": conv.digital_human_id,
        "status": "CONVERSATION_ENDED"
        if status in {"CONVERSATION_ENDED", "EVALUATING", COMPLETED}
        else status
        if status in _SCHEMA_STATUSES
        else "INCOMPLETED",
        "simulation_run_id": conv.run_id,
        "created_at": iso(conv.created),
        "start_time": iso(start),
        "end_time": iso(end),
        "duration": round((end - start).total_seconds() * 1000),
    }


def evaluated_body(store: Store, conv: Conversation, now: float) -> dict[str, Any]:
    result = conv.render(now, bulk=False)
    run = store.runs[conv.run_id]
    evaluations = result["evaluations"]
    return {
        "type": "simulation_result_evaluated",
        "id": conv.id,
        "digital_human_id": conv.digital_human_id,
        "status": COMPLETED,
        "simulation_run_id": conv.run_id,
        "simulation_id": run.simulation_id,
        "agent_id": run.agent_id,
        "folder_id": None,
        "custom_metrics": evaluations[-1]["custom_metrics"] if evaluations else None,
        "evaluations": evaluations,
        "created_at": iso(conv.created),
        "start_time": result["start_time"],
        "end_time": result["end_time"],
        "duration": result["duration"],
        "latency": sorted((result["latency"] or {}).values()),
    }


class WebhookSender:
    def __init__(
        self,
        store: Store,
        url: str,
        secret: str,
        *,
        interval: float = 0.05,
        faults: WebhookFaultDef | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.store = store
        self.url = url
        self.secret = secret
        self.interval = interval
        self.faults = WebhookFaults(faults or WebhookFaultDef(), store.seed)
        self.deliveries: list[Delivery] = []  # lost events too (status None, error "lost")
        # held back by a delay fault: (send at, event, result id, body, delivery id, copies)
        self._held: list[tuple[float, str, int, bytes, str, int]] = []
        self._sent: set[tuple[int, str]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._http = httpx.Client(timeout=5.0, verify=verify)  # verify: an https receiver's CA

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._loop, name="bluejay-emulator-webhooks", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._http.close()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.deliver_due()

    def _due(self) -> list[tuple[str, Conversation, bytes]]:
        due: list[tuple[str, Conversation, bytes]] = []
        with self.store.lock:
            now = self.store.clock()
            for conv in self.store.conversations.values():
                if (conv.id, "simulation_result_evaluated") in self._sent:
                    continue
                status = conv.status(now)
                if status not in ENDED:
                    continue
                if (conv.id, "simulation_ended") not in self._sent:
                    self._sent.add((conv.id, "simulation_ended"))
                    due.append(("simulation_ended", conv, _dump(ended_body(conv, status))))
                if status == COMPLETED:
                    self._sent.add((conv.id, "simulation_result_evaluated"))
                    body = evaluated_body(self.store, conv, now)
                    due.append(("simulation_result_evaluated", conv, _dump(body)))
                elif status not in {"CONVERSATION_ENDED", "EVALUATING"}:
                    # final without a score: nothing more will be sent for it
                    self._sent.add((conv.id, "simulation_result_evaluated"))
        return due

    def deliver_due(self) -> int:
        """Send every event that is due now (faults drawn for new ones; held ones whose
        delay is over); return how many events were attempted."""
        with self._lock:
            now = self.store.clock()
            for event, conv, raw in self._due():
                copies, delay = self.faults.draw()
                self._held.append((now + delay, event, conv.id, raw, str(uuid.uuid4()), copies))
            ready = [h for h in self._held if h[0] <= now]
            self._held = [h for h in self._held if h[0] > now]
            for _, event, result_id, raw, delivery_id, copies in ready:
                if copies == 0:
                    lost = Delivery(event, result_id, delivery_id, None, "lost", now)
                    self.deliveries.append(lost)
                for _ in range(copies):
                    self._post(event, result_id, raw, delivery_id)
            return len(ready)

    def _post(self, event: str, result_id: int, raw: bytes, delivery_id: str) -> None:
        headers = {
            "Content-Type": "application/json",
            "X-Bluejay-Signature": sign(self.secret, raw),
            "X-Bluejay-Event": event,
            "X-Bluejay-Delivery": delivery_id,
        }
        try:
            response = self._http.post(self.url, content=raw, headers=headers)
        except httpx.HTTPError as exc:
            log.warning(
                "webhook %s for result %s to %s failed: %s", event, result_id, self.url, exc
            )
            self.deliveries.append(
                Delivery(event, result_id, delivery_id, None, str(exc), self.store.clock())
            )
            return
        self.deliveries.append(
            Delivery(event, result_id, delivery_id, response.status_code, None, self.store.clock())
        )


def _dump(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()
