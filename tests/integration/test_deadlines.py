"""Time: final states give a verdict at once (counted in polls against the emulator's
manual clock, not wall time), and ``timeout`` holds when the API is slow or every
request is retried.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator, ManualClock
from tests.helpers.specs import QUICKSTART, prepare
from tests.helpers.typed import as_object

KEY = "deadline-canary-key-0c4b"
RESULTS = "/v1/retrieve-simulation-results/"


def _scenario(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = as_object(yaml.safe_load((QUICKSTART / "emulator.yml").read_text()), "emulator.yml")
    for sim in data["simulations"]:
        change(sim)
    return data


def _unfunded(sim: dict[str, Any]) -> None:
    sim["run_outcome"] = "INSUFFICIENT_FUNDS"


def _incompleted(sim: dict[str, Any]) -> None:
    sim["run_outcome"] = "INCOMPLETED"


def _none_completed(sim: dict[str, Any]) -> None:
    sim["result_statuses"] = {dh["id"]: "NO_CONNECTION" for dh in sim["digital_humans"]}


def _gate_process(emu: Emulator, tmp_path: Path) -> subprocess.Popen[str]:
    spec = prepare(tmp_path / "spec")
    env = {**os.environ, "BLUEJAY_API_KEY": KEY, "NO_COLOR": "1"}
    argv = [sys.executable, "-m", "bluejay_gate", "run", "--spec", str(spec)]
    argv += ["--base-url", emu.base_url, "--report", str(tmp_path / "report.json")]
    argv += ["--junit", str(tmp_path / "junit.xml")]
    return subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _polls_at(emu: Emulator, at: float) -> dict[str, int]:
    """Results polls per run received when the emulator clock read ``at`` or later."""
    counts: dict[str, int] = {}
    for r in emu.requests:
        if r.path.startswith(RESULTS) and r.time >= at:
            counts[r.path] = counts.get(r.path, 0) + 1
    return counts


@pytest.mark.parametrize(
    ("change", "expected_status", "codes"),
    [
        (_unfunded, "INSUFFICIENT_FUNDS", {3}),
        # Every conversation completed and was scored: the run's own INCOMPLETED does
        # not hide a verdict.
        (_incompleted, "INCOMPLETED", {0}),
        # No conversation completed: no verdict (3), or a fail (1) from the run-level
        # score, which stays Bluejay's own counters (0 of n passed).
        (_none_completed, "NO_CONNECTION", {1, 3}),
    ],
    ids=["insufficient-funds", "run-incompleted", "no-result-completed"],
)
def test_final_state_within_one_poll(
    tmp_path: Path,
    change: Callable[[dict[str, Any]], None],
    expected_status: str,
    codes: set[int],
) -> None:
    """The emulator clock stands still while the gate polls (it must keep waiting), then
    jumps past every run's end: each run is polled exactly once more and the gate gives
    its verdict, never by timing out."""
    clock = ManualClock()
    emu = Emulator(_scenario(change), api_key=KEY, clock=clock).start()
    try:
        proc = _gate_process(emu, tmp_path)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(_polls_at(emu, 0.0)) < 2:
            time.sleep(0.02)
        assert len(_polls_at(emu, 0.0)) == 2, "both runs are being polled"
        time.sleep(0.2)  # a few polls while nothing moves
        assert proc.poll() is None, "nothing is final yet: the gate must still wait"
        clock.advance(1000.0)
        out, err = proc.communicate(timeout=30)
        after = _polls_at(emu, 1000.0)
    finally:
        emu.stop()
    assert proc.returncode in codes, out + err
    assert sorted(after.values()) == [1, 1], after
    assert expected_status in out
    assert "timed out" not in out
    assert emu.count("POST", "/v1/end-conversations") == 0


# -- the overall budget -----------------------------------------------------------------


def _timed_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], emu: Emulator, timeout: str
) -> tuple[int, float, str]:
    spec = prepare(tmp_path / "spec")
    data = yaml.safe_load(spec.read_text())
    data["run"]["poll_interval"] = "0.5s"
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    argv = ["run", "--spec", str(spec), "--base-url", emu.base_url, "--timeout", timeout]
    argv += ["--junit", str(tmp_path / "j.xml"), "--report", str(tmp_path / "r.json")]
    started = time.monotonic()
    with pytest.raises(SystemExit) as info:
        main(argv)
    elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    assert isinstance(info.value.code, int)
    return info.value.code, elapsed, out + err


# Past the budget the gate still makes one end-conversations call (itself slow here) and
# writes its reports: allowed on top of one poll interval.
CLEAN_UP = 1.0


@pytest.mark.slow
@pytest.mark.slow
@pytest.mark.parametrize(
    "faults",
    [
        ["*:slow:1:delay=0.4"],  # every answer takes 0.4 s
        ["*:503:1:times=1000:retry_after=0.3"],  # every request fails, retried after 0.3 s
        ["GET /v1/retrieve-simulation-results/*:503:1:retry_after=0.3"],  # polls only
    ],
    ids=["all-slow", "all-retried", "polls-always-503"],
)
def test_timeout_holds_when_the_api_is_slow(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, faults: list[str]
) -> None:
    """timeout 5 s, poll interval 0.5 s: the gate ends (exit 3) within one poll interval
    of its budget, plus one clean-up call, however slow or failing the API is. (With every
    answer 0.4 s late the set-up before queueing, about eight calls one after another,
    takes some 3.3 s: a 3 s budget ran out during it and the test measured the set-up.)"""
    monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
    monkeypatch.setenv("NO_COLOR", "1")
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    emu = Emulator(scenario, api_key=KEY, speed=0.05).start()  # runs take ~40 s
    emu.set_faults(faults)
    try:
        code, elapsed, output = _timed_gate(tmp_path, capsys, emu, "5s")
    finally:
        emu.stop()
    assert code == 3, output
    assert elapsed < 5.0 + 0.5 + CLEAN_UP, f"took {elapsed:.2f} s for a 5 s budget"
    assert json.loads((tmp_path / "r.json").read_text())["exit_code"] == 3
