"""``--baseline PATH`` through the real CLI against the emulator: a first run's report is
the second run's baseline; delta checks pass, fail or are skipped, every report shows the
change, and a baseline that cannot be used is exit 2 with nothing sent."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.earlier.baseline_document import SCHEMA_VERSION as READ_VERSION
from bluejay_gate.emulator import Emulator
from bluejay_gate.report.jsonreport import SCHEMA_VERSION
from tests.helpers.action import KEY as ACTION_KEY
from tests.helpers.action import quickstart_scenario, read_outputs, run_action, workspace
from tests.helpers.gate import KEY, SPEED, junit_agrees, run_cli
from tests.helpers.typed import as_object

Factory = Callable[..., Emulator]
DELTAS = {
    "goal_success": "delta(pass_rate) >= -10%",
    "Empathy": ["mean >= 7", "min >= 4", "delta(mean) >= -0.5"],
}


def _spec(workdir: Path, thresholds: dict[str, Any] | None = None) -> Path:
    """The quickstart spec in ``workdir`` with a quick poll and ``thresholds`` added."""
    ws = workspace(workdir, failing=False)
    path = ws / "gate" / "bluejay-gate.yml"
    data = as_object(yaml.safe_load(path.read_text()), "spec")
    data["thresholds"].update(thresholds or {})
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _worse(scenario: dict[str, Any]) -> dict[str, Any]:
    """The quickstart scenario with Empathy two points lower in every simulation."""
    for sim in scenario["simulations"]:
        sim["scores"]["Empathy"]["mean"] -= 2
    return scenario


def _first_run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    emu: Emulator,
) -> tuple[Path, Path]:
    """The spec (with delta checks) and a first run's report, kept as the baseline."""
    spec = _spec(tmp_path, DELTAS)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 0, out + err
    base = tmp_path / "main-report.json"
    shutil.copy(tmp_path / "report.json", base)
    return spec, base


def _compare(
    emulator: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    scenario: dict[str, Any],
    change: Callable[[dict[str, Any]], object] | None = None,
) -> tuple[int, str, str, Path]:
    """A first run on the quickstart, its report (changed by ``change``) as the baseline of
    a second run on a new emulator with ``scenario``."""
    first = emulator(quickstart_scenario(), api_key=KEY, speed=SPEED)
    spec, base = _first_run(tmp_path, monkeypatch, capsys, first)
    if change is not None:
        data = json.loads(base.read_text())
        change(data)
        base.write_text(json.dumps(data))
    second = emulator(scenario, api_key=KEY, speed=SPEED)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, second, spec, "--baseline", str(base))
    return code, out, err, base


def _checks(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(s["label"], c["label"]): c for s in report["simulations"] for c in s["checks"]}


@pytest.mark.needs_shared
def test_first_run_skips_delta_checks_and_still_passes(
    emulator: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=SPEED)
    spec = _spec(tmp_path, DELTAS)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 0, out + err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["schema_version"] == SCHEMA_VERSION == READ_VERSION == 2
    assert len(report["spec_sha256"]) == 64
    assert report["agent"]["external_id"] == "support-bot"
    assert len(report["agent"]["fields_sha256"]) == 64
    assert report["baseline"] is None
    checks = _checks(report)
    skipped = checks[("Billing regressions", "goal_success: delta(pass_rate) >= -10%")]
    assert skipped["outcome"] == "skipped"
    assert skipped["message"].startswith("no baseline was given: run with --baseline")
    assert skipped["baseline"] is None
    assert checks[("Smoke test", "Empathy: mean >= 7")]["baseline"] is None
    assert "- Billing regressions" not in out
    assert "skipped: no baseline was given" in out
    assert "2 skipped" in out  # two delta checks in each simulation
    xml = junit_agrees(tmp_path, code)
    assert xml.count('<skipped message="no baseline was given') == 4
    assert 'skipped="2"' in xml
    summary = (tmp_path / "summary.md").read_text()
    assert (
        "- ⏭️ goal\\_success: delta(pass\\_rate) >= -10% skipped: no baseline was given" in summary
    ), summary


