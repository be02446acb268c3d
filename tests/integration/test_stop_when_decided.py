"""Stop when decided (``run.stop_when_decided``) through the real CLI against the emulator:
the conversations saved are counted from the emulator's own records."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.emulator import Emulator
from tests.helpers.gate import KEY, run_cli
from tests.helpers.typed import as_object

QUEUE = "/v1/queue-simulation-run"
END = "/v1/end-conversations"
Factory = Callable[..., Emulator]
HUMANS = 10


def _scenario(pass_rate: float) -> dict[str, Any]:
    """Two simulations of 10 digital humans; conversations end spread over ~1.5 s."""
    sims = [
        {
            "id": 4821 + s,
            "name": f"Billing {s + 1}",
            "agent": "support-bot",
            "digital_humans": [{"id": 100 * (s + 1) + h, "name": f"H{h}"} for h in range(HUMANS)],
            "scores": {"Greeting compliance": {"pass_rate": pass_rate}},
        }
        for s in range(2)
    ]
    return {
        "seed": 5,
        "timing": {
            "queued": 0.1,
            "running": 4.0,
            "conversation_ended": 0.1,
            "evaluating": 0.5,
            "jitter": 0.9,
        },
        "agents": [
            {
                "id": 101,
                "name": "Support Bot v2",
                "external_agent_id": "support-bot",
                "system_prompt": "You are a support agent.",
            }
        ],
        "custom_metrics": [{"name": "Greeting compliance", "response_type": "pass_fail"}],
        "simulations": sims,
    }


def _spec(tmp_path: Path, run: dict[str, Any], threshold: str) -> Path:
    data = {
        "version": 1,
        "agent": {
            "external_id": "support-bot",
            "name": "Support Bot v2",
            "system_prompt": "You are a support agent.",
        },
        "run": {"poll_interval": "0.05s", "max_parallel": 1, "stop_when_decided": True, **run},
        "simulations": [{"id": 4821}, {"id": 4822}],
        "thresholds": {"Greeting compliance": threshold},
    }
    path = tmp_path / "bluejay-gate.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _ended_ids(emu: Emulator) -> list[int]:
    ids: list[int] = []
    for r in emu.requests:
        if r.method == "POST" and r.path == END:
            body = as_object(r.body, f"POST {END} body")
            ids += [int(i) for i in body["test_result_ids"]]
    return ids


def test_a_certain_failure_ends_the_rest_and_queues_nothing_more(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Every conversation fails `pass_rate >= 80%`: after 3 failures of 10 even all-pass
    reaches 70%, so the gate ends the rest of the first run, never queues the second
    simulation and exits 1; the reports say so."""
    emu = emulator(_scenario(0.0), api_key=KEY, speed=5.0)
    spec = _spec(tmp_path, {}, "pass_rate >= 80%")
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 1, out
    queued = [r for r in emu.requests if r.method == "POST" and r.path == QUEUE]
    assert len(queued) == 1  # the second simulation was never queued: 10 saved
    report = json.loads((tmp_path / "report.json").read_text())
    early = report["decided_early"]
    first = report["simulations"][0]
    scored = first["counts"]["total"]
    assert 3 <= scored < HUMANS
    assert early["outcome"] == "fail"
    assert early["checks"] == [
        {"simulation": "Billing 1", "check": "Greeting compliance: pass_rate >= 80%"}
    ]
    assert early["ended_unscored"] == HUMANS - scored
    assert early["runs_not_queued"] == 1
    ended = _ended_ids(emu)
    assert len(ended) == early["ended_with_end_conversations"] > 0
    assert len(set(ended)) == len(ended)
    (run,) = emu.state.runs.values()
    assert set(ended) <= {c.id for c in run.conversations}
    assert first["run_ids"] == [str(run.id)]  # the run stopped early is in the reports
    assert first["score"] is None  # its partial counters are never judged
    # the emulator's own record: conversations it cancelled, and the ones never queued
    cancelled = [c.id for c in run.conversations if c.cancelled_at is not None]
    assert sorted(cancelled) == sorted(ended)
    saved = len(cancelled) + (2 * HUMANS - len(run.conversations))
    assert saved == early["ended_with_end_conversations"] + HUMANS
    assert saved >= HUMANS + 1
    assert first["checks"][0]["outcome"] == "fail"
    assert report["simulations"][1]["errors"] == [
        "not queued: the verdict was already decided (run.stop_when_decided)"
    ]
    assert "decided early: Greeting compliance: pass_rate >= 80% (Billing 1) certain to fail" in out
    summary = (tmp_path / "summary.md").read_text()
    assert "## Decided early" in summary
    props = {
        p.get("name"): p.get("value")
        for p in ET.parse(tmp_path / "junit.xml").getroot().iter("property")
    }
    assert props["decided_early"] == "fail"
    assert props["ended_unscored"] == str(HUMANS - scored)
    for text in (out, summary, *(p.read_text() for p in tmp_path.glob("*.*"))):
        assert KEY not in text  # the canary key is in no output, even on this path


