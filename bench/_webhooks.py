"""Webhooks against polling on the same emulator run (``bench/run.py``, step ``webhooks``).

The same scenario and spec twice, each on a fresh emulator: once polled every ``POLL``
seconds, once with ``run.wait: webhook`` (the emulator posting its signed events to the
gate's listener, the safety-net poll a minute away). Figures: time from the last
conversation scored to the gate's exit (and to its reports written; and from the
emulator's last webhook answered to the exit, the gate's own share of the wait), and
requests per run (queue + reads). Targets:
exit within 0.3 s of the last score, at most queue + 2 requests per run. The bulk view
lacks no metrics here (``bulk_missing`` 0): a re-read of one result is the same with
either way of waiting.
"""

from __future__ import annotations

import secrets
import socket
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from _world import Size, scenario, spec

from bluejay_gate.emulator import Emulator

POLL = 1.0
SIM_SECONDS = 3.0
SCENARIO_SECONDS = 240.0
EXIT_TARGET = 0.3  # seconds from the last score to the exit
PER_RUN_TARGET = 3  # queue + 2 reads
WEBHOOK_RUN = "  wait: webhook\n  webhook_poll_interval: 60s\n"


class GateFigures(Protocol):
    overhead: float
    written_after_score: float
    run_requests: int
    runs: int
    exit_code: int


# bench/run.py's ``_gate``: (emulator, key, spec text, work dir, poll, flags, environment)
RunGate = Callable[[Emulator, str, str, Path, float, tuple[str, ...], dict[str, str]], GateFigures]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_webhooks(gate: RunGate, sims: int, reps: int, work: Path) -> dict[str, Any]:
    key = f"bench-{secrets.token_hex(8)}"
    secret = f"whsec-{secrets.token_hex(8)}"
    size = Size(sims=sims, bulk_missing=0.0)
    base = spec(list(range(sims)), poll_interval=POLL, max_parallel=sims)
    figures: dict[str, list[GateFigures]] = {"poll": [], "webhook": []}
    delivered: list[float] = []  # last webhook answered -> exit
    for rep in range(reps):
        for mode in ("poll", "webhook"):
            world = scenario(size, seconds=SCENARIO_SECONDS)
            emu = Emulator(world, api_key=key, speed=SCENARIO_SECONDS / SIM_SECONDS).start()
            try:
                text, extra, env = base, tuple[str, ...](), dict[str, str]()
                if mode == "webhook":
                    port = _free_port()
                    emu.set_webhook(f"http://127.0.0.1:{port}/", secret)
                    polling = f"  poll_interval: {POLL}s\n"
                    text = base.replace(polling, f"{polling}{WEBHOOK_RUN}")
                    assert WEBHOOK_RUN in text
                    extra = ("--listen", f"127.0.0.1:{port}")
                    env = {"BLUEJAY_WEBHOOK_SECRET": secret}
                got = gate(emu, key, text, work / f"w{mode}-{rep}", POLL, extra, env)
                figures[mode].append(got)
                answered = [
                    d.at
                    for d in emu.webhook_deliveries
                    if d.event == "simulation_result_evaluated" and d.at is not None
                ]
                scored = emu.last_scored_at()
                if mode == "webhook" and answered and scored is not None:
                    # the gate's own share: from Bluejay's (the emulator's) last delivery
                    delivered.append(got.overhead - (max(answered) - scored))
            finally:
                emu.stop()
    out: dict[str, Any] = {"sims": sims, "conversations": size.conversations}
    out["delivered_to_exit"] = statistics.median(delivered) if delivered else None
    for mode, runs in figures.items():
        out[mode] = {
            "after_last_score": statistics.median(r.overhead for r in runs),
            "reports_after_last_score": statistics.median(r.written_after_score for r in runs),
            "per_run": statistics.median(r.run_requests / r.runs for r in runs),
            "exit_codes": sorted({r.exit_code for r in runs}),
        }
    return out


def render_webhooks(fig: dict[str, Any]) -> list[str]:
    poll, hook = fig["poll"], fig["webhook"]
    what = f"{fig['sims']} sim x {fig['conversations']} conv"
    fast = hook["after_last_score"] <= EXIT_TARGET
    few = hook["per_run"] <= PER_RUN_TARGET
    return [
        f"| {what}, wait: webhook vs poll every {POLL:g} s: last score -> exit | "
        f"{hook['after_last_score']:.2f} s vs {poll['after_last_score']:.2f} s | "
        f"<= {EXIT_TARGET:g} s | {'ok' if fast else 'MISSED'} |",
        f"| {what}, wait: webhook vs poll: last score -> reports written (the verdict) | "
        f"{hook['reports_after_last_score']:.2f} s vs {poll['reports_after_last_score']:.2f} s "
        "| | |",
        f"| {what}, wait: webhook: last webhook answered -> exit (the gate's own share) | "
        + (f"{fig['delivered_to_exit']:.2f} s" if fig["delivered_to_exit"] is not None else "-")
        + " | | |",
        f"| {what}, wait: webhook vs poll: requests per run (queue + reads) | "
        f"{hook['per_run']:.1f} vs {poll['per_run']:.1f} | <= {PER_RUN_TARGET} | "
        f"{'ok' if few else 'MISSED'} |",
    ]
