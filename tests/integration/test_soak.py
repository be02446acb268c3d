"""Faults survived: with 20% of requests to every endpoint failing (429 with Retry-After,
500/502/503, slow answers, dropped connections; injected before or after the handler
ran), the gate reaches the same verdict, exit code and JUnit as without faults, and the
emulator's request log shows exactly one queue call that took effect per intended run.

The harness functions are shared with ``bench/soak.py`` (many more seeds).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"
KEY = "soak-canary-key-9b1d"
SPEED = 5.0  # ~0.35 s per conversation: a few polls per run, so faults meet them
FAULT_KINDS = ("429", "500", "502", "503", "slow", "drop")
FAULT_RATE = 0.2  # of all requests, spread evenly over every kind and before/after
# 24 and 60 queued a run twice (and failed the gate) while a 429 sent after the
# handler ran was taken for "surely not sent"; keep them.
CI_SEEDS = (*range(1, 19), 24, 60)
FAILING_SEEDS = range(101, 107)  # the same faults against a gate that fails (exit 1)
QUEUE_PATH = "/v1/queue-simulation-run"
# Waits between attempts are capped so a soak run retries at full speed.
SOAK_ENV = {"BLUEJAY_API_KEY": KEY, "BLUEJAY_RETRY_MAX_DELAY": "0.02", "NO_COLOR": "1"}


def fault_rules(total: float = FAULT_RATE) -> list[dict[str, Any]]:
    """One rule per (kind, when) on every endpoint; the first that draws under its rate
    fires, so each gets ``r`` with ``1 - (1 - r) ** n == total``."""
    pairs = [(kind, when) for kind in FAULT_KINDS for when in ("before", "after")]
    rate = 1 - (1 - total) ** (1 / len(pairs))
    return [
        {
            "endpoint": "*",
            "kind": kind,
            "rate": rate,
            "when": when,
            "retry_after": 0.01,
            "delay": 0.05,
        }
        for kind, when in pairs
    ]


@dataclass(frozen=True)
class SoakRun:
    exit_code: int
    outcome: str
    junit: str  # normalised
    checks: tuple[tuple[str, str, str], ...]  # (simulation, check, outcome)
    intended_runs: int
    queue_calls_taking_effect: int
    faults: int
    output: str

    @property
    def duplicate_runs(self) -> int:
        return self.queue_calls_taking_effect - self.intended_runs


def normalise_junit(xml: str, workdir: Path) -> str:
    """Drop what legitimately differs between two runs: times, timestamps, paths, ports,
    and the emulator's run and result ids (runs queued in parallel may be numbered in
    either order)."""
    xml = xml.replace(str(workdir), "<dir>")
    xml = re.sub(r"\b700\d\d\b", "<run>", xml)
    xml = re.sub(r"\b9\d{5}\b", "<result>", xml)
    xml = re.sub(r' (time|timestamp)="[^"]*"', "", xml)
    xml = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", xml)
    return re.sub(r"\b\d+(\.\d+)? ?(s|ms)\b(?= elapsed| total)", "<t>", xml)


def prepare(workdir: Path) -> Path:
    """The quickstart spec, polling every 0.05 s, in ``workdir``."""
    shutil.copytree(QUICKSTART, workdir, dirs_exist_ok=True)
    spec = workdir / "bluejay-gate.yml"
    data = yaml.safe_load(spec.read_text())
    data["run"]["poll_interval"] = "0.05s"
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    return spec


@contextlib.contextmanager
def _soak_env() -> Iterator[None]:
    import os

    saved = {k: os.environ.get(k) for k in SOAK_ENV}
    os.environ.update(SOAK_ENV)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def soak_once(
    workdir: Path,
    seed: int | None,
    rate: float = FAULT_RATE,
    faults: list[str] | None = None,
    failing: bool = False,
) -> SoakRun:
    """One gate run of the quickstart against a fresh emulator; ``seed`` None: no faults;
    ``rate``: the share of requests that meet a fault; ``faults``: these rules instead;
    ``failing``: the Smoke test's empathy collapses, so the gate fails (exit 1)."""
    workdir.mkdir(parents=True, exist_ok=True)
    spec = prepare(workdir)
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    if failing:
        scenario["simulations"][1]["scores"]["Empathy"] = {"mean": 3.0, "spread": 0.2}
    emu = Emulator(scenario, api_key=KEY, speed=SPEED).start()
    try:
        if seed is not None:  # the scores keep the scenario's seed; only faults vary
            emu.set_faults(faults or fault_rules(rate), seed=seed)
        junit, report = workdir / "junit.xml", workdir / "report.json"
        argv = ["run", "--spec", str(spec), "--base-url", emu.base_url]
        argv += ["--junit", str(junit), "--report", str(report)]
        out = io.StringIO()
        with _soak_env(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                main(argv)
                code = -1
            except SystemExit as exc:
                code = int(exc.code or 0)
        data = json.loads(report.read_text())
        checks = tuple(
            (s["label"], c["label"], c["outcome"]) for s in data["simulations"] for c in s["checks"]
        )
        log = emu.requests
        took = sum(1 for r in log if r.method == "POST" and r.path == QUEUE_PATH and r.took_effect)
        return SoakRun(
            exit_code=code,
            outcome=data["outcome"],
            junit=normalise_junit(junit.read_text(), workdir),
            checks=checks,
            intended_runs=len(data["simulations"]),
            queue_calls_taking_effect=took,
            faults=sum(1 for r in log if r.fault),
            output=out.getvalue(),
        )
    finally:
        emu.stop()


_baseline: dict[bool, SoakRun] = {}


def baseline(tmp_path_factory: pytest.TempPathFactory, failing: bool = False) -> SoakRun:
    if failing not in _baseline:
        workdir = tmp_path_factory.mktemp("baseline")
        _baseline[failing] = soak_once(workdir, None, failing=failing)
    return _baseline[failing]


def test_fault_rules_add_up_to_the_rate() -> None:
    """Twelve rules (6 kinds x before/after) whose first-match odds total 20%."""
    rules = fault_rules()
    assert {(r["kind"], r["when"]) for r in rules} == {
        (k, w) for k in FAULT_KINDS for w in ("before", "after")
    }
    miss = 1.0
    for rule in rules:
        miss *= 1 - rule["rate"]
    assert 1 - miss == pytest.approx(0.2)


def test_baseline_passes_cleanly(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Without faults the quickstart passes with one queue call per simulation."""
    run = baseline(tmp_path_factory)
    assert run.exit_code == 0, run.output
    assert run.outcome == "pass"
    assert run.faults == 0
    assert run.queue_calls_taking_effect == run.intended_runs == 2
    assert "<testcase" in run.junit
    assert KEY not in run.output


@pytest.mark.slow
@pytest.mark.parametrize(
    ("seed", "failing"),
    [(seed, False) for seed in CI_SEEDS] + [(seed, True) for seed in FAILING_SEEDS],
)
def test_faults_change_nothing(
    seed: int, failing: bool, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Same verdict, exit code and (normalised) JUnit as the fault-free run, for a
    passing and a failing gate; no run queued twice; faults really happened."""
    expected = baseline(tmp_path_factory, failing)
    assert expected.exit_code == (1 if failing else 0), expected.output
    run = soak_once(tmp_path / "gate", seed, failing=failing)
    assert run.faults >= 1, "the seed injected nothing"
    assert run.exit_code == expected.exit_code, run.output
    assert run.checks == expected.checks
    assert run.junit == expected.junit
    assert run.duplicate_runs == 0, run.output
    assert KEY not in run.output


def test_retry_delay_cap_from_environment() -> None:
    """BLUEJAY_RETRY_MAX_DELAY caps backoff and Retry-After; a bad value is a usage error."""
    from bluejay_gate.bluejay.retry import RetryPolicy, policy_from_env
    from bluejay_gate.errors import UsageError

    assert policy_from_env({}) == RetryPolicy()
    capped = policy_from_env({"BLUEJAY_RETRY_MAX_DELAY": "0.02"})
    assert (capped.max_delay, capped.base_delay) == (0.02, 0.02)
    assert capped.backoff(5) == pytest.approx(0.02)
    with pytest.raises(UsageError, match=r"BLUEJAY_RETRY_MAX_DELAY='soon' is not a number"):
        policy_from_env({"BLUEJAY_RETRY_MAX_DELAY": "soon"})
    with pytest.raises(UsageError, match="between 0 and 3600"):
        policy_from_env({"BLUEJAY_RETRY_MAX_DELAY": "-1"})


def test_polls_failing_past_their_retries_are_polled_through(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The first 14 polls answer 503 (two runs share them, so at least one poll call
    gives up after its 6 attempts): the gate polls that run again at the next tick
    instead of giving it up, and reaches the fault-free verdict."""
    expected = baseline(tmp_path_factory)
    rule = "GET /v1/retrieve-simulation-results/*:503:1:times=14:retry_after=0"
    run = soak_once(tmp_path / "gate", 1, faults=[rule])
    assert run.faults == 14
    assert "trying again at the next poll" in run.output
    assert run.exit_code == expected.exit_code, run.output
    assert run.junit == expected.junit
