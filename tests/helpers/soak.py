"""The soak harness: one gate run of the quickstart against a fresh emulator that fails
a share of requests (429 with Retry-After, 500/502/503, slow answers, dropped
connections; before or after the handler ran), summed up so two runs can be compared.

Shared by ``tests/integration/test_soak.py`` and ``bench/soak.py`` (many more seeds).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from tests.helpers.specs import QUICKSTART, prepare

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
