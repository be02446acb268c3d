"""Webhooks: signed simulation_ended and simulation_result_evaluated, each exactly once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from jsonschema import Draft202012Validator

from bluejay_gate.emulator import ManualClock
from tests.helpers.shared import openapi_document

SECRET = "whsec_test"


class Receiver:
    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), raw))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.mark.needs_shared
def test_webhooks_are_signed_and_sent_once_per_result(emulator, billing_scenario, receiver):
    """Each result gets one simulation_ended then one simulation_result_evaluated, signed."""
    billing_scenario["webhook"] = {"url": receiver.url, "secret": SECRET}
    clock = ManualClock()
    emu = emulator(billing_scenario, clock=clock)
    queued = httpx.post(
        f"{emu.base_url}/v1/queue-simulation-run",
        headers={"X-API-Key": "k"},
        json={"simulation_id": "4821"},
    ).json()
    ids = [int(i) for i in queued["simulation_result_ids"]]
    clock.advance(3.5)  # conversations ended, not yet evaluated
    emu.deliver_webhooks()  # the background thread may have sent them already; never twice
    assert [json.loads(raw)["type"] for _, raw in receiver.received] == ["simulation_ended"] * 2
    clock.advance(10)
    emu.deliver_webhooks()
    assert emu.deliver_webhooks() == 0  # nothing left, nothing twice
    assert len(receiver.received) == 4
    doc = openapi_document()
    events = []
    for headers, raw in receiver.received:
        expected = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        assert headers["X-Bluejay-Signature"] == expected
        assert len(headers["X-Bluejay-Delivery"]) == 36
        body = json.loads(raw)
        assert headers["X-Bluejay-Event"] == body["type"]
        schema = {
            "$ref": "#/components/schemas/"
            + {"simulation_ended": "WebhookSimulationResultEnded"}.get(
                body["type"], "WebhookSimulationResultEvaluated"
            ),
            "components": doc["components"],
        }
        assert not list(Draft202012Validator(schema).iter_errors(body))
        events.append((body["type"], body["id"]))
    assert sorted(events) == sorted(
        [("simulation_ended", i) for i in ids] + [("simulation_result_evaluated", i) for i in ids]
    )
    assert events[:2] == [("simulation_ended", ids[0]), ("simulation_ended", ids[1])]
    evaluated = json.loads(receiver.received[-1][1])
    assert (evaluated["simulation_id"], evaluated["agent_id"]) == (4821, 101)
    assert len(evaluated["evaluations"][-1]["custom_metrics"]) == 4
    assert [d.status for d in emu.webhook_deliveries] == [200, 200, 200, 200]


def test_background_thread_delivers_without_being_asked(emulator, billing_scenario, receiver):
    """With a real clock at high speed, the webhook thread sends all four events by itself."""
    billing_scenario["webhook"] = {"url": receiver.url, "secret": SECRET}
    emu = emulator(billing_scenario, speed=100)
    httpx.post(
        f"{emu.base_url}/v1/queue-simulation-run",
        headers={"X-API-Key": "k"},
        json={"simulation_id": "4821"},
    )
    deadline = threading.Event()
    for _ in range(60):
        if len(receiver.received) >= 4:
            break
        deadline.wait(0.05)
    kinds = sorted(json.loads(raw)["type"] for _, raw in receiver.received)
    assert kinds == ["simulation_ended"] * 2 + ["simulation_result_evaluated"] * 2


def _queue_and_score(emu, clock) -> None:
    httpx.post(
        f"{emu.base_url}/v1/queue-simulation-run",
        headers={"X-API-Key": "k"},
        json={"simulation_id": "4821"},
    )
    clock.advance(30)  # both conversations ended and scored


def test_webhook_faults_lose_duplicate_and_delay(emulator, billing_scenario, receiver):
    """Faults per event, from the seed: lost ones are never sent, duplicated ones are sent
    twice with one delivery id, delayed ones wait on the emulator's clock."""
    clock = ManualClock()
    emu = emulator(billing_scenario, clock=clock)
    emu.set_webhook(receiver.url, SECRET, faults={"loss": 1.0})
    _queue_and_score(emu, clock)
    emu.deliver_webhooks()
    assert receiver.received == []
    assert [(d.status, d.error) for d in emu.webhook_deliveries] == [(None, "lost")] * 4

    clock2 = ManualClock()
    emu2 = emulator(billing_scenario, clock=clock2)
    emu2.set_webhook(receiver.url, SECRET, faults={"duplicate": 1.0, "delay": 5.0})
    _queue_and_score(emu2, clock2)
    emu2.deliver_webhooks()
    assert receiver.received == []  # held back: 5 s on the emulator's clock
    clock2.advance(5)
    assert emu2.deliver_webhooks() == 4
    ids = [headers["X-Bluejay-Delivery"] for headers, _ in receiver.received]
    assert len(ids) == 8
    assert len(set(ids)) == 4
    assert all(ids.count(i) == 2 for i in ids)
    assert all(d.status == 200 and d.at is not None for d in emu2.webhook_deliveries)


def test_webhook_faults_from_the_command_line() -> None:
    from bluejay_gate.emulator.faults import parse_webhook_faults
    from bluejay_gate.emulator.scenario import ScenarioError

    got = parse_webhook_faults("loss=0.2, duplicate=0.1,delay=2,delay_share=0.5")
    assert (got.loss, got.duplicate, got.delay, got.delay_share) == (0.2, 0.1, 2.0, 0.5)
    assert parse_webhook_faults("").loss == 0.0
    for bad, why in (("loss", "KEY=VALUE"), ("loss=2", "loss"), ("lose=0.1", "lose")):
        with pytest.raises(ScenarioError, match=why):
            parse_webhook_faults(bad)
