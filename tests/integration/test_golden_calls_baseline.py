"""``--baseline`` for call sets through the real CLI against the emulator: a calls-only
run's report is the next run's baseline; the call set is matched by name, a
``delta(pass_rate)`` on it is compared (passes, or fails on a regression), every checked
metric of it shows its change in the console, the summary and the JSON, and a baseline
without the call set skips its delta check with the reason."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bluejay_gate.emulator import Emulator
from tests.helpers.gate import KEY, SPEED, junit_agrees, run_cli
from tests.integration.test_golden_calls import SCENARIO, call, write_spec

# the plain pass_rate check passes at 50%: only the delta can fail the regression
DELTA = (
    '      "Refund policy followed": [pass_rate >= 50%, "delta(pass_rate) >= -10%"]\n'
    '      "Empathy": mean >= 7\n'
)
GOOD = {"a.json": call("refund please"), "b.json": call("I want a refund")}


def _first_run(
    tmp_path: Path, monkeypatch: Any, capsys: Any, emulator: Callable[..., Emulator]
) -> Path:
    """A calls-only run (every call passes); its JSON report kept as the baseline."""
    spec = write_spec(tmp_path, GOOD)
    emu = emulator(copy.deepcopy(SCENARIO), api_key=KEY, speed=SPEED)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 0, out + err
    return (tmp_path / "report.json").rename(tmp_path / "main-report.json")


def _second_run(
    tmp_path: Path,
    monkeypatch: Any,
    capsys: Any,
    emulator: Callable[..., Emulator],
    base: Path,
    files: dict[str, dict[str, Any]],
) -> tuple[int, str, dict[str, Any]]:
    spec = write_spec(tmp_path, files, thresholds=DELTA)
    emu = emulator(copy.deepcopy(SCENARIO), api_key=KEY, speed=SPEED)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec, "--baseline", str(base))
    assert code in (0, 1), out + err
    (entry,) = json.loads((tmp_path / "report.json").read_text())["call_sets"]
    return code, out + err, {c["label"]: c for c in entry["checks"]}


def test_a_call_set_is_compared_with_its_baseline(
    tmp_path, monkeypatch, capsys, emulator: Callable[..., Emulator]
) -> None:
    base = _first_run(tmp_path, monkeypatch, capsys, emulator)
    code, out, checks = _second_run(tmp_path, monkeypatch, capsys, emulator, base, GOOD)
    assert code == 0, out
    delta = checks["Refund policy followed: delta(pass_rate) >= -10%"]
    assert delta["outcome"] == "pass"
    assert delta["observed"] == 0
    assert delta["baseline"]["value"] == 1
    assert delta["baseline"]["samples"] == 2
    mean = checks["Empathy: mean >= 7"]
    assert mean["outcome"] == "pass"
    assert mean["baseline"]["value"] == 8
    assert mean["baseline"]["delta"] == 0
    assert re.search(r"\n    Δ Empathy: mean >= 7 — 8 \(baseline 8, change [+-]?0", out), out
    summary = (tmp_path / "summary.md").read_text()
    assert "| Baseline | Change |" in summary
    assert "**Compared with:** baseline " in summary
    assert "| ✅ | Empathy: mean >= 7 | 8 | >= 7 | 2 | 8 | 0 |" in summary
    junit_agrees(tmp_path, code)


def test_a_regression_of_a_call_set_fails(
    tmp_path, monkeypatch, capsys, emulator: Callable[..., Emulator]
) -> None:
    base = _first_run(tmp_path, monkeypatch, capsys, emulator)
    worse = {"a.json": call("refund please"), "b.json": call("bought it 45 days ago")}
    code, out, checks = _second_run(tmp_path, monkeypatch, capsys, emulator, base, worse)
    assert code == 1, out
    assert checks["Refund policy followed: pass_rate >= 50%"]["outcome"] == "pass"
    assert checks["Empathy: mean >= 7"]["outcome"] == "pass"
    delta = checks["Refund policy followed: delta(pass_rate) >= -10%"]
    assert delta["outcome"] == "fail"
    assert delta["observed"] == -0.5
    assert delta["baseline"]["delta"] == -0.5
    assert "✘ Refund policy followed: delta(pass_rate) >= -10%" in out
    junit_agrees(tmp_path, code)


def test_a_baseline_without_the_call_set_skips_its_delta_check(
    tmp_path, monkeypatch, capsys, emulator: Callable[..., Emulator]
) -> None:
    base = _first_run(tmp_path, monkeypatch, capsys, emulator)
    data = json.loads(base.read_text())
    data["call_sets"][0]["name"] = "Other calls"
    base.write_text(json.dumps(data))
    code, out, checks = _second_run(tmp_path, monkeypatch, capsys, emulator, base, GOOD)
    assert code == 0, out
    delta = checks["Refund policy followed: delta(pass_rate) >= -10%"]
    assert delta["outcome"] == "skipped"
    assert delta["message"] == (
        f"the baseline {base} has no call set 'Refund calls'; it has 'Other calls'"
    )
    assert checks["Empathy: mean >= 7"]["baseline"] is None
