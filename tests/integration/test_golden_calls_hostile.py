"""Hostile call-log answers: what answer would make a call set pass when it should not?
A scripted proxy rewrites the emulator's ``retrieve-call-log`` answers; the gate must fail
or say no verdict, never pass."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from bluejay_gate.emulator import Emulator
from tests.helpers.gate import KEY, SPEED, run_cli
from tests.helpers.proxy import ScriptedProxy
from tests.integration.test_golden_calls import SCENARIO, call, write_spec


def _rewrite_logs(change: Callable[[dict[str, Any]], None]) -> Any:
    def rewrite(method: str, path: str, n: int, status: int, body: bytes) -> bytes:
        if method != "GET" or not path.startswith("/v1/retrieve-call-log/") or status != 200:
            return body
        data = json.loads(body)
        log = data["call_log"]
        if log.get("status") == "COMPLETED" and log.get("evaluations"):
            change(log)
        return json.dumps(data).encode()

    return rewrite


def _older_passing_listed_last(log: dict[str, Any]) -> None:
    newest = log["evaluations"][0]
    for m in newest["custom_metrics"]:
        if m["name"] == "Refund policy followed":
            m["response_value"] = "fail"
    older = copy.deepcopy(newest)
    older["created_at"] = "2020-01-01T00:00:00Z"
    for m in older["custom_metrics"]:
        if m["name"] == "Refund policy followed":
            m["response_value"] = "pass"
    log["evaluations"] = [newest, older]  # list order says "older is newer": never trusted


def _undated_second_evaluation(log: dict[str, Any]) -> None:
    extra = copy.deepcopy(log["evaluations"][0])
    extra.pop("created_at")
    log["evaluations"].append(extra)


def _metric_twice(log: dict[str, Any]) -> None:
    metrics = log["evaluations"][0]["custom_metrics"]
    twin = dict(next(m for m in metrics if m["name"] == "Empathy"), response_value="2")
    metrics.append(twin)


def _out_of_range(log: dict[str, Any]) -> None:
    for m in log["evaluations"][0]["custom_metrics"]:
        if m["name"] == "Empathy":
            m["response_value"] = "11"


def _metrics_dropped(log: dict[str, Any]) -> None:
    log["evaluations"][0]["custom_metrics"] = None


def _another_calls_log(log: dict[str, Any]) -> None:
    log["id"] = "00000000-0000-4000-8000-000000000001"  # a passing call, but not this one


@pytest.fixture
def emu(emulator: Callable[..., Emulator]) -> Emulator:
    return emulator(copy.deepcopy(SCENARIO), api_key=KEY, speed=SPEED)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (_older_passing_listed_last, 1),
        (_undated_second_evaluation, 3),
        (_metric_twice, 3),
        (_out_of_range, 3),
        (_metrics_dropped, 3),
        (_another_calls_log, 3),
    ],
)
def test_hostile_call_log_never_passes(
    tmp_path, monkeypatch, capsys, emu: Emulator, change: Callable[..., None], code: int
) -> None:
    proxy = ScriptedProxy(emu.base_url, lambda m, p, n: None, _rewrite_logs(change))
    try:
        spec = write_spec(tmp_path, {"a.json": call("refund please")})
        monkeypatch.setenv("BLUEJAY_BASE_URL", proxy.base_url)

        class Via:
            base_url = proxy.base_url

        got, out, err = run_cli(tmp_path, monkeypatch, capsys, Via(), spec)  # type: ignore[arg-type]
    finally:
        proxy.close()
    assert got == code, out + err
