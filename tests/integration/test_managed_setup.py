"""Bluejay as code through the real CLI against the emulator: the setup is created
before anything is queued, a second run writes nothing but the queued runs, a change
writes only the changed fields, drift is reported and ``prune`` unlinks, a type change
is refused, a lost create answer is looked up instead of sent again, ``--dry-run`` only
reads, ``sync`` writes and queues nothing, ``--no-sync`` refuses a stale setup."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.emulator import Emulator
from bluejay_gate.emulator.scenario import Scenario
from tests.helpers.gate import KEY, SPEED, run_cli

ROOT = Path(__file__).resolve().parents[2]
MANAGED = ROOT / "examples" / "managed"
SIMULATION = "Billing regressions (managed)"
READS = {"GET"}
PAID = ("/v1/queue-simulation-run", "/v1/end-conversations")


def _setup(tmp_path: Path, change: Callable[[dict[str, Any]], None] | None = None) -> Path:
    folder = tmp_path / "spec"
    shutil.copytree(MANAGED, folder, dirs_exist_ok=True)
    spec = folder / "bluejay-gate.yml"
    data = yaml.safe_load(spec.read_text())
    data["run"]["poll_interval"] = "0.05s"
    if change is not None:
        change(data)
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    return spec


def _emulator(emulator: Callable[..., Emulator], **kwargs: Any) -> Emulator:
    scenario = Scenario.from_file(MANAGED / "emulator.yml")
    return emulator(scenario, api_key=KEY, speed=SPEED, **kwargs)


def _writes(emu: Emulator) -> list[tuple[str, str, Any]]:
    """Every request that changed something, but the paid ones (queueing, ending)."""
    return [
        (r.method, r.path, r.body)
        for r in emu.requests
        if r.method not in READS and not r.path.startswith(PAID) and r.path != "/v1/ping"
    ]


def _metrics(emu: Emulator) -> dict[str, dict[str, Any]]:
    with emu.state.lock:
        return {m["name"]: {"id": i, **m} for i, m in emu.state.metrics.items()}


def _simulation(emu: Emulator) -> Any:
    with emu.state.lock:
        (sim,) = [s for s in emu.state.simulations.values() if s.name == SIMULATION]
        return sim


def _report(tmp_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((tmp_path / "report.json").read_text())
    return data


def test_missing_setup_is_created_then_scored(
    emulator: Callable[..., Emulator],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = _emulator(emulator)
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, _setup(tmp_path))
    metrics = _metrics(emu)
    assert metrics["Resolution"]["response_type"] == "pass_fail"
    assert metrics["Resolution"]["agent_ids"] == [101]
    assert metrics["Empathy"]["description"].startswith("How empathetic was the agent")
    sim = _simulation(emu)
    assert sim.agent_id == 101
    assert sorted(sim.fields["selected_custom_metrics"]) == sorted(
        [metrics["Resolution"]["id"], metrics["Empathy"]["id"]]
    )
    with emu.state.lock:
        humans = [emu.state.digital_humans[i] for i in sim.digital_human_ids]
    assert [h["name"] for h in humans] == [
        "Disputed charge",
        "Late fee waiver",
        "Refund after 45 days",
        "Plan change",
    ]
    assert humans[0]["intent"].startswith("A customer who sees a charge of $49.99")
    # created before anything was queued: every write precedes the first queue call
    paths = [r.path for r in emu.requests]
    first_queue = paths.index("/v1/queue-simulation-run")
    assert (
        max(i for i, r in enumerate(emu.requests) if r.method == "POST" and "create" in r.path)
        < first_queue
    )
    report = _report(tmp_path)
    (simulation,) = report["simulations"]
    observed = {c["metric"] for c in simulation["checks"]}
    assert {"Resolution", "Empathy"} <= observed
    assert all(
        c["samples"] == 4 for c in simulation["checks"] if c["metric"] in {"Resolution", "Empathy"}
    )
    actions = [(c["kind"], c["name"], c["action"]) for c in report["setup"]["changes"]]
    assert actions[:3] == [
        ("custom metric", "Resolution", "create"),
        ("custom metric", "Empathy", "create"),
        ("simulation", SIMULATION, "create"),
    ]
    assert len(actions) == 7
    (drift,) = report["setup"]["drift"]
    assert drift["name"] == "Tone (legacy)"
    assert "drift: custom metric 'Tone (legacy)'" in out
    summary = (tmp_path / "summary.md").read_text()
    assert "## Bluejay setup" in summary
    assert "Tone (legacy)" in summary
    assert code in (0, 1)


def test_a_second_run_writes_nothing_but_the_queued_runs(
    emulator: Callable[..., Emulator],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = _emulator(emulator)
    spec = _setup(tmp_path)
    run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    emu.clear_requests()
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert _writes(emu) == []
    assert emu.count("POST", "/v1/queue-simulation-run") == 1
    assert "Bluejay setup: 7 records unchanged" in out
    assert _report(tmp_path)["setup"]["changes"] == []
    assert code in (0, 1)


def test_a_change_writes_only_the_changed_fields(
    emulator: Callable[..., Emulator],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = _emulator(emulator)
    run_cli(tmp_path, monkeypatch, capsys, emu, _setup(tmp_path))
    emu.clear_requests()

    def edit(data: dict[str, Any]) -> None:
        data["custom_metrics"][0]["scoring_guidance"] = "Pass when solved in this call."
        data["simulations"][0]["max_call_duration"] = 7
        data["simulations"][0]["digital_humans"][1]["language"] = "es"

    run_cli(tmp_path, monkeypatch, capsys, emu, _setup(tmp_path, edit))
    metric_id = _metrics(emu)["Resolution"]["id"]
    sim = _simulation(emu)
    late_fee = sim.digital_human_ids[1]
    assert _writes(emu) == [
        (
            "PUT",
            f"/v1/update-custom-metric/{metric_id}",
            {"scoring_guidance": "Pass when solved in this call."},
        ),
        ("PUT", f"/v1/simulation/{sim.id}", {"max_call_duration": 7}),
        ("PUT", f"/v1/update-digital-human/{late_fee}", {"language": "es"}),
    ]
    changes = _report(tmp_path)["setup"]["changes"]
    assert [c["changed"] for c in changes] == [
        ["scoring_guidance"],
        ["max_call_duration"],
        ["language"],
    ]


def test_drift_is_reported_and_prune_unlinks(
    emulator: Callable[..., Emulator],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = _emulator(emulator)

    def three_humans(data: dict[str, Any]) -> None:
        del data["simulations"][0]["digital_humans"][3]

    run_cli(tmp_path, monkeypatch, capsys, emu, _setup(tmp_path))  # four humans
    _, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, _setup(tmp_path, three_humans))
    assert "drift: digital human 'Plan change'" in out
    drift = {d["name"] for d in _report(tmp_path)["setup"]["drift"]}
    assert drift == {"Tone (legacy)", "Plan change"}
    assert len(_simulation(emu).digital_human_ids) == 4  # reported, not removed

    def prune(data: dict[str, Any]) -> None:
        three_humans(data)
        sim = data["simulations"][0]
        sim["digital_humans"] = {"prune": True, "items": sim["digital_humans"]}
        data["custom_metrics"] = {"prune": True, "items": data["custom_metrics"]}

    emu.clear_requests()
    run_cli(tmp_path, monkeypatch, capsys, emu, _setup(tmp_path, prune))
    legacy = _metrics(emu)["Tone (legacy)"]
    assert legacy["agent_ids"] == []  # unlinked, not deleted
    sim = _simulation(emu)
    assert len(sim.digital_human_ids) == 3
    assert [r.method for r in emu.requests if r.method == "DELETE"] == []
    report = _report(tmp_path)
    assert report["setup"]["drift"] == []
    assert {(c["name"], c["action"]) for c in report["setup"]["changes"]} == {
        ("Tone (legacy)", "unlink"),
        ("Plan change", "unlink"),
    }
    # a pruned metric no longer scores this agent's conversations
    (simulation,) = report["simulations"]
    assert "Tone (legacy)" not in json.dumps(simulation)


def test_a_response_type_change_is_refused_before_anything_is_written(
    emulator: Callable[..., Emulator],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = _emulator(emulator)
    run_cli(tmp_path, monkeypatch, capsys, emu, _setup(tmp_path))
    emu.clear_requests()

    def retype(data: dict[str, Any]) -> None:
        data["custom_metrics"][0]["response_type"] = "yes_no"

    spec = _setup(tmp_path, retype)
    code, _, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 2
    line = next(i for i, t in enumerate(spec.read_text().splitlines(), 1) if "yes_no" in t)
    assert (
        f"{spec}:{line}: response_type: custom metric 'Resolution' is pass_fail in Bluejay" in err
    )
    assert _writes(emu) == []
    assert emu.count("POST", "/v1/queue-simulation-run") == 0


def test_a_lost_create_answer_is_looked_up_not_sent_again(
    emulator: Callable[..., Emulator],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    faults = [
        {"endpoint": "POST /v1/create-custom-metric", "kind": "502", "when": "after", "times": 1},
        {"endpoint": "POST /v1/create-simulation", "kind": "drop", "when": "after", "times": 1},
        {"endpoint": "POST /v1/create-digital-human", "kind": "503", "when": "after", "times": 1},
    ]
    scenario = Scenario.from_file(MANAGED / "emulator.yml").model_copy(
        update={"faults": Scenario.from_dict({"faults": faults}).faults}
    )
    emu = emulator(scenario, api_key=KEY, speed=SPEED)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, _setup(tmp_path))
    assert sorted(_metrics(emu)) == ["Empathy", "Resolution", "Tone (legacy)"]
    assert emu.count("POST", "/v1/create-custom-metric") == 2  # two metrics, one call each
    assert emu.count("POST", "/v1/create-simulation") == 1
    assert emu.count("POST", "/v1/create-digital-human") == 4
    assert len(_simulation(emu).digital_human_ids) == 4
    assert "adopted" in err + out
    assert code in (0, 1)


def test_dry_run_only_reads_and_prints_the_plan(
    emulator: Callable[..., Emulator],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    emu = _emulator(emulator)
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, _setup(tmp_path), "--dry-run")
    assert code == 0
    assert {r.method for r in emu.requests} == {"GET"}
    assert "custom metric 'Resolution': would create" in out
    assert f"simulation {SIMULATION!r}: would create" in out
    assert f"digital human 'Plan change' of simulation {SIMULATION!r}: would create" in out
    assert "drift: custom metric 'Tone (legacy)'" in out
    assert "bluejay-gate sync" in out

    # once it exists, a dry run of a change shows the fields and the full run plan
    run_cli(tmp_path, monkeypatch, capsys, emu, _setup(tmp_path))
    emu.clear_requests()

    def edit(data: dict[str, Any]) -> None:
        data["custom_metrics"][1]["max_value"] = 5

    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, _setup(tmp_path, edit), "--dry-run")
    assert code == 0
    assert {r.method for r in emu.requests} == {"GET"}
    assert "custom metric 'Empathy' (id " in out
    assert "would update max_value" in out
    assert f"would queue: {SIMULATION}" in out


def test_sync_writes_the_setup_and_no_sync_refuses_a_stale_one(
    emulator: Callable[..., Emulator],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bluejay_gate.cli import main

    emu = _emulator(emulator)
    spec = _setup(tmp_path)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec, "--no-sync")
    assert code == 2
    assert "--no-sync: agent" in err or "--no-sync: the Bluejay setup differs" in err
    monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
    with pytest.raises(SystemExit) as info:
        main(["sync", "--spec", str(spec), "--base-url", emu.base_url])
    out = capsys.readouterr().out
    assert info.value.code == 0
    assert "custom metric 'Resolution' (id " in out
    assert emu.count("POST", "/v1/queue-simulation-run") == 0
    emu.clear_requests()
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec, "--no-sync")
    assert code in (0, 1)
    assert _writes(emu) == []


def test_demo_runs_the_managed_example(tmp_path: Path) -> None:
    """``bluejay-gate demo --example managed`` as a user starts it: the setup is created
    in the emulator, the hand-made metric is drift, the gate passes."""
    import subprocess
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bluejay_gate",
            "demo",
            "--example",
            "managed",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "custom metric 'Resolution' (id " in proc.stdout
    assert f"simulation {SIMULATION!r} (id " in proc.stdout
    assert "drift: custom metric 'Tone (legacy)'" in proc.stdout + proc.stderr
    report = json.loads((tmp_path / "bluejay-report.json").read_text())
    assert report["exit_code"] == 0
    assert len(report["setup"]["changes"]) == 7  # 2 metrics, the simulation, 4 digital humans
