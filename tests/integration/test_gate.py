"""The real CLI against the emulator on loopback, one DESIGN.md rule per test."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from tests.conftest import ROOT
from tests.helpers.gate import KEY, SPEED, junit_agrees, run_cli
from tests.helpers.typed import as_object

QUICKSTART = ROOT / "examples" / "quickstart"


def _scenario(**changes: Any) -> dict[str, Any]:
    data = as_object(yaml.safe_load((QUICKSTART / "emulator.yml").read_text()), "emulator.yml")
    data.update(changes)
    return data


def _spec(tmp_path: Path, **changes: Any) -> Path:
    data = yaml.safe_load((QUICKSTART / "bluejay-gate.yml").read_text())
    data["run"]["poll_interval"] = "0.05s"
    for key, value in changes.items():
        data[key] = value
    for sub in ("prompts", "kb"):
        target = tmp_path / sub
        target.mkdir(exist_ok=True)
        for f in (QUICKSTART / sub).iterdir():
            (target / f.name).write_text(f.read_text())
    path = tmp_path / "bluejay-gate.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


Factory = Callable[..., Emulator]


@pytest.mark.needs_shared
def test_quickstart_passes(emulator: Factory, tmp_path, monkeypatch, capsys) -> None:
    """The quickstart spec passes (exit 0), writes valid reports, and never prints the key."""
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path))
    assert code == 0, out + err
    junit_agrees(tmp_path, code)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["exit_code"] == 0
    assert [s["label"] for s in report["simulations"]] == ["Billing regressions", "Smoke test"]
    assert emu.count("POST", "/v1/queue-simulation-run") == 2
    for text in (out, err, *(p.read_text() for p in tmp_path.iterdir() if p.is_file())):
        assert KEY not in text


@pytest.mark.needs_shared
def test_failing_check_exits_1(emulator: Factory, tmp_path, monkeypatch, capsys) -> None:
    """A simulation whose empathy collapses fails the gate with exit 1 and a JUnit failure."""
    scenario = _scenario()
    scenario["simulations"][1]["scores"]["Empathy"] = {"mean": 3.0, "spread": 0.2}
    emu = emulator(scenario, api_key=KEY, speed=SPEED)
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path))
    assert code == 1
    xml = junit_agrees(tmp_path, code)
    assert 'name="Empathy: mean >= 7"' in xml
    assert "Smoke test" in out
    # Both runs were queued before either finished: they ran in parallel.
    paths = [r.path for r in emu.requests]
    queues = [i for i, p in enumerate(paths) if p == "/v1/queue-simulation-run"]
    polls = [i for i, p in enumerate(paths) if p.startswith("/v1/retrieve-simulation-results/")]
    assert max(queues) < min(polls)


def test_results_still_evaluating_are_waited_for(
    emulator: Factory, tmp_path, monkeypatch, capsys
) -> None:
    """A run that says COMPLETED while results are EVALUATING is not judged early."""
    emu = emulator(_scenario(quirks={"stuck_evaluating": 1.0}), api_key=KEY, speed=SPEED)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path))
    assert code == 0, out + err
    report = json.loads((tmp_path / "report.json").read_text())
    convs = [c for s in report["simulations"] for c in s["conversations"]]
    assert len(convs) == 8
    assert all(c["status"] == "COMPLETED" for c in convs)


def test_bulk_missing_metrics_are_reread(emulator: Factory, tmp_path, monkeypatch, capsys) -> None:
    """Results lacking metrics in the bulk answer are re-read one by one, then pass."""
    emu = emulator(_scenario(quirks={"bulk_missing_metrics": 1.0}), api_key=KEY, speed=SPEED)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path))
    assert code == 0, out + err
    assert emu.count("GET", "/v1/retrieve-simulation-result/") == 8


def test_legacy_metric_dict(emulator: Factory, tmp_path, monkeypatch, capsys) -> None:
    """Metrics only in the legacy top-level custom_metrics dict still gate correctly."""
    emu = emulator(_scenario(quirks={"legacy_metrics_dict": True}), api_key=KEY, speed=SPEED)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path))
    assert code == 0, out + err


@pytest.mark.needs_shared
def test_insufficient_funds_is_no_verdict(emulator: Factory, tmp_path, monkeypatch, capsys) -> None:
    """A run that ends INSUFFICIENT_FUNDS gives exit 3 at once, not a timeout."""
    scenario = _scenario()
    scenario["simulations"][0]["run_outcome"] = "INSUFFICIENT_FUNDS"
    emu = emulator(scenario, api_key=KEY, speed=SPEED)
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path))
    assert code == 3
    junit_agrees(tmp_path, code)
    assert "INSUFFICIENT_FUNDS" in (tmp_path / "report.json").read_text()
    assert "timed out" not in out


def test_missing_metric_names_closest(emulator: Factory, tmp_path, monkeypatch, capsys) -> None:
    """A threshold on a metric Bluejay does not define stops before queueing (exit 2),
    naming the closest name. (Was exit 3 after the run; that path is the next test.)"""
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    spec = _spec(tmp_path, thresholds={"Empathyy": "mean >= 7"})
    code, _, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 2
    assert "did you mean 'Empathy'?" in err
    assert emu.count("POST", "/v1/queue-simulation-run") == 0


def test_missing_metric_without_definitions_is_no_verdict(
    emulator: Factory, tmp_path, monkeypatch, capsys
) -> None:
    """Definitions unreadable: the run goes on, and a threshold on a metric no result
    carries is no verdict after the run, naming the closest names."""
    monkeypatch.setenv("BLUEJAY_RETRY_MAX_DELAY", "0.01")
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    emu.set_faults([{"endpoint": "GET /v1/custom-metrics", "kind": 500}])
    spec = _spec(tmp_path, thresholds={"Empathyy": "mean >= 7"})
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 3
    assert out.count("warning: could not read the custom metric definitions") == 1
    assert "Empathy" in (tmp_path / "junit.xml").read_text()


@pytest.mark.needs_shared
def test_timeout_ends_conversations(emulator: Factory, tmp_path, monkeypatch, capsys) -> None:
    """On timeout the gate ends running conversations, writes reports and exits 3.

    At a tenth of real speed the conversations are still talking when the 2 s budget runs
    out; the budget leaves the set-up before queueing time to finish on a loaded machine
    (at speed 1 with 0.3 s it sometimes did not, and nothing was queued to end)."""
    emu = emulator(_scenario(), api_key=KEY, speed=0.1)
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path), "--timeout", "2s")
    assert code == 3
    assert emu.count("POST", "/v1/end-conversations") >= 1, out
    assert emu.count("POST", "/v1/end-conversations") >= 1
    junit_agrees(tmp_path, code)
    assert "timed out" in out


def test_invalid_spec_sends_nothing(emulator: Factory, tmp_path, monkeypatch, capsys) -> None:
    """A spec with an unknown key exits 2 with a located message and zero requests."""
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    spec = _spec(tmp_path, treshold={"x": "mean >= 1"})
    code, _, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 2
    assert "bluejay-gate.yml:" in err
    assert "thresholds" in err
    assert len(emu.requests) == 0
    assert not (tmp_path / "junit.xml").exists()


def test_wrong_key_is_no_verdict(emulator: Factory, tmp_path, monkeypatch, capsys) -> None:
    """A rejected key exits 3 with a message pointing at BLUEJAY_API_KEY."""
    emu = emulator(_scenario(), api_key="the-right-key", speed=SPEED)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path))
    assert code == 3
    assert "BLUEJAY_API_KEY" in out + err
    assert emu.count("POST", "/v1/queue-simulation-run") == 0


def test_dry_run_only_gets(emulator: Factory, tmp_path, monkeypatch, capsys) -> None:
    """--dry-run sends only GET requests and prints the plan with changed fields."""
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path), "--dry-run")
    assert code == 0
    assert {r.method for r in emu.requests} == {"GET"}
    assert "would update" in out
    assert "would queue: Billing regressions (simulation 4821" in out


def test_second_run_leaves_agent_unchanged(
    emulator: Factory, tmp_path, monkeypatch, capsys
) -> None:
    """After one update, an identical spec writes nothing to the agent."""
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    spec = _spec(tmp_path)
    run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    writes = emu.count("PUT", "/v1/update-agent-by-external-id")
    assert writes == 1
    run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert emu.count("PUT", "/v1/update-agent-by-external-id") == 1
    assert emu.count("POST", "/v1/update-agent") == 0


def test_simulation_of_another_agent_is_refused(
    emulator: Factory, tmp_path, monkeypatch, capsys
) -> None:
    """A simulation id that belongs to another agent is an error, and nothing is queued."""
    scenario = copy.deepcopy(_scenario())
    scenario["agents"].append({"id": 202, "name": "Other", "external_agent_id": "other"})
    scenario["simulations"][0]["agent"] = "other"
    emu = emulator(scenario, api_key=KEY, speed=SPEED)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path))
    assert code == 3
    assert "belongs to agent 202" in out + err
    assert emu.count("POST", "/v1/queue-simulation-run") == 0


@pytest.mark.parametrize(("example", "expected"), [("quickstart", 0), ("failing", 1)])
def test_examples_run_with_expected_exit(tmp_path, monkeypatch, capsys, example, expected) -> None:
    """Every example in examples/ runs through `bluejay-gate demo` with its expected code."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(["demo", "--example", example, "--examples-dir", str(ROOT / "examples")])
    assert info.value.code == expected
    assert (tmp_path / "bluejay-gate-demo" / "bluejay-junit.xml").is_file()