@pytest.mark.needs_shared
def test_second_run_compares_with_the_first(
    emulator: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the same scenario and seed on a new emulator: the same scores again
    code, out, err, base = _compare(emulator, tmp_path, monkeypatch, capsys, quickstart_scenario())
    assert code == 0, out + err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["baseline"].startswith(f"baseline {base} (finished ")
    first = json.loads(base.read_text())
    was = _checks(first)
    checks = _checks(report)
    for key, check in checks.items():
        assert check["baseline"] is not None, key
        assert check["baseline"]["samples"] > 0, key
    mean = checks[("Billing regressions", "Empathy: mean >= 7")]
    assert mean["baseline"]["value"] == pytest.approx(
        was[("Billing regressions", "Empathy: mean >= 7")]["observed"]
    )
    assert mean["baseline"]["delta"] == pytest.approx(mean["observed"] - mean["baseline"]["value"])
    delta = checks[("Billing regressions", "Empathy: delta(mean) >= -0.5")]
    assert delta["outcome"] == "pass"
    assert delta["observed"] == pytest.approx(delta["baseline"]["delta"])
    assert delta["message"].startswith("change ")
    assert re.search(
        r"\n    Δ Empathy: mean >= 7 — [\d.]+ \(baseline [\d.]+, change [-+]?[\d.]+, "
        r"baseline n=5\)\n",
        out,
    ), out
    assert "(baseline " in out
    summary = (tmp_path / "summary.md").read_text()
    assert "| Baseline | Change |" in summary
    assert "**Compared with:** baseline" in summary
    junit_agrees(tmp_path, code)


@pytest.mark.needs_shared
def test_a_regression_against_the_baseline_fails(
    emulator: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err, _ = _compare(
        emulator, tmp_path, monkeypatch, capsys, _worse(quickstart_scenario())
    )
    assert code == 1, out + err
    checks = _checks(json.loads((tmp_path / "report.json").read_text()))
    for label in ("Billing regressions", "Smoke test"):
        delta = checks[(label, "Empathy: delta(mean) >= -0.5")]
        assert delta["outcome"] == "fail"
        assert delta["observed"] == pytest.approx(-2, abs=1)
        assert delta["baseline"]["delta"] == pytest.approx(delta["observed"])
    assert "✘ Empathy: delta(mean) >= -0.5" in out
    junit_agrees(tmp_path, code)


@pytest.mark.needs_shared
def test_a_baseline_without_the_simulation_skips_its_delta_checks(
    emulator: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:

    def drop_smoke(data: dict[str, Any]) -> None:
        data["simulations"] = [s for s in data["simulations"] if s["label"] != "Smoke test"]

    code, out, err, base = _compare(
        emulator, tmp_path, monkeypatch, capsys, _worse(quickstart_scenario()), drop_smoke
    )
    assert code == 1, out + err  # Billing regressions still fails its delta
    checks = _checks(json.loads((tmp_path / "report.json").read_text()))
    smoke = checks[("Smoke test", "Empathy: delta(mean) >= -0.5")]
    assert smoke["outcome"] == "skipped"
    assert smoke["message"].startswith(f"the baseline {base} has no simulation 'Smoke test' (")
    assert checks[("Smoke test", "Empathy: mean >= 7")]["baseline"] is None


def _unusable(base: Path, change: Callable[[dict[str, Any]], object]) -> None:
    data = json.loads(base.read_text())
    change(data)
    base.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d.update(schema_version=1),
            "schema_version 1, expected 2: written by an older bluejay-gate; run it again on "
            "the base branch",
        ),
        (
            lambda d: d.update(schema_version=3),
            "schema_version 3, expected 2: written by a newer bluejay-gate",
        ),
        (
            lambda d: d["agent"].update(external_id="other-bot"),
            "written for the agent with external_id 'other-bot', not 'support-bot'",
        ),
        (
            lambda d: d.update(spec="other/bluejay-gate.yml"),
            "written for the spec 'other/bluejay-gate.yml'",
        ),
        (lambda d: d.pop("spec_sha256"), "records no spec or agent"),
        (lambda d: d.update(tool={"name": "other"}), "not a bluejay-gate JSON report"),
        (
            lambda d: d["simulations"][0]["conversations"][0].pop("completed"),
            "has no completed true/false",
        ),
        (
            lambda d: d["simulations"][0]["conversations"][0]["metrics"]["Empathy"].pop(
                "response_type"
            ),
            "metric 'Empathy' has no response_type",
        ),
        (lambda d: d.update(dry_run=True), "the report of a dry run has no results"),
    ],
)
@pytest.mark.needs_shared
def test_an_unusable_baseline_is_exit_2_with_nothing_sent(
    emulator: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[dict[str, Any]], object],
    message: str,
) -> None:
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=SPEED)
    spec, base = _first_run(tmp_path, monkeypatch, capsys, emu)
    _unusable(base, change)
    emu.clear_requests()
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec, "--baseline", str(base))
    assert code == 2, out + err
    assert err.startswith(f"bluejay-gate: error: {base}: ")
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert emu.requests == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "report not found: pass the JSON report of an earlier run"),
        ("{not json", "not JSON (line 1)"),
        ("[1, 2]", "not a bluejay-gate JSON report"),
    ],
)
def test_a_missing_or_broken_baseline_file_is_exit_2(
    emulator: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=SPEED)
    spec = _spec(tmp_path, DELTAS)
    base = tmp_path / "main-report.json"
    if content is not None:
        base.write_text(content)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec, "--baseline", str(base))
    assert code == 2, out + err
    assert (
        err
        == f"bluejay-gate: error: {base}: {message}"
        + err[len(f"bluejay-gate: error: {base}: {message}") :]
    )
    assert message in err
    assert emu.requests == []