def test_a_certain_pass_stops_too_with_room_in_allow_incomplete(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Every conversation passes `pass_rate >= 50%` with allow_incomplete 50%, one
    simulation at a time: each run is judged once 5 of its 10 passed (all the rest failing
    would still be 50%, and 5 not completed of 10 is allowed) — but the second simulation
    must be queued before the first can be called a pass, so only its run stops early."""
    emu = emulator(_scenario(1.0), api_key=KEY, speed=5.0)
    spec = _spec(tmp_path, {"allow_incomplete": "50%", "max_parallel": 2}, "pass_rate >= 50%")
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 0, out
    report = json.loads((tmp_path / "report.json").read_text())
    early = report["decided_early"]
    assert early["outcome"] == "pass"
    totals = [s["counts"]["total"] for s in report["simulations"]]
    assert all(5 <= t <= HUMANS for t in totals)
    assert early["ended_unscored"] == 2 * HUMANS - sum(totals) > 0
    assert early["warnings_judged_on_scored"] is True
    assert "warning-severity checks were judged on the" in out


def test_without_the_key_the_gate_waits_for_every_conversation(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = emulator(_scenario(0.0), api_key=KEY, speed=20.0)
    spec = _spec(tmp_path, {"stop_when_decided": False}, "pass_rate >= 80%")
    code, _, _ = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 1
    report = json.loads((tmp_path / "report.json").read_text())
    assert "decided_early" not in report
    assert [s["counts"]["total"] for s in report["simulations"]] == [HUMANS, HUMANS]
    assert _ended_ids(emu) == []


def test_an_early_stopping_round_is_decided_at_its_per_look_level(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """repeat 2 up to max_repeats 6 at 95% (5 looks, 99% each), every conversation
    failing `pass_rate >= 70%`: once 6 of the first round's 10 failed, even 4 passes give
    a 99% interval below 70%, so the round is ended early and no second round is queued."""
    scenario = _scenario(0.0)
    scenario["simulations"] = scenario["simulations"][:1]
    emu = emulator(scenario, api_key=KEY, speed=5.0)
    spec = _spec(
        tmp_path,
        {"repeat": 2, "max_repeats": 6, "confidence": 0.95},
        "pass_rate >= 70%",
    )
    data = yaml.safe_load(spec.read_text())
    data["simulations"] = [{"id": 4821, "digital_human_ids": [100, 101, 102, 103, 104]}]
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 1, out
    queued = [r for r in emu.requests if r.method == "POST" and r.path == QUEUE]
    assert len(queued) == 1
    report = json.loads((tmp_path / "report.json").read_text())
    (sim,) = report["simulations"]
    assert 6 <= sim["counts"]["total"] < 10
    assert report["decided_early"]["outcome"] == "fail"
    assert report["decided_early"]["ended_unscored"] == 10 - sim["counts"]["total"]


def test_a_shard_is_decided_on_its_own_simulations(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """``--shard 1/2`` runs one of the two simulations: the other, not this shard's to
    run, does not hold the pass back."""
    emu = emulator(_scenario(1.0), api_key=KEY, speed=5.0)
    spec = _spec(tmp_path, {"allow_incomplete": "50%", "max_parallel": 2}, "pass_rate >= 50%")
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, spec, "--shard", "1/2")
    assert code == 0, out
    report = json.loads((tmp_path / "report.json").read_text())
    (sim,) = report["simulations"]
    assert report["decided_early"]["outcome"] == "pass"
    assert 5 <= sim["counts"]["total"] <= HUMANS
    assert len([r for r in emu.requests if r.method == "POST" and r.path == QUEUE]) == 1
