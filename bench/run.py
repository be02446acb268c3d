"""Benchmark the gate: ``python bench/run.py`` (``--quick`` for a CI smoke run, ``--json``).

Starts the emulator in-process with a speed factor, runs the real CLI in a subprocess
(``python -m bluejay_gate run``) and prints, with the machine, the median of several
repetitions of:

1. overhead: gate wall time minus the time the emulator needed to score the last
   conversation (gate exit - ``Emulator.last_scored_at()``), for 1, 10 and 50 simulations
   of 10 conversations polled concurrently; and the same simulations run one gate at a
   time, one after another, with the ratio of the two wall times;
2. requests per run (queue + polls + re-reads, from the emulator's request log) against
   the minimum: queue + the polls the run's elapsed time needs at the poll interval + one
   re-read per result the bulk view left without metrics; polls of finished runs and
   needless re-reads are counted too;
3. a big run (100 simulations x 100 conversations x 20 metrics, long reasoning texts):
   final poll to all reports written, and the gate process's peak RSS;
4. start-up: ``bluejay-gate --version`` and ``bluejay-gate validate`` on the quickstart;
5. the emulator's requests per second on loopback (clients in another process).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from _world import Size, scenario, spec  # noqa: E402

from bluejay_gate.emulator import Emulator  # noqa: E402

POLL = 1.0  # the specs' poll interval, seconds
SIM_SECONDS = 3.0  # wall seconds one simulation takes at the emulator's speed
SCENARIO_SECONDS = 240.0  # the same simulation in scenario time (4 minutes)
SPEED = SCENARIO_SECONDS / SIM_SECONDS
BIG_REASONING = 600  # characters of each reasoning text in the big run
RUNS_PATH = "/v1/retrieve-simulation-results/"
RESULT_PATH = "/v1/retrieve-simulation-result/"
QUEUE_PATH = "/v1/queue-simulation-run"


@dataclass(slots=True)
class GateRun:
    wall: float  # seconds, gate process start to exit
    overhead: float  # gate exit - last conversation scored
    exit_code: int
    maxrss_mb: float
    run_requests: int  # queue + polls + re-reads
    minimum: int
    setup_requests: int  # everything else (ping, agent, simulations)
    late_polls: int  # polls of a run after the one that saw it final
    needless_rereads: int
    after_final_poll: float  # last poll received -> last report written
    runs: int
    started: float  # monotonic: the gate process started


def _gate(emu: Emulator, key: str, spec_text: str, work: Path, poll: float) -> GateRun:
    """One real gate run through the CLI against ``emu``; figures from its request log."""
    work.mkdir(parents=True, exist_ok=True)
    spec_path = work / "bluejay-gate.yml"
    spec_path.write_text(spec_text, encoding="utf-8")
    reports = [work / "junit.xml", work / "report.json", work / "summary.md"]
    cmd = [sys.executable, "-m", "bluejay_gate", "run", "--spec", str(spec_path)]
    cmd += ["--junit", str(reports[0]), "--report", str(reports[1]), "--summary", str(reports[2])]
    env = {**os.environ, "BLUEJAY_API_KEY": key, "BLUEJAY_BASE_URL": emu.base_url}
    env.pop("GITHUB_ACTIONS", None)
    emu.clear_requests()
    child = subprocess.run(
        [sys.executable, str(BENCH / "_child.py"), str(work / "gate.log"), "--", *cmd],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    times = json.loads(child.stdout)
    offset = time.time() - time.monotonic()  # report mtimes (wall clock) -> monotonic
    last_scored = emu.last_scored_at() or times["ended"]
    requests = emu.requests
    state = emu.state
    polls: dict[int, list[float]] = {}
    rereads: dict[int, list[int]] = {}
    queued = setup = 0
    for r in requests:
        if r.method == "GET" and r.path.startswith(RUNS_PATH):
            polls.setdefault(int(r.path[len(RUNS_PATH) :]), []).append(r.time)
        elif r.method == "GET" and r.path.startswith(RESULT_PATH):
            rid = int(r.path[len(RESULT_PATH) :])
            rereads.setdefault(state.conversations[rid].run_id, []).append(rid)
        elif r.method == "POST" and r.path == QUEUE_PATH:
            queued += 1
        else:
            setup += 1
    minimum = late = needless = 0
    for run_id, run in state.runs.items():
        final = max(c.final_at() for c in run.conversations)
        seen = polls.get(run_id, [])
        first = min(seen) if seen else final
        minimum += 1 + 1 + max(0, math.ceil((final - first) / poll - 1e-9))
        lacking = {c.id for c in run.conversations if c.bulk_lacks_metrics}
        minimum += len(lacking)
        late += max(0, sum(1 for t in seen if t >= final) - 1)
        needless += sum(1 for rid in rereads.get(run_id, []) if rid not in lacking)
    run_requests = queued + sum(map(len, polls.values())) + sum(map(len, rereads.values()))
    written = [p.stat().st_mtime - offset for p in reports if p.exists()]
    last_poll = max((t for ts in polls.values() for t in ts), default=times["ended"])
    return GateRun(
        wall=times["ended"] - times["started"],
        overhead=times["ended"] - last_scored,
        exit_code=times["exit_code"],
        maxrss_mb=times["maxrss_kb"] / 1024,
        run_requests=run_requests,
        minimum=minimum,
        setup_requests=setup,
        late_polls=late,
        needless_rereads=needless,
        after_final_poll=(max(written) if written else times["ended"]) - last_poll,
        runs=len(state.runs),
        started=times["started"],
    )


def _emulator(size: Size, key: str) -> Emulator:
    return Emulator(scenario(size, seconds=SCENARIO_SECONDS), api_key=key, speed=SPEED).start()


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def bench_sizes(sizes: list[int], reps: int, sequential: bool, work: Path) -> list[dict[str, Any]]:
    rows = []
    key = f"bench-{secrets.token_hex(8)}"
    for n in sizes:
        size = Size(sims=n, bulk_missing=0.1)
        runs = []
        for rep in range(reps):
            emu = _emulator(size, key)
            try:
                text = spec(list(range(n)), poll_interval=POLL, max_parallel=n)
                runs.append(_gate(emu, key, text, work / f"c{n}-{rep}", POLL))
            finally:
                emu.stop()
        row: dict[str, Any] = {
            "sims": n,
            "wall": _median([r.wall for r in runs]),
            "overhead": _median([r.overhead for r in runs]),
            "exit_codes": sorted({r.exit_code for r in runs}),
            "run_requests": _median([r.run_requests for r in runs]),
            "minimum": _median([r.minimum for r in runs]),
            "ratio": _median([r.run_requests / r.minimum for r in runs]),
            "setup_requests": _median([r.setup_requests for r in runs]),
            "late_polls": max(r.late_polls for r in runs),
            "needless_rereads": max(r.needless_rereads for r in runs),
            "runs": runs[0].runs,
        }
        if sequential:
            emu = _emulator(size, key)
            try:
                started = time.monotonic()
                one = [
                    _gate(
                        emu,
                        key,
                        spec([i], poll_interval=POLL, max_parallel=1),
                        work / f"s{n}-{i}",
                        POLL,
                    )
                    for i in range(n)
                ]
                row["sequential_wall"] = time.monotonic() - started
                row["sequential_overhead"] = _median([r.overhead for r in one])
            finally:
                emu.stop()
            row["speedup"] = row["sequential_wall"] / row["wall"]
        rows.append(row)
    return rows


STRICT_DELAY = 0.05  # a "strict" server: every GET answers after 50 ms, as a remote API


def _queue_times(emu: Emulator) -> list[float]:
    return [r.time for r in emu.requests if r.method == "POST" and r.path == QUEUE_PATH]


def bench_setup(sizes: list[int], reps: int, work: Path) -> list[dict[str, Any]]:
    """Start to the last queue call, on a server whose every GET takes ``STRICT_DELAY``,
    and the set-up alone (first request to the last queue call): the look-ups before
    queueing (simulations, digital humans, definitions), run within ``max_parallel``
    (one run per simulation in flight, as in ``bench_sizes``)."""
    rows = []
    key = f"bench-{secrets.token_hex(8)}"
    for n in sizes:
        world = scenario(Size(sims=n), seconds=SCENARIO_SECONDS)
        world["faults"] = [{"endpoint": "GET /v1/*", "kind": "slow", "delay": STRICT_DELAY}]
        took = []
        for rep in range(reps):
            emu = Emulator(world, api_key=key, speed=SPEED).start()
            try:
                text = spec(list(range(n)), poll_interval=POLL, max_parallel=n)
                started = _gate(emu, key, text, work / f"setup{n}-{rep}", POLL).started
                last = max(_queue_times(emu))
                took.append((last - started, last - min(r.time for r in emu.requests)))
            finally:
                emu.stop()
        rows.append(
            {
                "sims": n,
                "to_last_queue": _median([t for t, _ in took]),
                "setup": _median([s for _, s in took]),
            }
        )
    return rows


DECIDED_SIMS = 10  # the failing suite: 10 simulations x 10 conversations, 5 at a time


def bench_decided(reps: int, work: Path, sims: int = DECIDED_SIMS) -> dict[str, Any]:
    """Conversations saved by ``run.stop_when_decided`` on a failing suite: every
    simulation's M00 passes 30% of the time against ``pass_rate >= 50%``, conversations
    ending spread over the run (jitter), half the simulations in flight at once; with and
    without the key."""
    key = f"bench-{secrets.token_hex(8)}"
    world = scenario(Size(sims=sims), seconds=SCENARIO_SECONDS)
    world["timing"]["jitter"] = 0.9
    for sim in world["simulations"]:
        sim["scores"]["M00"] = {"pass_rate": 0.3}
    figures: dict[str, Any] = {}
    for stop in (False, True):
        runs = []
        for rep in range(reps):
            emu = Emulator(world, api_key=key, speed=SPEED).start()
            try:
                text = spec(list(range(sims)), poll_interval=POLL, max_parallel=max(1, sims // 2))
                text = text.replace("run:\n", f"run:\n  stop_when_decided: {str(stop).lower()}\n")
                gate = _gate(emu, key, text, work / f"decided-{stop}-{rep}", POLL)
                ended = sum(
                    len(r.body.get("test_result_ids", []))
                    for r in emu.requests
                    if r.method == "POST"
                    and r.path == "/v1/end-conversations"
                    and isinstance(r.body, dict)
                )
                queued = sum(len(run.conversations) for run in emu.state.runs.values())
                runs.append(
                    {"wall": gate.wall, "exit": gate.exit_code, "queued": queued, "ended": ended}
                )
            finally:
                emu.stop()
        planned = sims * 10
        figures["on" if stop else "off"] = {
            "wall": _median([r["wall"] for r in runs]),
            "exit_codes": sorted({r["exit"] for r in runs}),
            "queued": _median([r["queued"] for r in runs]),
            "ended": _median([r["ended"] for r in runs]),
            "saved": _median([planned - r["queued"] + r["ended"] for r in runs]),
            "planned": planned,
            "sims": sims,
        }
    return figures


def bench_big(size: Size, reps: int, work: Path) -> dict[str, Any]:
    key = f"bench-{secrets.token_hex(8)}"
    runs = []
    for rep in range(reps):
        emu = _emulator(size, key)
        try:
            text = spec(list(range(size.sims)), poll_interval=POLL, max_parallel=size.sims)
            runs.append(_gate(emu, key, text, work / f"big-{rep}", POLL))
        finally:
            emu.stop()
    report = work / f"big-{reps - 1}" / "report.json"
    return {
        **asdict(size),
        "wall": _median([r.wall for r in runs]),
        "after_final_poll": _median([r.after_final_poll for r in runs]),
        "maxrss_mb": _median([r.maxrss_mb for r in runs]),
        "exit_codes": sorted({r.exit_code for r in runs}),
        "ratio": _median([r.run_requests / r.minimum for r in runs]),
        "report_mb": report.stat().st_size / 1e6 if report.exists() else 0.0,
    }


def _timed(cmd: list[str], reps: int) -> float:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return _median(times)


def bench_startup(reps: int) -> dict[str, float]:
    exe = shutil.which("bluejay-gate", path=str(Path(sys.executable).parent)) or shutil.which(
        "bluejay-gate"
    )
    base = [exe] if exe else [sys.executable, "-m", "bluejay_gate"]
    quickstart = ROOT / "examples" / "quickstart" / "bluejay-gate.yml"
    return {
        "python": _timed([sys.executable, "-c", "pass"], reps),
        "version": _timed([*base, "--version"], reps),
        "validate": _timed([*base, "validate", "--spec", str(quickstart)], reps),
    }


def bench_emulator(seconds: float, threads: int) -> dict[str, float]:
    key = f"bench-{secrets.token_hex(8)}"
    emu = _emulator(Size(sims=1), key)
    try:
        import httpx

        with httpx.Client(base_url=emu.base_url, headers={"X-API-Key": key}) as http:
            run_id = http.post(QUEUE_PATH, json={"simulation_id": "5001"}).json()[
                "simulation_run_id"
            ]
        out = subprocess.run(
            [
                sys.executable,
                str(BENCH / "_load.py"),
                emu.base_url,
                key,
                f"{RUNS_PATH}{run_id}",
                str(threads),
                str(seconds),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        emu.stop()
    load = json.loads(out.stdout)
    return {"rps": load["ok"] / load["seconds"], "errors": load["errors"], "threads": threads}


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _setup_rows(fig: dict[str, Any]) -> list[str]:
    """Start to the last queue call (strict server) and what stop_when_decided saved."""
    lines = []
    setup = fig.get("setup", [])
    if setup:
        first = setup[0]["setup"]
        for row in setup:
            grows = row["setup"] - first
            lines.append(
                f"| {row['sims']} sim, strict server (GET +{STRICT_DELAY * 1000:.0f} ms): start "
                f"to last queue call {row['to_last_queue']:.2f} s; first request to last queue "
                f"call | {row['setup']:.2f} s (+{grows:.2f} s over 1 sim) | +< 1 s | "
                f"{_mark(grows < 1.0)} |"
            )
    decided = fig.get("decided")
    if decided:
        on, off = decided["on"], decided["off"]
        lines.append(
            f"| failing suite {on['sims']} sim x 10 conv, stop_when_decided: conversations "
            f"saved of {on['planned']} (never queued + ended; exit {on['exit_codes']}), wall "
            f"on / off | {on['saved']:g} saved ({on['planned'] - on['queued']:g} + "
            f"{on['ended']:g}); {on['wall']:.1f} s / {off['wall']:.1f} s (off: "
            f"{off['saved']:g} saved) | > 0 | {_mark(on['saved'] > 0)} |"
        )
    return lines


def render(fig: dict[str, Any]) -> str:
    m = fig["machine"]
    lines = [
        f"machine: {m['cores']} cores, Python {m['python']}, {m['platform']}",
        f"mode: {fig['mode']}, median of {fig['reps']} repetition(s); poll interval {POLL:g} s, "
        f"one simulation ~{SIM_SECONDS:g} s (emulator speed {SPEED:g})",
        "",
        "| measure | figure | target | |",
        "|---|---|---|---|",
    ]
    limit = POLL + 0.5
    for row in fig.get("sizes", []):
        n = row["sims"]
        lines.append(
            f"| {n} sim x 10 conv: wall {row['wall']:.2f} s, after last score | "
            f"{row['overhead']:.2f} s | <= {limit:g} s | {_mark(row['overhead'] <= limit)} |"
        )
        if "sequential_wall" in row:
            lines.append(
                f"| {n} sim one gate at a time: wall (concurrent / sequential) | "
                f"{row['wall']:.1f} s / {row['sequential_wall']:.1f} s = "
                f"{row['speedup']:.1f}x faster | concurrent | "
                f"{_mark(n == 1 or row['speedup'] > 1)} |"
            )
        lines.append(
            f"| {n} sim: requests per run vs minimum ({row['run_requests']:g} / "
            f"{row['minimum']:g}; +{row['setup_requests']:g} set-up) | {row['ratio']:.2f}x | "
            f"<= 1.1x | {_mark(row['ratio'] <= 1.1)} |"
        )
        lines.append(
            f"| {n} sim: polls of finished runs, needless re-reads | "
            f"{row['late_polls']}, {row['needless_rereads']} | 0, 0 | "
            f"{_mark(row['late_polls'] == 0 and row['needless_rereads'] == 0)} |"
        )
    lines.extend(_setup_rows(fig))
    big = fig.get("big")
    what = (
        f"{big['sims']} sim x {big['conversations']} conv x {big['metrics']} metrics" if big else ""
    )
    lines += (
        []
        if big is None
        else [
            f"| {what} ({big['reasoning']}-char reasoning; wall {big['wall']:.1f} s, "
            f"JSON report {big['report_mb']:.0f} MB): final poll -> reports written | "
            f"{big['after_final_poll']:.2f} s | <= 2 s | {_mark(big['after_final_poll'] <= 2)} |",
            f"| {what}: gate peak memory (ru_maxrss) | {big['maxrss_mb']:.0f} MB | <= 300 MB | "
            f"{_mark(big['maxrss_mb'] <= 300)} |",
        ]
    )
    st = fig.get("startup")
    lines += (
        []
        if st is None
        else [
            f"| start-up `bluejay-gate --version` (bare `python -c pass`: "
            f"{st['python'] * 1000:.0f} ms) | {st['version'] * 1000:.0f} ms | <= 150 ms | "
            f"{_mark(st['version'] <= 0.15)} |",
            f"| start-up `bluejay-gate validate` quickstart | {st['validate'] * 1000:.0f} ms | "
            f"<= 400 ms | {_mark(st['validate'] <= 0.4)} |",
        ]
    )
    em = fig.get("emulator")
    if em is not None:
        lines.append(
            f"| emulator: requests/s on loopback ({em['threads']} client threads, "
            f"{em['errors']} errors) | {em['rps']:.0f} | >= 1000 | {_mark(em['rps'] >= 1000)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 1 repetition")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--reps", type=int, default=None, help="repetitions (3; quick: 1)")
    parser.add_argument(
        "--only",
        default=None,
        metavar="STEPS",
        help="comma-separated steps to run: startup, emulator, sizes, setup, decided, big "
        "(default: all)",
    )
    args = parser.parse_args(argv)
    reps = args.reps or (1 if args.quick else 3)
    if reps < 1:
        parser.error("--reps must be at least 1")
    steps: list[tuple[str, Callable[[Path], Any]]]
    if args.quick:
        steps = [
            ("startup", lambda _w: bench_startup(3)),
            ("emulator", lambda _w: bench_emulator(1.0, 4)),
            ("sizes", lambda w: bench_sizes([1, 5], reps, True, w)),
            ("setup", lambda w: bench_setup([1, 10], reps, w)),
            ("decided", lambda w: bench_decided(reps, w, sims=4)),
            ("big", lambda w: bench_big(Size(10, 20, 20, BIG_REASONING), reps, w)),
        ]
    else:
        steps = [
            ("startup", lambda _w: bench_startup(10)),
            ("emulator", lambda _w: bench_emulator(3.0, 4)),
            ("sizes", lambda w: bench_sizes([1, 10, 50], reps, True, w)),
            ("setup", lambda w: bench_setup([1, 10, 50], reps, w)),
            ("decided", lambda w: bench_decided(reps, w)),
            ("big", lambda w: bench_big(Size(100, 100, 20, BIG_REASONING), reps, w)),
        ]
    if args.only:
        wanted = {name.strip() for name in args.only.split(",") if name.strip()}
        unknown = wanted - {name for name, _ in steps}
        if unknown:
            parser.error(f"--only: unknown step(s) {', '.join(sorted(unknown))}")
        steps = [(name, step) for name, step in steps if name in wanted]
    fig: dict[str, Any] = {"machine": machine(), "mode": "quick" if args.quick else "full"}
    fig["reps"] = reps
    with tempfile.TemporaryDirectory(prefix="bluejay-bench-") as tmp:
        for name, step in steps:
            started = time.monotonic()
            fig[name] = step(Path(tmp))
            print(f"[{name}: {time.monotonic() - started:.0f} s]", file=sys.stderr, flush=True)
    print(render(fig))
    if args.json:
        print(json.dumps(fig, indent=2))
    # Request counts are deterministic enough to hold even in quick mode on a busy machine.
    worst = max((row["ratio"] for row in fig.get("sizes", [])), default=1.0)
    if worst > 1.5:
        print(f"requests per run {worst:.2f}x the minimum (more than 1.5x)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
