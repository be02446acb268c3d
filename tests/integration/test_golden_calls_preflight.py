"""Check before paying covers call sets: a ``calls:`` threshold that cannot be judged on
Bluejay's metric definitions stops the gate (exit 2, located, "nothing was queued")
before any ``POST /v1/evaluate`` or queue call, through the real CLI against the
emulator; ``--dry-run`` says so too, and a spec with calls only is checked as well."""

from __future__ import annotations

import copy
from collections.abc import Callable

from bluejay_gate.emulator import Emulator
from tests.helpers.gate import KEY, SPEED, run_cli
from tests.integration.test_golden_calls import SCENARIO, call, evaluate_posts, write_spec

SIMULATION = """\
simulations:
  - id: "4821"
    name: Billing regressions
    thresholds:
      "Refund policy followed": pass_rate >= 100%
"""


def _paid(emu: Emulator) -> tuple[int, int]:
    queued = [r for r in emu.requests if r.method == "POST" and "queue" in r.path]
    return len(evaluate_posts(emu)), len(queued)


def _emu(emulator: Callable[..., Emulator]) -> Emulator:
    return emulator(copy.deepcopy(SCENARIO), api_key=KEY, speed=SPEED)


def test_unknown_metric_in_a_call_set_sends_nothing(
    tmp_path, monkeypatch, capsys, emulator: Callable[..., Emulator]
) -> None:
    emu = _emu(emulator)
    thresholds = '      "Empathyy": mean >= 7\n'
    spec = write_spec(
        tmp_path, {"a.json": call("refund")}, thresholds=thresholds, simulations=SIMULATION
    )
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 2, out + err
    line = err.strip()
    assert line.count("\n") == 0
    assert f"{spec}:" in line
    assert "no custom metric named 'Empathyy'" in line
    assert "did you mean 'Empathy'?" in line
    assert line.endswith("nothing was queued")
    assert _paid(emu) == (0, 0)
    assert emu.state.calls == {}
    assert not (tmp_path / "report.json").exists()


def test_calls_only_spec_is_checked_and_dry_run_says_so(
    tmp_path, monkeypatch, capsys, emulator: Callable[..., Emulator]
) -> None:
    emu = _emu(emulator)
    thresholds = '      "Refund policy followed": pass_rate >= 100%\n      "Tone": mean >= 7\n'
    spec = write_spec(tmp_path, {"a.json": call("refund")}, thresholds=thresholds)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec, "--dry-run")
    assert code == 2, out + err
    assert "no custom metric named 'Tone'" in err
    assert err.strip().endswith("nothing was queued")
    assert "would evaluate" not in out
    assert {r.method for r in emu.requests} == {"GET"}
    assert any(r.path == "/v1/custom-metrics" for r in emu.requests)
    assert _paid(emu) == (0, 0)


def test_a_call_set_threshold_its_kind_cannot_have(
    tmp_path, monkeypatch, capsys, emulator: Callable[..., Emulator]
) -> None:
    """``Refund policy followed`` is pass/fail: a mean of it cannot be judged."""
    emu = _emu(emulator)
    thresholds = '      "Refund policy followed": mean >= 7\n'
    spec = write_spec(tmp_path, {"a.json": call("refund")}, thresholds=thresholds)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 2, out + err
    assert "'Refund policy followed' (pass_fail" in err
    assert err.strip().endswith("nothing was queued")
    assert _paid(emu) == (0, 0)


def test_min_samples_beyond_the_call_files(
    tmp_path, monkeypatch, capsys, emulator: Callable[..., Emulator]
) -> None:
    emu = _emu(emulator)
    thresholds = '      "Empathy":\n        check: mean >= 7\n        min_samples: 3\n'
    files = {"a.json": call("refund"), "b.json": call("refund too")}
    spec = write_spec(tmp_path, files, thresholds=thresholds)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 2, out + err
    assert "min_samples 3 cannot be reached: call set 'Refund calls' has 2 call files" in err
    assert _paid(emu) == (0, 0)


def test_known_metrics_in_a_call_set_still_run(
    tmp_path, monkeypatch, capsys, emulator: Callable[..., Emulator]
) -> None:
    emu = _emu(emulator)
    spec = write_spec(tmp_path, {"a.json": call("refund")})
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 0, out + err
    assert _paid(emu) == (1, 0)
