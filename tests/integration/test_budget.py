"""A budget (``run.max_conversations``) through the real CLI against the emulator: a plan
beyond it is refused with one line before anything is changed or queued (exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.emulator import Emulator
from tests.conftest import ROOT
from tests.helpers.gate import KEY, SPEED, run_cli

EXAMPLE = ROOT / "examples" / "repeats"
Factory = Callable[..., Emulator]


def _spec(tmp_path: Path, **run: Any) -> Path:
    """5 digital humans, repeat 2 up to max_repeats 6: 10 to up to 30 conversations."""
    data = yaml.safe_load((EXAMPLE / "bluejay-gate.yml").read_text())
    data["run"] = {"poll_interval": "0.05s", "repeat": 2, "max_repeats": 6, **run}
    data["run"]["confidence"] = 0.95
    path = tmp_path / "bluejay-gate.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _emulator(emulator: Factory) -> Emulator:
    scenario = yaml.safe_load((EXAMPLE / "emulator.yml").read_text())
    return emulator(scenario, api_key=KEY, speed=SPEED)


def _line_of(path: Path, key: str) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.strip().startswith(key))


def test_a_plan_over_the_budget_is_refused_before_anything_is_queued(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = _emulator(emulator)
    spec = _spec(tmp_path, max_conversations=25)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 2
    line = _line_of(spec, "max_conversations:")
    wanted = (
        f"{spec}:{line}: run.max_conversations: the plan queues up to 30 conversations "
        "(10 in the first round, more only while a check is inconclusive), over the budget of 25"
    )
    (message,) = [m for m in (out + err).splitlines() if "max_conversations" in m]
    assert wanted in message
    assert message.endswith("nothing was queued")
    assert [r.method for r in emu.requests if r.method != "GET"] == []
    assert not (tmp_path / "report.json").exists()


def test_the_dry_run_shows_the_budget_and_refuses_too(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = _emulator(emulator)
    code, out, _ = run_cli(
        tmp_path, monkeypatch, capsys, emu, _spec(tmp_path, max_conversations=25), "--dry-run"
    )
    assert code == 2
    assert "in total: 10 to up to 30 conversations" in out
    assert "over budget: the plan queues up to 30 conversations" in out
    code, out, _ = run_cli(
        tmp_path, monkeypatch, capsys, emu, _spec(tmp_path, max_conversations=30), "--dry-run"
    )
    assert code == 0
    assert "budget: 30 of at most 30 conversations (run.max_conversations)" in out
    assert [r.method for r in emu.requests if r.method != "GET"] == []


def test_a_plan_within_the_budget_runs(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = _emulator(emulator)
    code, out, _ = run_cli(
        tmp_path, monkeypatch, capsys, emu, _spec(tmp_path, max_conversations=30)
    )
    assert code in (0, 1, 3), out
    assert (tmp_path / "report.json").exists()
    queued = sum(len(r.conversations) for r in emu.state.runs.values())
    assert 10 <= queued <= 30