def test_max_parallel_one_queues_after_settling(
    emulator: Factory, tmp_path, monkeypatch, capsys
) -> None:
    """With max_parallel 1 the second run is queued only after the first one finished."""
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    spec = _spec(tmp_path, run={"timeout": "1m", "poll_interval": "0.05s", "max_parallel": 1})
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, spec)
    assert code == 0, out + err
    paths = [r.path for r in emu.requests]
    queues = [i for i, p in enumerate(paths) if p == "/v1/queue-simulation-run"]
    first_polls = [i for i, p in enumerate(paths) if p.endswith("/70001")]
    assert len(queues) == 2
    assert queues[1] > max(first_polls)


@pytest.mark.needs_shared
def test_warn_and_not_applicable_are_reported(
    emulator: Factory, tmp_path, monkeypatch, capsys
) -> None:
    """A warn check that misses never fails the gate; N/A values leave the denominator."""
    scenario = _scenario()
    scenario["simulations"][1]["scores"]["Resolution"] = {
        "weights": {"escalated": 1.0},
        "not_applicable": 0.5,
    }
    emu = emulator(scenario, api_key=KEY, speed=SPEED)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, emu, _spec(tmp_path))
    assert code == 0, out + err
    report = json.loads((tmp_path / "report.json").read_text())
    smoke = report["simulations"][1]
    resolution = next(c for c in smoke["checks"] if c["metric"] == "Resolution")
    assert resolution["outcome"] == "warn"
    assert resolution["samples"] + resolution["not_applicable"] == 3
    junit_agrees(tmp_path, code)


