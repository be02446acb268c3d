"""Webhook deliveries on the wire: the signature on the raw bytes, and a verified
``simulation_result_evaluated`` read into the same reading as a polled result."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from bluejay_gate.bluejay.models import SimulationResult
from bluejay_gate.bluejay.results import read_result
from bluejay_gate.bluejay.webhook_events import BadDelivery, read_event, signed

SECRET = "whsec_unit_canary_1"


def _sig(raw: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def _evaluated(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "simulation_result_evaluated",
        "id": 9001,
        "digital_human_id": 12,
        "status": "COMPLETED",
        "simulation_run_id": 70001,
        "simulation_id": 4821,
        "agent_id": 101,
        "evaluations": [
            {
                "id": 1,
                "created_at": "2026-01-02T03:04:05Z",
                "goal_success": True,
                "custom_metrics": [
                    {
                        "name": "Empathy",
                        "description": "",
                        "response_type": "quantitative",
                        "response_value": "8",
                        "min_value": 0,
                        "max_value": 10,
                    }
                ],
            }
        ],
        "duration": 61000,
    }
    body.update(changes)
    return body


def test_signature_is_checked_on_the_raw_bytes() -> None:
    raw = json.dumps(_evaluated()).encode()
    assert signed(SECRET, raw, _sig(raw))
    assert signed(SECRET, raw, _sig(raw).upper())  # hex in any case
    assert signed(SECRET, raw, "sha256=" + _sig(raw))
    assert not signed(SECRET, raw + b" ", _sig(raw))  # re-serialised: not the same bytes
    assert not signed(SECRET, raw, _sig(raw, "another secret"))
    assert not signed(SECRET, raw, None)
    assert not signed(SECRET, raw, "")
    assert not signed(SECRET, raw, "é" * 64)  # not hex, not ASCII: refused, never raised
    assert not signed("", raw, _sig(raw, ""))  # no secret: nothing verifies


def test_evaluated_event_reads_like_a_polled_result() -> None:
    body = _evaluated()
    pushed = read_event("simulation_result_evaluated", json.dumps(body).encode())
    assert pushed is not None
    assert pushed.run_id == "70001"
    polled = SimulationResult.model_validate(
        {k: v for k, v in body.items() if k not in {"type", "simulation_run_id"}}
    )
    got, want = read_result(pushed.result), read_result(polled)
    assert got.id == want.id == "9001"
    assert got.status == "COMPLETED"
    assert got.metrics["Empathy"].value == want.metrics["Empathy"].value == 8
    assert set(got.metrics) == set(want.metrics)


def test_known_events_the_gate_does_not_use_are_none() -> None:
    raw = json.dumps({"type": "simulation_ended", "id": 1, "simulation_run_id": 2}).encode()
    assert read_event("simulation_ended", raw) is None


@pytest.mark.parametrize(
    ("event", "raw", "why"),
    [
        ("simulation_result_evaluated", b"not json", "not JSON"),
        ("simulation_result_evaluated", b"[1, 2]", "not a JSON object"),
        ("simulation_result_evaluated", b"\xff\xfe", "not JSON"),
        ("call_exploded", json.dumps({"type": "call_exploded"}).encode(), "unknown event"),
        (None, json.dumps({"id": 1}).encode(), "unknown event"),
        ("simulation_ended", json.dumps(_evaluated()).encode(), "differs"),
        (
            "simulation_result_evaluated",
            json.dumps(_evaluated(simulation_run_id=None)).encode(),
            "simulation_run_id",
        ),
        (
            "simulation_result_evaluated",
            json.dumps({k: v for k, v in _evaluated().items() if k != "id"}).encode(),
            "id",
        ),
        (
            "simulation_result_evaluated",
            json.dumps(_evaluated(id="x" * 500)).encode(),
            "not an id",
        ),
    ],
)
def test_unreadable_deliveries_say_why(event: str | None, raw: bytes, why: str) -> None:
    with pytest.raises(BadDelivery) as info:
        read_event(event, raw)
    assert why in str(info.value)
    assert "x" * 100 not in str(info.value)  # a huge value is never echoed
