"""Updating and unlinking digital humans against the emulator over loopback: an update
changes only what it sends (and never the simulations it belongs to), every field a spec
may give a digital human is read back as sent, unlinking leaves the digital human in
place, and both calls are retried safely after a lost answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.bluejay.retry import RetryPolicy
from bluejay_gate.emulator import Emulator

KEY = "sk-canary-HUMANS-0123456789"
SIM = "4821"
Factory = Callable[..., Emulator]

#: A digital human with most fields a spec may set (values the document allows; not
#: ``num_runs`` or the ``always_on_*`` flags: DigitalHumanResponseData has no such field).
FULL = {
    "name": "Double-charged caller",
    "intent": "Was charged twice for one order",
    "success_criteria": "The agent refunds the second charge",
    "tag": "billing",
    "language": "es",
    "gender": "female",
    "voice_speed": "fast",
    "phone_number": "+15550100",
    "background_noise_volume": 0.25,
    "expected_tool_calls": [{"name": "refund", "parameters": {"order": "A1"}}],
    "allow_end_call_tool": True,
    "allow_dtmf_tool": False,
    "silence_timeout": 20,
    "hangup_phrases": ["bye", "goodbye"],
    "role_description": "A customer in a hurry",
    "traits": [{"trait_name": "mood", "trait_data_type": "STRING", "value": "impatient"}],
    "livekit_metadata": {"tenant": "a"},
}


def client(emu: Emulator) -> BluejayClient:
    return BluejayClient(
        KEY,
        emu.base_url,
        retry=RetryPolicy(max_attempts=6, jitter=0.0),
        sleep=lambda _: None,
        timeout=5.0,
    )


def human_exists(emu: Emulator, human_id: str) -> bool:
    """``GET /v1/digital-human/{id}`` answers 200 (read past the client)."""
    answer = httpx.get(f"{emu.base_url}/v1/digital-human/{human_id}", headers={"X-API-Key": KEY})
    return answer.status_code == 200


def test_every_field_is_read_back(emulator: Factory, billing_scenario: dict[str, Any]) -> None:
    """What create-digital-human sent is what simulation_humans reads, field by field."""
    emu = emulator(billing_scenario, api_key=KEY)
    with client(emu) as c:
        human_id = c.create_human(SIM, FULL)
        record = {h.id: h for h in c.simulation_humans(SIM)}[human_id]
    differing = {k: record.stored(k) for k, v in FULL.items() if record.stored(k) != (True, v)}
    assert differing == {}


def test_update_changes_only_what_it_sends(
    emulator: Factory, billing_scenario: dict[str, Any]
) -> None:
    """An update of two fields: those change, the rest and the simulation links stay."""
    emu = emulator(billing_scenario, api_key=KEY)
    with client(emu) as c:
        human_id = c.create_human(SIM, FULL)
        c.update_human(human_id, {"intent": "Was charged three times", "tag": None})
        record = {h.id: h for h in c.simulation_humans(SIM)}[human_id]
        names = [h.name for h in c.simulation_humans(SIM)]
    assert record.stored("intent") == (True, "Was charged three times")
    assert record.stored("tag") == (True, "billing")  # None is left out, not cleared
    assert record.stored("traits") == (True, FULL["traits"])
    assert names == ["Angry caller", "Polite", "Double-charged caller"]
    (put,) = [r for r in emu.requests if r.method == "PUT"]
    assert put.path == f"/v1/update-digital-human/{human_id}"


def test_remove_unlinks_and_keeps_the_digital_human(
    emulator: Factory, billing_scenario: dict[str, Any]
) -> None:
    """Unlinked from the simulation; the digital human itself stays."""
    emu = emulator(billing_scenario, api_key=KEY)
    with client(emu) as c:
        c.remove_humans(SIM, ["12"])
        left = [h.id for h in c.simulation_humans(SIM)]
    assert left == ["13"]
    assert human_exists(emu, "12")


@pytest.mark.parametrize("fault", ["503", "drop"])
def test_update_and_remove_are_retried_after_a_lost_answer(
    emulator: Factory, billing_scenario: dict[str, Any], fault: str
) -> None:
    """Applied, then the answer lost: sent again, same outcome, no error."""
    billing_scenario["faults"] = [
        {"endpoint": "PUT /v1/update-digital-human/12", "kind": fault, "when": "after", "times": 1},
        {
            "endpoint": f"POST /v1/simulation/{SIM}/remove-digital-humans",
            "kind": fault,
            "when": "after",
            "times": 1,
        },
    ]
    emu = emulator(billing_scenario, api_key=KEY)
    with client(emu) as c:
        c.update_human("12", {"intent": "Wants a manager"})
        c.remove_humans(SIM, ["13"])
        humans = c.simulation_humans(SIM)
    assert [(h.id, h.stored("intent")) for h in humans] == [("12", (True, "Wants a manager"))]
    faults = [(r.method, r.fault) for r in emu.requests if r.method in {"PUT", "POST"}]
    assert faults == [("PUT", fault), ("PUT", None), ("POST", fault), ("POST", None)]
    assert human_exists(emu, "13")
