"""The look-ups before queueing run concurrently within ``run.max_parallel`` (simulations,
digital humans, definitions), through the real CLI against an emulator whose look-ups
answer after a delay; errors and warnings come out in spec order as before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.emulator import Emulator
from tests.helpers.gate import KEY, run_cli

Factory = Callable[..., Emulator]
SIMS = 12
DELAY = 0.3  # every look-up answers after this long: one still out is in flight
LOOKUPS = ("/v1/simulation/", "/v1/digital-humans-by-simulation/")


def _scenario() -> dict[str, Any]:
    return {
        "seed": 2,
        "agents": [{"id": 101, "name": "Bot", "external_agent_id": "bot", "system_prompt": "p"}],
        "custom_metrics": [{"name": "Greeting compliance", "response_type": "pass_fail"}],
        "simulations": [
            {
                "id": 5000 + s,
                "name": f"S{s}",
                "agent": "bot",
                "digital_humans": [{"id": 100 + s, "name": "H"}],
                "scores": {"Greeting compliance": {"pass_rate": 1.0}},
            }
            for s in range(SIMS)
        ],
        "faults": [
            {"endpoint": f"GET {path}*", "kind": "slow", "delay": DELAY} for path in LOOKUPS
        ],
    }


def _spec(tmp_path: Path, ids: list[int], max_parallel: int) -> Path:
    data = {
        "version": 1,
        "agent": {"external_id": "bot", "name": "Bot", "system_prompt": "p"},
        "run": {"poll_interval": "0.05s", "max_parallel": max_parallel},
        "simulations": [{"id": i} for i in ids],
        "thresholds": {"Greeting compliance": "pass_rate >= 50%"},
    }
    path = tmp_path / "bluejay-gate.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _in_flight(emu: Emulator) -> int:
    """The most look-ups surely out at once: each answers ``DELAY`` after it arrived, so
    every one that arrived less than ``DELAY`` before another is still out then."""
    times = sorted(r.time for r in emu.requests if r.path.startswith(LOOKUPS))
    return max(sum(1 for t in times if arrived - DELAY < t <= arrived) for arrived in times)


@pytest.mark.parametrize("max_parallel", [1, 4])
def test_lookups_run_within_max_parallel(
    emulator: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    max_parallel: int,
) -> None:
    emu = emulator(_scenario(), api_key=KEY, speed=50.0)
    spec = _spec(tmp_path, [5000 + s for s in range(SIMS)], max_parallel)
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, spec, "--dry-run")
    assert code == 0, out
    lookups = [r.path for r in emu.requests if r.path.startswith(LOOKUPS)]
    assert sorted(lookups) == sorted(f"{p}{5000 + s}" for p in LOOKUPS for s in range(SIMS))
    got = _in_flight(emu)
    if max_parallel == 1:
        assert got == 1  # one after another, as before
    else:
        assert 2 <= got <= max_parallel
    assert out.count("would queue:") == SIMS
    # the plan lists the simulations in spec order, whatever order the answers came in
    assert [
        line.split("(simulation ")[1].split(")")[0]
        for line in out.splitlines()
        if line.startswith("would queue:")
    ] == [str(5000 + s) for s in range(SIMS)]


def test_the_first_missing_simulation_in_spec_order_is_the_error(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Two ids do not exist; the concurrent look-ups may answer in any order, but the
    error names the first in the spec, as one after another did; nothing is queued."""
    emu = emulator(_scenario(), api_key=KEY, speed=50.0)
    ids = [5000, 5001, 9998, 5002, 5003, 9999, 5004]
    spec = _spec(tmp_path, ids, 8)
    lines = spec.read_text().splitlines()
    first = next(n for n, line in enumerate(lines, start=1) if "9998" in line)
    for _ in range(2):
        code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
        assert code == 3
        assert f"{spec}:{first}: simulation 9998 not found in Bluejay: check the id" in out + err
        assert "9999" not in out + err
    assert [r for r in emu.requests if r.method == "POST"] == []