def test_unwritable_report_makes_a_pass_exit_3(
    emulator: Factory, tmp_path, monkeypatch, capsys
) -> None:
    """A passing run whose JUnit path cannot be made (its "directory" is a file; missing
    directories are created): exit 3, the message names the path, and the other report is
    still written."""
    emu = emulator(_scenario(), api_key=KEY, speed=SPEED)
    spec = _spec(tmp_path)
    (tmp_path / "not-a-dir").write_text("")
    junit = tmp_path / "not-a-dir" / "junit.xml"
    monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
    argv = ["run", "--spec", str(spec), "--base-url", emu.base_url, "--junit", str(junit)]
    argv += ["--report", str(tmp_path / "report.json")]
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert info.value.code == 3, out + err
    assert f"could not write JUnit report {junit}" in out
    assert json.loads((tmp_path / "report.json").read_text())["outcome"] == "pass"


@pytest.mark.needs_shared
def test_runs_still_waiting_at_the_timeout_are_named(
    emulator: Factory, tmp_path, monkeypatch, capsys
) -> None:
    """With room for one run at a time, the second simulation is still waiting when the
    budget runs out: the reports say it was not queued and why, and it is never queued."""
    emu = emulator(_scenario(), api_key=KEY, speed=0.1)
    run = {"timeout": "30m", "poll_interval": "0.05s", "max_parallel": 1}
    spec = _spec(tmp_path, run=run)
    code, out, _ = run_cli(tmp_path, monkeypatch, capsys, emu, spec, "--timeout", "2s")
    assert code == 3
    assert emu.count("POST", "/v1/queue-simulation-run") == 1
    report = json.loads((tmp_path / "report.json").read_text())
    second = report["simulations"][1]
    assert second["run_ids"] == []
    assert second["errors"] == [
        "not queued: the run's budget ran out while it waited for room (run.max_parallel)"
    ]
    assert "timed out" in out
