"""Repeats, confidence and early stopping through the real CLI against the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.emulator import Emulator
from tests.conftest import ROOT
from tests.helpers.gate import KEY, SPEED, junit_agrees, run_cli
from tests.helpers.typed import as_object

EXAMPLE = ROOT / "examples" / "repeats"
QUEUE = "/v1/queue-simulation-run"
Factory = Callable[..., Emulator]


def _scenario(**scores: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLE / "emulator.yml").read_text())
    data["simulations"][0]["scores"].update(scores)
    return data


def _spec(tmp_path: Path, run: dict[str, Any], thresholds: dict[str, Any] | None = None) -> Path:
    data = yaml.safe_load((EXAMPLE / "bluejay-gate.yml").read_text())
    data["run"] = {"poll_interval": "0.05s", **run}
    if thresholds is not None:
        data["thresholds"] = thresholds
    path = tmp_path / "bluejay-gate.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _early(tmp_path: Path, max_repeats: int) -> Path:
    """repeat 2, up to ``max_repeats``, `Greeting compliance: pass_rate >= 70%` at 95%."""
    run = {"repeat": 2, "max_repeats": max_repeats, "confidence": 0.95}
    return _spec(tmp_path, run, {"Greeting compliance": "pass_rate >= 70%"})


def _queue_bodies(emu: Emulator) -> list[dict[str, Any]]:
    return [
        as_object(r.body, f"POST {QUEUE} body")
        for r in emu.requests
        if r.method == "POST" and r.path == QUEUE
    ]


@pytest.mark.needs_shared
def test_repeat_uses_runs_per_digital_human_and_reports_flips(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """repeat: 3 is one queue call with runs_per_digital_human 3; every conversation keeps
    its digital human; 13 and 16 (pass rate 0.5) flip, the others never do."""
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    spec = _spec(
        tmp_path,
        {"repeat": 3},
        {
            "Greeting compliance": [
                "pass_rate >= 50%",
                {"each_digital_human": "passes >= 1"},
            ]
        },
    )
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    bodies = _queue_bodies(emu)
    assert [b["runs_per_digital_human"] for b in bodies] == [3]
    report = json.loads((tmp_path / "report.json").read_text())
    (sim,) = report["simulations"]
    humans = [c["digital_human_id"] for c in sim["conversations"]]
    assert sorted(humans) == sorted(["12", "13", "14", "15", "16"] * 3)
    flipping = {f["digital_human_id"] for f in sim["flips"]}
    assert flipping <= {"13", "16"}
    assert flipping  # seed 11: at least one of them disagrees with itself
    for flip in sim["flips"]:
        assert flip["metric"] == "Greeting compliance"
        assert 0 < flip["passed"] < flip["total"] == 3
    assert sim["repeats"]["repeat"] == 3
    assert sim["repeats"]["conversations"] == 15
    each = sim["checks"][1]
    assert each["label"] == "Greeting compliance: each digital human passes >= 1"
    assert each["per_digital_human"] is True
    xml = junit_agrees(tmp_path, code)
    assert "flips on Greeting compliance" in xml
    assert '<property name="repeat" value="3"/>' in xml
    assert "flip between pass and fail" in (tmp_path / "summary.md").read_text()
    assert KEY not in out + err


def test_early_stopping_queues_only_what_settles_the_check(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """All pass; `pass_rate >= 70%` at 95% over 5 planned looks (99% each): 10/10 and 15/15
    are inconclusive, 20/20 passes. So 3 queue calls (2, +1, +1 per digital human), not 5,
    and 10 of the 30 conversations max_repeats allows are saved."""
    scenario = _scenario()
    scenario["simulations"][0]["digital_human_scores"] = {}
    emu = emulator(scenario, api_key=KEY, speed=SPEED)
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, _early(tmp_path, 6))
    assert code == 0, out
    assert [b["runs_per_digital_human"] for b in _queue_bodies(emu)] == [2, 1, 1]
    report = json.loads((tmp_path / "report.json").read_text())
    (sim,) = report["simulations"]
    assert sim["repeats"] == {
        "repeat": 4,
        "max_repeats": 6,
        "looks": 3,
        "planned_looks": 5,
        "digital_humans": 5,
        "repeated_digital_humans": 5,
        "conversations": 20,
        "conversations_max": 30,
        "conversations_saved": 10,
    }
    (check,) = sim["checks"]
    assert check["confidence_used"] == pytest.approx(0.99)
    assert check["samples"] == 20
    assert check["outcome"] == "pass"
    assert "10 saved of 30" in out
    assert (
        "Billing regressions: inconclusive after 3 per digital human (Greeting compliance: "
        "pass_rate >= 70%); queueing repeat 4 of at most 6" in out
    )
    assert len(report["run_ids"]) == 3


@pytest.mark.needs_shared
def test_still_inconclusive_at_max_repeats_exits_3(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A pass rate near the threshold stays inconclusive: the gate stops at max_repeats
    and exits 3, saying how many more conversations would likely settle it."""
    emu = emulator(
        _scenario(**{"Greeting compliance": {"pass_rate": 0.8}}), api_key=KEY, speed=SPEED
    )
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, _early(tmp_path, 3))
    assert code == 3, out
    assert [b["runs_per_digital_human"] for b in _queue_bodies(emu)] == [2, 1]
    xml = junit_agrees(tmp_path, code)
    assert "inconclusive: observed" in xml
    assert "would likely settle it" in xml
    report = json.loads((tmp_path / "report.json").read_text())
    (check,) = report["simulations"][0]["checks"]
    assert check["inconclusive"] is True
    assert check["more_needed"] > 0
    assert check["samples"] == 15


def test_dry_run_plan_shows_repeats(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, _early(tmp_path, 6), "--dry-run")
    assert code == 0
    assert (
        "would queue: Billing regressions (simulation 4821), 2 per digital human "
        "(up to 6 while inconclusive), 1 check" in out
    )
    assert emu.count("POST", QUEUE) == 0


def test_max_repeats_sends_runs_per_digital_human_even_at_one(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """repeat 1 with max_repeats: every queue call says runs_per_digital_human 1, so
    Bluejay's fallback (the simulation's own setting) cannot change what the looks count."""
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    run = {"repeat": 1, "max_repeats": 3, "confidence": 0.95}
    spec = _spec(tmp_path, run, {"Greeting compliance": "pass_rate >= 70%"})
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    bodies = _queue_bodies(emu)
    assert bodies, out
    assert [b.get("runs_per_digital_human") for b in bodies] == [1] * len(bodies)
    assert code in (0, 3), out
