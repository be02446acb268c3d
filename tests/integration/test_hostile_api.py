"""Hostile API answers: for every endpoint the gate calls, a scripted server on loopback
answers 200 with truncated JSON, an HTML page, wrong types, missing fields, nulls, huge
strings, deeply nested values or a 50 MB body, and proxies every other request to the
emulator. Each gives exit 3 and a one-line message naming the endpoint; never a
traceback, never exit 0. Variants are generated with hypothesis.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluejay_gate.emulator import Emulator
from tests.helpers.hostile import ENDPOINTS, MB, Endpoint, HostileServer, Mutation, World, run_gate
from tests.helpers.specs import QUICKSTART, prepare

KEY = "hostile-canary-key-31c7"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
    monkeypatch.setenv("BLUEJAY_RETRY_MAX_DELAY", "0.01")
    monkeypatch.setenv("NO_COLOR", "1")
    spec = prepare(tmp_path / "spec")
    data = yaml.safe_load(spec.read_text())
    data["run"]["timeout"] = "20s"
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    # Every result is re-read one by one, so retrieve-simulation-result is called too.
    scenario["quirks"] = {"bulk_missing_metrics": 1.0}
    emu = Emulator(scenario, api_key=KEY, speed=20.0).start()
    server = HostileServer(emu.base_url)
    yield World(emu, server, spec, tmp_path)
    server.close()
    emu.stop()


def reset(world: World) -> None:
    """A fresh emulator behind the same proxy: the agent differs again, so the update
    endpoint is called on every gate run."""
    world.emu.stop()
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    scenario["quirks"] = {"bulk_missing_metrics": 1.0}
    world.emu = Emulator(scenario, api_key=KEY, speed=20.0).start()
    world.server.upstream = world.emu.base_url.removeprefix("http://")
    world.server.hits = 0


def assert_no_verdict(endpoint: Endpoint, code: int, output: str, hits: int) -> None:
    assert hits >= 1, f"{endpoint.prefix} was never called"
    assert "Traceback" not in output
    assert "internal error" not in output, output
    assert KEY not in output
    if not endpoint.strict:
        assert code in {0, 3}, output
        assert endpoint.prefix in output, output
        return
    assert code == 3, output
    lines = [line for line in output.splitlines() if endpoint.prefix in line]
    assert lines, f"no line names {endpoint.prefix}:\n{output}"
    assert all(len(line) < 2000 for line in output.splitlines()), "an unbounded line"


def _replace_field(field: str, value_text: bytes) -> Mutation:
    def mutate(data: bytes) -> tuple[str, bytes]:
        body = json.loads(data)
        if not isinstance(body, dict) or not field:
            return "application/json", value_text
        body[field] = "@@"
        text = json.dumps(body).encode().replace(b'"@@"', value_text, 1)
        return "application/json", text

    return mutate


def _drop_field(field: str) -> Mutation:
    def mutate(data: bytes) -> tuple[str, bytes]:
        body = json.loads(data)
        if isinstance(body, dict) and field:
            body.pop(field, None)
            return "application/json", json.dumps(body).encode()
        return "application/json", b"[]"

    return mutate


def _truncate(fraction: float) -> Mutation:
    def mutate(data: bytes) -> tuple[str, bytes]:
        cut = max(1, min(len(data) - 1, int(len(data) * fraction)))
        return "application/json", data[:cut]

    return mutate


HTML = b"<!doctype html><html><body><h1>Sign in to continue</h1></body></html>"
DEEP = b"[" * 200_000 + b"]" * 200_000
HUGE = b'"' + b"x" * (5 * MB) + b'"'

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
# Never a number alone: an id sent as a number is one the API documents.
wrong_values = st.one_of(
    st.none(),
    st.booleans(),
    st.lists(json_scalars, max_size=3),
    st.dictionaries(st.text(max_size=5), json_scalars, max_size=3),
)
not_objects = st.one_of(json_scalars, st.text(max_size=20), st.lists(json_scalars, max_size=4))


def _constant(ctype: str, body: bytes) -> Mutation:
    return lambda _data: (ctype, body)


def mutations() -> st.SearchStrategy[tuple[str, Callable[[str], Mutation]]]:
    """(description, field the gate needs -> mutation)."""
    return st.one_of(
        st.floats(0.05, 0.95).map(lambda f: (f"truncated at {f:.0%}", lambda _n: _truncate(f))),
        st.just(("html", lambda _n: _constant("text/html", HTML))),
        st.just(("missing field", _drop_field)),
        st.just(("null field", lambda n: _replace_field(n, b"null"))),
        wrong_values.map(
            lambda v: (f"wrong type {v!r}", lambda n: _replace_field(n, json.dumps(v).encode()))
        ),
        not_objects.map(
            lambda v: (
                f"not an object {v!r}",
                lambda _n: _constant("application/json", json.dumps(v).encode()),
            )
        ),
        st.just(("deeply nested", lambda n: _replace_field(n, DEEP))),
        st.just(("huge string", lambda n: _replace_field(n, HUGE))),
    )


def _valid_anyway(endpoint: Endpoint, what: str) -> bool:
    """Answers the document allows: ping's may be any JSON (no schema); an update's
    ``agent`` may be any object (AgentUpdateRequest requires no field); ``null`` from
    agent-by-external-id reads as "no such agent" (the gate then tries to create it and
    Bluejay refuses the duplicate)."""
    if endpoint.prefix == "/v1/ping":
        return not (what.startswith("truncated") or what in {"html", "deeply nested"})
    if endpoint.needed == "agent" and what.startswith("wrong type {"):
        return True
    return endpoint.prefix == "/v1/agent-by-external-id/" and what == "not an object None"


@pytest.mark.slow
@settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(endpoint=st.sampled_from(ENDPOINTS), variant=mutations())
def test_hostile_answers_give_no_verdict(
    world: World, capsys: pytest.CaptureFixture[str], endpoint: Endpoint, variant: Any
) -> None:
    what, make = variant
    reset(world)
    world.server.target = endpoint
    world.server.mutation = make(endpoint.needed)
    world.server.stream_bytes = 0
    code, output = run_gate(world, capsys)
    if _valid_anyway(endpoint, what):
        assert code in {0, 3}, output
        assert "Traceback" not in output
        return
    if endpoint.empty_stops and what in {"wrong type []", "not an object []"}:
        # Readable and empty: no such metric, or no digital humans to reach min_samples.
        assert "Traceback" not in output
        assert code in {0, 2}, output
        if code == 2:
            assert "nothing was queued" in output
            assert world.emu.count("POST", "/v1/queue-simulation-run") == 0
        return
    if endpoint.optional and what in {"missing field", "wrong type []", "not an object []"}:
        # The document does not require the list (and a bare list is read as it): missing
        # or [] is empty. No runs before queueing is a fine snapshot; no simulations
        # means the spec's simulation is not found.
        assert "Traceback" not in output
        if endpoint.strict:
            assert code == 3, output
            assert "has no simulation named" in output
        else:
            assert code in {0, 3}, output
        return
    assert_no_verdict(endpoint, code, output, world.server.hits)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.prefix.strip("/"))
def test_html_page_with_200(world: World, capsys, endpoint: Endpoint) -> None:
    """A proxy's login page answered with 200 on every endpoint."""
    world.server.target = endpoint
    world.server.mutation = lambda _d: ("text/html", HTML)
    code, output = run_gate(world, capsys)
    assert_no_verdict(endpoint, code, output, world.server.hits)
    if endpoint.strict:
        assert "not JSON (text/html" in output


