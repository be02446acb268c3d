"""Check before paying, through the real CLI against the emulator: thresholds are checked
against Bluejay's metric definitions before anything is changed or queued."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from tests.helpers.hostile import HostileServer

KEY = "preflight-key-8d1e"
Factory = Callable[..., Emulator]

SCENARIO: dict[str, Any] = {
    "seed": 3,
    "timing": {"queued": 0.2, "running": 1.0, "conversation_ended": 0.1, "evaluating": 0.4},
    "agents": [
        {
            "id": 101,
            "name": "Support Bot v1",
            "external_agent_id": "support-bot",
            "system_prompt": "old",
            "knowledge_base": "kb",
            "goals": ["Resolve billing questions"],
        }
    ],
    "custom_metrics": [
        {"name": "Greeting compliance", "response_type": "pass_fail", "agent_ids": [101]},
        {
            "name": "Empathy",
            "response_type": "quantitative",
            "min_value": 0,
            "max_value": 10,
            "agent_ids": [101],
        },
        # Not linked to the agent: only in the organisation's list.
        {"name": "Tone", "response_type": "enum", "enum_options": ["warm", "cold"]},
    ],
    "simulations": [
        {
            "id": 4821,
            "name": "Billing regressions",
            "agent": "support-bot",
            "digital_humans": [{"id": 12, "name": "A"}, {"id": 13, "name": "B"}],
            "scores": {
                "Greeting compliance": {"pass_rate": 1.0},
                "Empathy": {"mean": 8, "spread": 0},
                "Tone": {"value": "warm"},
                "goal_success": {"rate": 1.0},
            },
        },
        {
            "id": 4822,
            "name": "Smoke test",
            "agent": "support-bot",
            "digital_humans": [
                {"id": 21, "name": "C"},
                {"id": 22, "name": "D"},
                {"id": 23, "name": "E"},
            ],
            "scores": {"Greeting compliance": {"pass_rate": 1.0}, "goal_success": {"rate": 1.0}},
        },
    ],
}

SPEC = """\
version: 1
agent:
  external_id: support-bot
  name: Support Bot v2
  system_prompt: "You are the support agent."
  knowledge_base: "Refunds within 30 days."
  goals: [Resolve billing questions]
run:
  poll_interval: 0.05s
  timeout: 60s
simulations:
{simulations}thresholds:
{thresholds}"""
SIMS = """\
  - id: 4821
    name: Billing regressions
"""
THRESHOLDS = """\
  "Greeting compliance": pass_rate >= 90%
  Empathy: mean >= 7
  goal_success: rate >= 80%