@pytest.mark.needs_shared
def test_the_action_input_baseline_reaches_the_gate(emulator: Factory, tmp_path: Path) -> None:
    emu = emulator(quickstart_scenario(), api_key=ACTION_KEY, speed=SPEED)
    first = tmp_path / "first"
    first.mkdir()
    ws = workspace(first, failing=False)
    gate = ws / "gate"
    spec = gate / "bluejay-gate.yml"
    code, log, _output, _summary = run_action(emu, ws, first)
    assert code == 0, log
    (gate / "main-report.json").write_text((gate / "bluejay-report.json").read_text())
    worse = emulator(_worse(quickstart_scenario()), api_key=ACTION_KEY, speed=SPEED)
    text = spec.read_text().replace(
        '"Empathy": [mean >= 7, min >= 4]',
        '"Empathy": [mean >= 5, min >= 0, "delta(mean) >= -0.5"]',
    )
    spec.write_text(text)
    code, log, output, summary = run_action(
        worse, ws, first, extra_env={"INPUT_BASELINE": "main-report.json"}
    )
    assert code == 1, log
    assert read_outputs(output)["exit-code"] == "1"
    assert "comparing with the baseline main-report.json" in log
    assert "the spec file changed since" in log
    assert "| Baseline | Change |" in summary.read_text()
    shown = [line for line in log.splitlines() if not line.startswith("::add-mask::")]
    for text in (*shown, summary.read_text(), (gate / "bluejay-report.json").read_text()):
        assert ACTION_KEY not in text


@pytest.mark.needs_shared
def test_an_inconclusive_delta_queues_more_repeats(
    emulator: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Early stopping sees the baseline: 5/5 against the baseline's 5/5 at 95% cannot rule
    out a 10-point drop, so Billing regressions is repeated up to max_repeats."""
    first = emulator(quickstart_scenario(), api_key=KEY, speed=SPEED)
    spec, base = _first_run(tmp_path, monkeypatch, capsys, first)
    data = as_object(yaml.safe_load(spec.read_text()), "spec")
    data["simulations"][0]["max_repeats"] = 3
    data["thresholds"]["goal_success"] = {
        "check": "delta(pass_rate) >= -10%",
        "confidence": 0.95,
    }
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    second = emulator(quickstart_scenario(), api_key=KEY, speed=SPEED)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, second, spec, "--baseline", str(base))
    assert code == 3, out + err
    assert second.count("POST", "/v1/queue-simulation-run") == 4  # 3 looks + Smoke test
    assert "inconclusive after 1 per digital human (goal_success: delta(pass_rate) >= -10%)" in out
    checks = _checks(json.loads((tmp_path / "report.json").read_text()))
    goal = checks[("Billing regressions", "goal_success: delta(pass_rate) >= -10%")]
    assert goal["inconclusive"] is True
    assert goal["samples"] == 15
    assert goal["baseline"] == {"value": 1.0, "delta": 0.0, "samples": 5}
    assert goal["confidence_used"] == pytest.approx(1 - 0.05 / 3)
