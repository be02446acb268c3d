"""The last answer counts: a result re-evaluated after it was COMPLETED (a newer
evaluation appears on a later poll of its still-running run) is judged on the newer
evaluation, whichever way it changes the verdict; a re-read answering after the bulk
poll wins too. A rewriting proxy in front of the emulator plays Bluejay's re-evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from tests.helpers.proxy import ScriptedProxy
from tests.helpers.specs import QUICKSTART, prepare
from tests.helpers.typed import as_object

KEY = "reeval-canary-key-0c4d"
POLL = "/v1/retrieve-simulation-results/"
READ = "/v1/retrieve-simulation-result/"


def _newer_evaluation(result: dict[str, Any], empathy: str) -> None:
    """Append a re-evaluation (newer created_at, its own id) with another Empathy value."""
    newer = json.loads(json.dumps(result["evaluations"][-1]))
    newer["id"] = f"reeval-{result['id']}"
    newer["created_at"] = "2099-01-01T00:00:00Z"
    for metric in newer["custom_metrics"]:
        if metric["name"] == "Empathy":
            metric["response_value"] = empathy
    result["evaluations"].append(newer)


def _gate(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    scenario: dict[str, Any],
    proxy_factory: Any,
) -> tuple[int, str, dict[str, Any]]:
    monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
    monkeypatch.setenv("BLUEJAY_RETRY_MAX_DELAY", "0.01")
    monkeypatch.setenv("NO_COLOR", "1")
    spec = prepare(tmp_path / "spec")
    emu = Emulator(scenario, api_key=KEY, speed=10.0).start()
    proxy: ScriptedProxy = proxy_factory(emu.base_url)
    argv = ["run", "--spec", str(spec), "--base-url", proxy.base_url]
    argv += ["--junit", str(tmp_path / "junit.xml"), "--report", str(tmp_path / "report.json")]
    try:
        with pytest.raises(SystemExit) as info:
            main(argv)
    finally:
        proxy.close()
        emu.stop()
    out, err = capsys.readouterr()
    assert isinstance(info.value.code, int)
    return info.value.code, out + err, json.loads((tmp_path / "report.json").read_text())


def _reevaluating_proxy(upstream: str, empathy: str, seen: list[str]) -> ScriptedProxy:
    """The first poll that shows a run with every result COMPLETED says the run is still
    RUNNING (so the gate polls it again); every later poll of it carries a newer
    evaluation of each result with ``empathy`` as its Empathy value."""
    held: set[str] = set()

    def rewrite(method: str, path: str, n: int, status: int, data: bytes) -> bytes:
        if method != "GET" or not path.startswith(POLL) or status != 200:
            return data
        body = json.loads(data)
        results = body.get("simulation_results") or []
        if path in held:
            for result in results:
                _newer_evaluation(result, empathy)
            seen.append("re-evaluated")
        elif results and all(r["status"] == "COMPLETED" for r in results):
            held.add(path)
            body["simulation_run"]["status"] = "RUNNING"
            seen.append("held")
        return json.dumps(body).encode()

    return ScriptedProxy(upstream, lambda m, p, n: None, rewrite)


def _empathy(report: dict[str, Any]) -> list[str]:
    return [
        c["outcome"] for s in report["simulations"] for c in s["checks"] if c["metric"] == "Empathy"
    ]


def _scenario(empathy_mean: float | None = None) -> dict[str, Any]:
    scenario = as_object(yaml.safe_load((QUICKSTART / "emulator.yml").read_text()), "emulator.yml")
    if empathy_mean is not None:
        for sim in scenario["simulations"]:
            sim["scores"]["Empathy"] = {"mean": empathy_mean, "spread": 0.2}
    return scenario


def test_passing_result_reevaluated_to_fail_fails(tmp_path, monkeypatch, capsys) -> None:
    seen: list[str] = []
    code, output, report = _gate(
        tmp_path,
        monkeypatch,
        capsys,
        _scenario(),
        lambda url: _reevaluating_proxy(url, "1", seen),
    )
    assert seen.count("held") == 2, seen
    assert "re-evaluated" in seen
    assert code == 1, output
    assert "fail" in _empathy(report)
    assert report["outcome"] == "fail"


def test_failing_result_reevaluated_to_pass_passes(tmp_path, monkeypatch, capsys) -> None:
    seen: list[str] = []
    code, output, report = _gate(
        tmp_path,
        monkeypatch,
        capsys,
        _scenario(empathy_mean=3.0),
        lambda url: _reevaluating_proxy(url, "9", seen),
    )
    assert seen.count("held") == 2, seen
    assert "re-evaluated" in seen
    assert code == 0, output
    assert set(_empathy(report)) == {"pass"}


def test_reread_answering_after_the_bulk_poll_wins(tmp_path, monkeypatch, capsys) -> None:
    """The bulk answers leave every result's metrics out; the re-read (answered later)
    carries a newer evaluation with a failing Empathy: the verdict follows the re-read."""
    scenario = _scenario()
    scenario["quirks"] = {"bulk_missing_metrics": 1.0}
    reads: list[str] = []

    def rewrite(method: str, path: str, n: int, status: int, data: bytes) -> bytes:
        if method != "GET" or not path.startswith(READ) or status != 200:
            return data
        body = json.loads(data)
        _newer_evaluation(body["simulation_result"], "1")
        reads.append(path)
        return json.dumps(body).encode()

    code, output, report = _gate(
        tmp_path,
        monkeypatch,
        capsys,
        scenario,
        lambda url: ScriptedProxy(url, lambda m, p, n: None, rewrite),
    )
    assert len(reads) == 8, reads
    assert code == 1, output
    assert set(_empathy(report)) == {"fail"}