"""
FIRST_THRESHOLD_LINE = 15  # with SIMS


def scenario(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(SCENARIO)
    data.update(changes)
    return data


def write_spec(tmp_path: Path, thresholds: str = THRESHOLDS, simulations: str = SIMS) -> Path:
    path = tmp_path / "spec.yml"
    path.write_text(SPEC.format(simulations=simulations, thresholds=thresholds))
    return path


def gate(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    base_url: str,
    spec: Path,
    *extra: str,
) -> tuple[int, str, str]:
    monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
    monkeypatch.setenv("BLUEJAY_RETRY_MAX_DELAY", "0.01")
    monkeypatch.setenv("NO_COLOR", "1")
    argv = ["run", "--spec", str(spec), "--base-url", base_url]
    argv += ["--junit", str(tmp_path / "j.xml"), "--report", str(tmp_path / "r.json"), *extra]
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert isinstance(info.value.code, int)
    assert "Traceback" not in out + err
    assert KEY not in out + err
    return info.value.code, out, err


def paths(emu: Emulator) -> list[str]:
    return [f"{r.method} {r.path}" for r in emu.requests]


def nothing_changed(emu: Emulator) -> None:
    sent = paths(emu)
    assert not any("queue-simulation-run" in p for p in sent), sent
    assert not any("add-agent" in p or "update-agent" in p for p in sent), sent


def test_typo_in_a_metric_stops_before_anything_is_changed(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = emulator(scenario(), api_key=KEY, speed=50.0)
    spec = write_spec(tmp_path, THRESHOLDS.replace("Empathy:", "Empaty:"))
    code, _, err = gate(tmp_path, monkeypatch, capsys, emu.base_url, spec)
    assert code == 2
    [line] = err.strip().splitlines()
    assert line.startswith(f"bluejay-gate: error: {spec}:{FIRST_THRESHOLD_LINE + 1}: Empaty: ")
    assert "did you mean 'Empathy'?" in line
    assert line.endswith("nothing was queued")
    nothing_changed(emu)
    # the agent's list first, then the organisation's (Empaty is in neither)
    lists = [r for r in emu.requests if r.path == "/v1/custom-metrics"]
    assert [r.query.get("agent_id") for r in lists] == ["101", None]


def test_every_problem_is_reported(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = emulator(scenario(), api_key=KEY, speed=50.0)
    thresholds = THRESHOLDS + "  Tone: share(hot) >= 50%\n  Empathy2: mean >= 70%\n"
    thresholds = thresholds.replace("mean >= 7\n", "mean >= 70%\n", 1)
    code, out, err = gate(
        tmp_path, monkeypatch, capsys, emu.base_url, write_spec(tmp_path, thresholds)
    )
    assert code == 2
    assert "'Empathy' is scored 0 to 10" in err
    assert "write 'mean >= 7'" in err
    assert "2 more problems with thresholds (line 18 'Tone', line 19 'Empathy2')" in err
    assert "spec.yml:18: Tone: share(hot) counts a value 'Tone' never has" in out
    assert "spec.yml:19: Empathy2: no custom metric named 'Empathy2'" in out
    nothing_changed(emu)


def test_a_metric_only_in_the_organisation_list_passes(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = emulator(scenario(), api_key=KEY, speed=50.0)
    spec = write_spec(tmp_path, THRESHOLDS + "  Tone: share(warm) >= 50%\n")
    code, out, err = gate(tmp_path, monkeypatch, capsys, emu.base_url, spec)
    assert code == 0, out + err
    lists = [r for r in emu.requests if r.path == "/v1/custom-metrics"]
    assert [r.query.get("agent_id") for r in lists] == ["101", None]
    first_queue = paths(emu).index("POST /v1/queue-simulation-run")
    update = paths(emu).index("PUT /v1/update-agent-by-external-id")
    last_check = max(i for i, p in enumerate(paths(emu)) if "custom-metrics" in p)
    assert last_check < update < first_queue


def test_the_agents_list_is_enough_when_it_has_every_metric(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = emulator(scenario(), api_key=KEY, speed=50.0)
    code, out, err = gate(tmp_path, monkeypatch, capsys, emu.base_url, write_spec(tmp_path))
    assert code == 0, out + err
    lists = [r for r in emu.requests if r.path == "/v1/custom-metrics"]
    assert [r.query for r in lists] == [{"agent_id": "101", "page": "1", "page_size": "100"}]
    digital = [r.path for r in emu.requests if "digital-humans-by-simulation" in r.path]
    assert digital == ["/v1/digital-humans-by-simulation/4821"]


def test_more_than_a_page_of_metrics(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """150 metrics of the agent: the one the spec needs is on page 2."""
    emu = emulator(scenario(), api_key=KEY, speed=50.0)
    for i in range(150):
        emu.add_custom_metric(name=f"Filler {i:03}", response_type="pass_fail", agent_ids=[101])
    emu.add_custom_metric(name="Late", response_type="pass_fail", agent_ids=[101])
    thresholds = THRESHOLDS + '  "Late": rate >= 0%\n  "Filler 149": fail_count <= 10\n'
    code, out, err = gate(
        tmp_path, monkeypatch, capsys, emu.base_url, write_spec(tmp_path, thresholds), "--dry-run"
    )
    assert code == 0, out + err
    pages = [r.query.get("page") for r in emu.requests if r.path == "/v1/custom-metrics"]
    assert pages == ["1", "2"]


class StatusProxy(HostileServer):
    """Answers ``status`` to every request whose path starts with ``prefix``; proxies the
    rest to the emulator."""

    def __init__(self, upstream: str, prefix: str, status: int) -> None:
        super().__init__(upstream)
        self.prefix, self.status = prefix, status

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        if not h.path.startswith(self.prefix):
            super().handle(h)
            return
        self.hits += 1
        body = b'{"detail": "nope"}'
        h.send_response(self.status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


@pytest.fixture
def proxy(emulator: Factory) -> Iterator[Callable[[str, int], tuple[Emulator, StatusProxy]]]:
    made: list[StatusProxy] = []

    def make(prefix: str, status: int) -> tuple[Emulator, StatusProxy]:
        emu = emulator(scenario(), api_key=KEY, speed=50.0)
        server = StatusProxy(emu.base_url, prefix, status)
        made.append(server)
        return emu, server

    yield make
    for server in made:
        server.close()


@pytest.mark.parametrize("status", [403, 500])
def test_unreadable_definitions_warn_once_and_go_on(
    proxy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, status: int
) -> None:
    emu, server = proxy("/v1/custom-metrics", status)
    # Empaty would be caught with definitions; without them it is no verdict after the run.
    spec = write_spec(tmp_path, THRESHOLDS + "  Empaty: mean >= 7\n")
    code, out, err = gate(tmp_path, monkeypatch, capsys, server.base_url, spec)
    warnings = [line for line in out.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, out
    assert warnings[0].startswith("warning: could not read the custom metric definitions (GET ")
    assert f"({status})" in warnings[0] or f"{status}" in warnings[0]
    assert server.hits >= 1
    assert code == 3, out + err  # the run happened; Empaty is no verdict, never a pass
    assert emu.count("POST", "/v1/queue-simulation-run") == 1


def test_unreadable_definitions_still_run_a_good_spec(
    proxy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu, server = proxy("/v1/custom-metrics", 500)
    code, out, err = gate(tmp_path, monkeypatch, capsys, server.base_url, write_spec(tmp_path))
    assert code == 0, out + err
    assert emu.count("POST", "/v1/queue-simulation-run") == 1
    assert out.count("warning: could not read the custom metric definitions") == 1


def test_a_rejected_key_still_stops(
    proxy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu, server = proxy("/v1/custom-metrics", 401)
    code, out, err = gate(tmp_path, monkeypatch, capsys, server.base_url, write_spec(tmp_path))
    assert code == 3
    assert "API key rejected (401)" in out + err
    nothing_changed(emu)


def test_dry_run_prints_the_cost(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = emulator(scenario(), api_key=KEY, speed=50.0)
    sims = SIMS + "  - id: 4822\n    digital_human_ids: [21, 22]\n    repeat: 3\n"
    code, out, err = gate(
        tmp_path,
        monkeypatch,
        capsys,
        emu.base_url,
        write_spec(tmp_path, simulations=sims),
        "--dry-run",
    )
    assert code == 0, out + err
    assert (
        "would queue: Billing regressions (simulation 4821), 3 checks: 2 conversations "
        "(2 digital humans × 1)" in out
    )
    assert (
        "would queue: Smoke test (simulation 4822, digital humans 21, 22), 3 per digital "
        "human, 3 checks: 6 conversations (2 digital humans × 3)" in out
    )
    assert "in total: 8 conversations" in out
    nothing_changed(emu)


def test_dry_run_with_early_stopping_says_up_to(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = emulator(scenario(), api_key=KEY, speed=50.0)
    sims = SIMS + "    repeat: 2\n    max_repeats: 4\n"
    thresholds = THRESHOLDS.replace("mean >= 7", "{check: mean >= 7, confidence: 95%}")
    spec = write_spec(tmp_path, thresholds, sims)
    code, out, err = gate(tmp_path, monkeypatch, capsys, emu.base_url, spec, "--dry-run")
    assert code == 0, out + err
    assert "4 to up to 8 conversations (2 digital humans × 2, up to 4 while inconclusive)" in out
    assert "in total: 4 to up to 8 conversations" in out


def test_dry_run_unknown_digital_humans(
    proxy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu, server = proxy("/v1/digital-humans-by-simulation/", 500)
    code, out, err = gate(
        tmp_path, monkeypatch, capsys, server.base_url, write_spec(tmp_path), "--dry-run"
    )
    assert code == 0, out + err
    assert "unknown conversations (the digital humans could not be read)" in out
    assert "in total: unknown (the digital humans of Billing regressions could not be read" in out
    assert out.count("warning: could not count the digital humans of Billing regressions") == 1
    assert server.hits >= 1
    assert emu.count("GET", "/v1/digital-humans-by-simulation/") == 0  # the proxy answered


def test_dry_run_stops_on_a_problem_too(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = emulator(scenario(), api_key=KEY, speed=50.0)
    thresholds = THRESHOLDS.replace(
        "Empathy: mean >= 7", "Empathy: {check: mean >= 7, min_samples: 5}"
    )
    spec = write_spec(tmp_path, thresholds)
    code, out, err = gate(tmp_path, monkeypatch, capsys, emu.base_url, spec, "--dry-run")
    assert code == 2
    assert (
        f"{spec}:16: Empathy: min_samples 5 cannot be reached: Billing regressions queues "
        "at most 2 conversations" in err
    )
    assert "Dry run" not in out


def test_same_simulation_spelled_twice_is_refused_before_any_request(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = emulator(scenario(), api_key=KEY, speed=50.0)
    sims = SIMS + '  - id: "04821"\n'
    spec = write_spec(tmp_path, simulations=sims)
    code, _, err = gate(tmp_path, monkeypatch, capsys, emu.base_url, spec)
    assert code == 2
    assert (
        f"{spec}:14: simulations[1]: simulation id 4821 is listed twice: line 12 (4821) and "
        "line 14 ('04821')" in err
    )
    assert emu.requests == []


def test_validate_catches_the_spelling_too(tmp_path: Path, capsys: Any) -> None:
    spec = write_spec(tmp_path, simulations=SIMS + "  - id: 4821\n    name: Again\n")
    with pytest.raises(SystemExit) as info:
        main(["validate", "--spec", str(spec)])
    assert info.value.code == 2
    assert "line 12 (4821) and line 14 (4821)" in capsys.readouterr().err


def test_same_simulation_by_id_and_by_name_is_refused_after_resolution(
    emulator: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    emu = emulator(scenario(), api_key=KEY, speed=50.0)
    sims = "  - id: 4821\n  - name: Billing regressions\n"
    spec = write_spec(tmp_path, simulations=sims)
    code, _, err = gate(tmp_path, monkeypatch, capsys, emu.base_url, spec)
    assert code == 2
    assert (
        f"{spec}:13: simulations[1]: simulation 4821 is listed twice: line 12 (id 4821) and "
        "line 13 (name 'Billing regressions') are the same simulation" in err
    )
    assert err.rstrip().endswith("nothing was queued")
    nothing_changed(emu)


@pytest.mark.parametrize("where", ["top", "settings"])
def test_a_metric_the_simulation_does_not_score(
    emulator: Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    where: str,
) -> None:
    data = scenario()
    data["simulations"][0]["metrics"] = ["Greeting compliance"]
    data["simulations"][0]["report_selected_metrics"] = where
    emu = emulator(data, api_key=KEY, speed=50.0)
    code, _, err = gate(tmp_path, monkeypatch, capsys, emu.base_url, write_spec(tmp_path))
    assert code == 2
    assert (
        f"spec.yml:{FIRST_THRESHOLD_LINE + 1}: Empathy: custom metric 'Empathy' is not "
        "selected for Billing regressions (simulation 4821)" in err
    )
    nothing_changed(emu)


def test_emulator_reports_selected_metrics_only_when_asked(emulator: Factory) -> None:
    import httpx

    data = scenario()
    data["simulations"][0]["metrics"] = ["Empathy", "Tone"]
    data["simulations"][0]["report_selected_metrics"] = "top"
    data["simulations"][1]["report_selected_metrics"] = "settings"
    emu = emulator(data, api_key=KEY)
    ids = {m["name"]: i for i, m in emu.state.metrics.items()}
    with httpx.Client(base_url=emu.base_url, headers={"X-API-Key": KEY}) as http:
        first = http.get("/v1/simulation/4821").json()
        second = http.get("/v1/simulation/4822").json()
        plain = emulator(scenario(), api_key=KEY)
        unchanged = httpx.get(f"{plain.base_url}/v1/simulation/4821", headers={"X-API-Key": KEY})
    assert sorted(first["selected_custom_metrics"]) == sorted([ids["Empathy"], ids["Tone"]])
    assert "selected_custom_metrics" not in first["settings"]
    assert sorted(second["settings"]["selected_custom_metrics"]) == sorted(ids.values())
    assert "selected_custom_metrics" not in second
    body = unchanged.json()
    assert "selected_custom_metrics" not in body
    assert "selected_custom_metrics" not in body["settings"]


def test_names_unreadable_with_listed_digital_humans(
    proxy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """With ``digital_human_ids`` listed the digital humans are still read once, for their
    names; when that read fails the gate says the reports name them by id and goes on
    (a name never decides anything)."""
    emu, server = proxy("/v1/digital-humans-by-simulation/", 500)
    sims = SIMS + "    digital_human_ids: [12, 13]\n"
    spec = write_spec(tmp_path, simulations=sims)
    code, out, err = gate(tmp_path, monkeypatch, capsys, server.base_url, spec, "--dry-run")
    assert code == 0, out + err
    assert out.count("warning: could not read the digital humans of Billing regressions") == 1, out
    assert "the reports name them by id" in out
    assert "2 conversations (2 digital humans × 1)" in out  # the cost from the listed ids
    assert emu.count("GET", "/v1/digital-humans-by-simulation/4821") == 0  # refused by proxy