@pytest.mark.parametrize(
    "endpoint", [ENDPOINTS[1], ENDPOINTS[4], ENDPOINTS[6]], ids=["agent", "sims", "results"]
)
def test_deep_nesting(world: World, capsys, endpoint: Endpoint) -> None:
    """200 000 nested brackets: a clear message, not a RecursionError."""
    world.server.target = endpoint
    world.server.mutation = lambda _d: ("application/json", DEEP)
    code, output = run_gate(world, capsys)
    assert_no_verdict(endpoint, code, output, world.server.hits)
    assert "nested" in output


@pytest.mark.slow
def test_50_mb_body_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    """A 50 MB answer without Content-Length to the results poll: the client stops at
    its 20 MB cap, the gate exits 3 naming the endpoint, and the process's peak memory
    stays bounded (a real subprocess, so VmHWM is the gate's own)."""
    script = tmp_path / "hostile.py"
    script.write_text(
        f"""
import os, sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
import yaml
from pathlib import Path
from bluejay_gate.emulator import Emulator
from tests.helpers.hostile import ENDPOINTS, HostileServer
from tests.helpers.specs import QUICKSTART, prepare
from bluejay_gate.cli import main
emu = Emulator(yaml.safe_load((QUICKSTART / "emulator.yml").read_text()), api_key={KEY!r},
               speed=20.0).start()
server = HostileServer(emu.base_url)
server.target = ENDPOINTS[6]
server.stream_bytes = 50 * 1024 * 1024
spec = prepare(Path({str(tmp_path)!r}) / "spec")
try:
    main(["run", "--spec", str(spec), "--base-url", server.base_url,
          "--junit", {str(tmp_path / "j.xml")!r}, "--report", {str(tmp_path / "r.json")!r}])
except SystemExit as exc:
    code = exc.code
# VmHWM belongs to this process's own memory map; ru_maxrss would also count the
# pytest parent's size at fork time, which Linux keeps across exec.
status = Path("/proc/self/status").read_text()
peak = int(next(x for x in status.splitlines() if x.startswith("VmHWM:")).split()[1]) // 1024
print("EXIT", code, "PEAK_MB", peak, "HITS", server.hits)
"""
    )
    env = {**os.environ, "BLUEJAY_API_KEY": KEY, "BLUEJAY_RETRY_MAX_DELAY": "0.01"}
    proc = subprocess.run(
        [sys.executable, str(script)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    tail = proc.stdout.strip().splitlines()[-1]
    print(tail)  # the figure the README quotes
    fields = tail.split()
    assert fields[0] == "EXIT", proc.stdout + proc.stderr
    code, peak = int(fields[1]), int(fields[3])
    assert code == 3, proc.stdout + proc.stderr
    assert "/v1/retrieve-simulation-results/" in proc.stdout
    assert "over 20 MB" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    # The proxy's own buffers and a 20 MB cap, several retries: far below 50 MB x tries.
    assert peak < 200, f"peak RSS {peak} MB"


@pytest.mark.slow
def test_dripping_answer_cannot_hold_the_gate(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """An answer that trickles in a byte every 0.2 s (no read ever times out) is cut at
    the attempt's timeout (at least 5 s near the budget), so a 2 s budget ends within
    that plus clean-up, not when the server stops (60 s)."""
    data = yaml.safe_load(world.spec.read_text())
    data["run"]["timeout"] = "2s"
    world.spec.write_text(yaml.safe_dump(data, sort_keys=False))
    world.server.target = ENDPOINTS[6]  # the results poll
    world.server.drip_seconds = 60.0
    started = time.monotonic()
    code, output = run_gate(world, capsys)
    elapsed = time.monotonic() - started
    assert code == 3, output
    assert elapsed < 2 + 5 + 3, f"took {elapsed:.1f} s"
    assert "/v1/retrieve-simulation-results/" in output


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_metric_values_never_pass(
    world: World, capsys: pytest.CaptureFixture[str], token: str
) -> None:
    """Every decimal value in the results (latencies, scores) replaced by a non-finite
    number: the latency check reports them as unreadable and the gate gives no verdict
    (exit 3), never a pass on NaN or infinity."""
    world.server.target = Endpoint("GET", "/v1/retrieve-simulation-result", "")
    world.server.mutation = lambda data: (
        "application/json",
        re.sub(rb'(?<=":)\s*-?\d+\.\d+', token.encode(), data),
    )
    code, output = run_gate(world, capsys)
    assert code == 3, output
    assert "unreadable values of 'latency.p95_agent_latency'" in output, output
    assert "is not a finite number" in output
    report = json.loads((world.out / "r.json").read_text())
    latency = [
        c for s in report["simulations"] for c in s["checks"] if c["metric"].startswith("latency")
    ]
    assert latency
    assert all(c["outcome"] == "no_verdict" for c in latency)


@pytest.mark.slow
def test_gzip_bomb_is_refused(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    """200 KB of gzip that inflates to 200 MB: decoding stops at the 20 MB cap."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    bomb = b"".join(packer.compress(zeros) for _ in range(200)) + packer.flush()
    assert len(bomb) < 400_000
    world.server.target = ENDPOINTS[6]  # the results poll
    world.server.encoding = "gzip"
    world.server.mutation = lambda _d: ("application/json", bomb)
    code, output = run_gate(world, capsys)
    assert code == 3, output
    assert "/v1/retrieve-simulation-results/" in output
    assert "over 20 MB" in output
