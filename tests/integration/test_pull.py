"""``bluejay-gate pull`` against the emulator: an agent with custom metrics, simulations and
digital humans (some made through the API, one with a completed run) written out as a
spec; GET requests only; the same account pulled twice gives the same bytes; the CLI's
exit codes and one-line errors, in a subprocess."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.emulator import Emulator, ManualClock
from bluejay_gate.manage.pull import pull
from tests.helpers.gate import KEY
from tests.helpers.pulled import assert_same_pulled, pulled_differences, pulled_files
from tests.helpers.typed import as_list, as_object

WHEN = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)
LONG = "Score whether the caller's problem was solved on this call, without a callback. " * 2

SCENARIO: dict[str, Any] = {
    "seed": 11,
    "timing": {"queued": 1.0, "running": 2.0, "conversation_ended": 1.0, "evaluating": 1.0},
    "agents": [
        {
            "id": 101,
            "name": "Support Bot v2",
            "external_agent_id": "support-bot",
            "system_prompt": "You are the support agent of Acme.\nBe brief.",
            "knowledge_base": "Refunds within 30 days.",
            "goals": ["Resolve billing questions"],
            "type": "INBOUND",
            "mode": "VOICE",
        },
        {"id": 102, "name": "Other Bot", "external_agent_id": "777"},
    ],
    "custom_metrics": [
        {
            "name": "Greeting compliance",
            "response_type": "pass_fail",
            "description": "Did the agent greet the caller?",
            "agent_ids": [101],
        },
        {
            "name": "Empathy",
            "response_type": "quantitative",
            "description": "How warm the agent was",
            "min_value": 0,
            "max_value": 10,
            "agent_ids": [101],
        },
        {"name": "Another agent's", "response_type": "pass_fail", "agent_ids": [102]},
    ],
    "simulations": [
        {
            "id": 4821,
            "name": "Billing regressions",
            "agent": "support-bot",
            "digital_humans": [
                {"id": 12, "name": "Angry caller", "intent": "Wants a refund"},
                {"id": 13, "name": "Polite", "intent": "Asks about an invoice"},
            ],
            "scores": {
                "Greeting compliance": {"pass_rate": 1.0},
                "Empathy": {"value": 8},
            },
        }
    ],
}


def seed(emu: Emulator, clock: ManualClock) -> None:
    """Through the API: a metric with long texts, a managed simulation selecting it with
    two digital humans; and one completed run of the scenario's simulation."""
    with BluejayClient(KEY, emu.base_url) as c:
        resolution = c.create_metric(
            "101",
            {
                "name": "Resolution",
                "response_type": "pass_fail",
                "description": LONG,
                "scoring_guidance": "Pass: solved.\nFail: a callback was promised.",
                "category": "Support",
                "tags": ["billing"],
            },
        )
        sim = c.create_simulation(
            "101",
            "Onboarding (new customers)",
            {
                "description": "New customers setting up their first line",
                "max_call_duration": 5,
                "max_call_duration_units": "minutes",
                "selected_custom_metrics": [resolution.id],
            },
        )
        c.create_human(
            sim,
            {
                "name": "Nervous Nina",
                "intent": "Set up a line\nand port her old number",
                "success_criteria": "The line is active",
                "language": "en",
            },
        )
        c.create_human(sim, {"name": "Busy Bob", "intent": "Quick activation"})
        c.queue_run("4821")
    clock.advance(60)


@pytest.fixture
def emu(emulator: Callable[..., Emulator]) -> Emulator:
    clock = ManualClock()
    emu = emulator(copy.deepcopy(SCENARIO), api_key=KEY, clock=clock)
    seed(emu, clock)
    emu.clear_requests()
    return emu


def pull_into(emu: Emulator, folder: Path, ref: str = "support-bot", **kwargs: Any) -> str:
    out = StringIO()
    with BluejayClient(KEY, emu.base_url) as client:
        code = pull(client, ref, folder, out, base_url=emu.base_url, now=lambda: WHEN, **kwargs)
    assert code == 0
    return out.getvalue()


def cli(emu: Emulator, *args: str, key: str | None = KEY) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLUEJAY_")}
    if key is not None:
        env["BLUEJAY_API_KEY"] = key
    argv = [sys.executable, "-m", "bluejay_gate", "pull", *args, "--base-url", emu.base_url]
    return subprocess.run(argv, capture_output=True, text=True, env=env, check=False, timeout=60)


def test_pull_writes_the_agents_setup_as_a_spec(tmp_path: Path, emu: Emulator) -> None:
    folder = tmp_path / "pulled"
    printed = pull_into(emu, folder)
    files = pulled_files(folder)
    assert sorted(files) == [
        "bluejay-gate.yml",
        "humans/onboarding-new-customers/nervous-nina.intent.md",
        "kb/knowledge_base.md",
        "metrics/resolution.md",
        "metrics/resolution.scoring_guidance.md",
        "prompts/system_prompt.md",
    ]
    assert printed.splitlines()[:-1] == [f"wrote {folder / name}" for name in files]
    assert printed.splitlines()[-1].startswith(
        "pulled agent 'Support Bot v2' (101): 3 custom metrics, 2 simulations with 4 digital "
        "humans, threshold suggestions from 1 completed run"
    )
    assert files["prompts/system_prompt.md"] == b"You are the support agent of Acme.\nBe brief.\n"
    assert files["metrics/resolution.md"] == (LONG + "\n").encode()
    assert files["metrics/resolution.scoring_guidance.md"] == (
        b"Pass: solved.\nFail: a callback was promised.\n"
    )
    data = as_object(yaml.safe_load(files["bluejay-gate.yml"]))
    agent = as_object(data["agent"])
    assert agent["external_id"] == "support-bot"
    assert agent["name"] == "Support Bot v2"
    assert agent["system_prompt"] == {"file": "prompts/system_prompt.md"}
    assert agent["goals"] == ["Resolve billing questions"]
    assert (agent["type"], agent["mode"]) == ("INBOUND", "VOICE")
    metrics = {m["name"]: m for m in as_list(data["custom_metrics"])}
    assert sorted(metrics) == ["Empathy", "Greeting compliance", "Resolution"]
    assert metrics["Resolution"]["description"] == {"file": "metrics/resolution.md"}
    assert metrics["Resolution"]["tags"] == ["billing"]
    assert metrics["Resolution"]["category"] == "Support"
    assert metrics["Empathy"]["max_value"] == 10
    sims = {s["name"]: s for s in as_list(data["simulations"])}
    assert sorted(sims) == ["Billing regressions", "Onboarding (new customers)"]
    onboarding = sims["Onboarding (new customers)"]
    assert onboarding["selected_custom_metrics"] == ["Resolution"]
    assert onboarding["max_call_duration"] == 5
    assert onboarding["max_call_duration_units"] == "minutes"
    humans = {h["name"]: h for h in onboarding["digital_humans"]}
    assert humans["Nervous Nina"]["intent"] == {
        "file": "humans/onboarding-new-customers/nervous-nina.intent.md"
    }
    assert humans["Nervous Nina"]["success_criteria"] == "The line is active"
    assert [h["name"] for h in sims["Billing regressions"]["digital_humans"]] == [
        "Angry caller",
        "Polite",
    ]
    assert data["thresholds"] == {"score": "value >= 80"}
    text = files["bluejay-gate.yml"].decode()
    assert KEY not in text
    assert f"from {emu.base_url} on 2026-12-02 10:30 UTC" in text
    assert "# Bluejay simulation 4821" in text
    assert "# Bluejay digital human 12" in text
    assert '    #   "Empathy": mean >= 8' in text
    assert '"Greeting compliance": pass_rate >= 100%  # passed 2 of 2 (100%)' in text
    assert 'No completed run of "Onboarding (new customers)" yet' in text


def test_pull_sends_only_get_requests(tmp_path: Path, emu: Emulator) -> None:
    pull_into(emu, tmp_path / "pulled")
    methods = [r.method for r in emu.requests]
    assert methods, "pull sent nothing"
    assert set(methods) == {"GET"}
    assert emu.count("GET", "/v1/retrieve-simulation-results/") == 1


def test_pull_twice_gives_byte_identical_files(tmp_path: Path, emu: Emulator) -> None:
    pull_into(emu, tmp_path / "first")
    pull_into(emu, tmp_path / "second")
    assert pulled_files(tmp_path / "first") == pulled_files(tmp_path / "second")
    assert pulled_differences(tmp_path / "first", tmp_path / "second") == []


def test_an_all_digit_agent_is_tried_as_an_id_then_as_an_external_id(
    tmp_path: Path, emu: Emulator
) -> None:
    pull_into(emu, tmp_path / "by-id", "101")
    assert_same_pulled(tmp_path / "by-id", tmp_path / "by-id")
    pull_into(emu, tmp_path / "by-name")
    assert pulled_files(tmp_path / "by-id") == pulled_files(tmp_path / "by-name")
    # 777 is no agent's id, but agent 102's external id
    pull_into(emu, tmp_path / "other", "777")
    other = as_object(yaml.safe_load((tmp_path / "other" / "bluejay-gate.yml").read_text()))
    assert other["agent"]["name"] == "Other Bot"
    assert [m["name"] for m in other["custom_metrics"]] == ["Another agent's"]


def test_cli_writes_files_and_a_summary(tmp_path: Path, emu: Emulator) -> None:
    folder = tmp_path / "out"
    done = cli(emu, "--agent", "support-bot", "--out", str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0] == f"wrote {folder / 'bluejay-gate.yml'}"
    assert len(lines) == 7  # six files and the summary
    assert lines[-1].startswith("pulled agent 'Support Bot v2' (101): ")
    assert KEY not in done.stdout
    assert {r.method for r in emu.requests} == {"GET"}


def test_cli_refuses_to_overwrite_before_any_request(tmp_path: Path, emu: Emulator) -> None:
    (tmp_path / "bluejay-gate.yml").write_text("mine\n")
    done = cli(emu, "--agent", "support-bot", "--out", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr == (
        f"bluejay-gate: error: {tmp_path / 'bluejay-gate.yml'} exists already: pull refuses "
        "to overwrite it; give --force to replace it, or choose another --out folder\n"
    )
    assert (tmp_path / "bluejay-gate.yml").read_text() == "mine\n"
    assert emu.requests == []


def test_cli_refuses_when_a_file_beside_it_exists_and_writes_nothing(
    tmp_path: Path, emu: Emulator
) -> None:
    prompt = tmp_path / "prompts" / "system_prompt.md"
    prompt.parent.mkdir()
    prompt.write_text("my prompt\n")
    done = cli(emu, "--agent", "support-bot", "--out", str(tmp_path))
    assert done.returncode == 2
    assert f"error: {prompt} exists already" in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert sorted(pulled_files(tmp_path)) == ["prompts/system_prompt.md"]
    # --force replaces them
    forced = cli(emu, "--agent", "support-bot", "--out", str(tmp_path), "--force")
    assert forced.returncode == 0, forced.stderr
    assert prompt.read_text() == "You are the support agent of Acme.\nBe brief.\n"
    assert not list(tmp_path.rglob("*.tmp"))


def test_cli_unknown_agent_is_a_usage_error_naming_it(tmp_path: Path, emu: Emulator) -> None:
    done = cli(emu, "--agent", "4242", "--out", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr == (
        "bluejay-gate: error: no Bluejay agent has the id or external id '4242': check "
        "--agent (the agent's id in the dashboard, or its external_agent_id) and the API "
        "key's account\n"
    )
    named = cli(emu, "--agent", "nobody-bot", "--out", str(tmp_path))
    assert named.returncode == 2
    assert "no Bluejay agent has the external id 'nobody-bot'" in named.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_without_a_key_is_a_usage_error(tmp_path: Path, emu: Emulator) -> None:
    done = cli(emu, "--agent", "support-bot", "--out", str(tmp_path), key=None)
    assert done.returncode == 2
    assert done.stderr == (
        "bluejay-gate: error: BLUEJAY_API_KEY is not set: export your Bluejay API key "
        "(in CI, from a secret)\n"
    )
    assert emu.requests == []


def test_cli_with_a_wrong_key_is_no_verdict_in_one_line(tmp_path: Path, emu: Emulator) -> None:
    done = cli(emu, "--agent", "support-bot", "--out", str(tmp_path), key="wrong-key-123")
    assert done.returncode == 3
    assert len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert "wrong-key-123" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_results_the_bulk_answer_left_metrics_out_are_read_one_by_one(
    tmp_path: Path, emulator: Callable[..., Emulator]
) -> None:
    """The suggestions come from every conversation, even when the bulk answer omits the
    custom metrics (each such result is read with retrieve-simulation-result)."""
    scenario = copy.deepcopy(SCENARIO)
    scenario["quirks"] = {"bulk_missing_metrics": 1.0}
    clock = ManualClock()
    emu = emulator(scenario, api_key=KEY, clock=clock)
    seed(emu, clock)
    emu.clear_requests()
    pull_into(emu, tmp_path)
    text = (tmp_path / "bluejay-gate.yml").read_text()
    assert '"Greeting compliance": pass_rate >= 100%  # passed 2 of 2 (100%)' in text
    assert emu.count("GET", "/v1/retrieve-simulation-result/") == 2
    assert {r.method for r in emu.requests} == {"GET"}


def test_cli_out_that_is_a_file_is_one_line(tmp_path: Path, emu: Emulator) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder\n")
    done = cli(emu, "--agent", "support-bot", "--out", str(blocker))
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"bluejay-gate: error: cannot write {blocker / 'bluejay-gate.yml'}: "
    )
    assert done.stderr.endswith("check --out (a folder you can write to)\n")
    assert len(done.stderr.splitlines()) == 1


def test_the_pulled_spec_loads_with_the_managed_setup(tmp_path: Path, emu: Emulator) -> None:
    """The spec loader reads what pull wrote: metrics by name with their texts, the managed
    simulations with their digital humans and metric names, the score check."""
    from bluejay_gate.spec.load import load_spec

    pull_into(emu, tmp_path)
    spec = load_spec(tmp_path / "bluejay-gate.yml", {})
    assert spec.agent.external_id == "support-bot"
    assert spec.agent.fields["system_prompt"] == "You are the support agent of Acme.\nBe brief.\n"
    assert spec.custom_metrics is not None
    metrics = {m.name: m for m in spec.custom_metrics}
    assert sorted(metrics) == ["Empathy", "Greeting compliance", "Resolution"]
    assert metrics["Resolution"].fields["description"] == LONG + "\n"
    assert metrics["Resolution"].fields["tags"] == ["billing"]
    assert metrics["Empathy"].fields["max_value"] == 10
    sims = {s.name: s for s in spec.simulations}
    onboarding = sims["Onboarding (new customers)"].managed
    assert onboarding is not None
    assert onboarding.fields["selected_custom_metrics"] == ["Resolution"]
    assert onboarding.fields["max_call_duration_units"] == "minutes"
    nina = {h.name: h for h in onboarding.digital_humans}["Nervous Nina"]
    assert nina.fields["intent"] == "Set up a line\nand port her old number\n"
    billing = sims["Billing regressions"].managed
    assert billing is not None
    assert [h.name for h in billing.digital_humans] == ["Angry caller", "Polite"]
    assert [c.label for c in spec.checks_for(sims["Billing regressions"])] == ["score: value >= 80"]


def test_a_pulled_password_placeholder_loads_from_the_environment(
    tmp_path: Path, emulator: Callable[..., Emulator]
) -> None:
    from bluejay_gate.errors import SpecError
    from bluejay_gate.spec.load import load_spec

    scenario = copy.deepcopy(SCENARIO)
    emu = emulator(scenario, api_key=KEY)
    with BluejayClient(KEY, emu.base_url) as c:
        c.update_agent(
            "101", {"websocket_url": "wss://agent.example/ws", "websocket_password": "pw-9f8e7d6c"}
        )
    pull_into(emu, tmp_path)
    text = (tmp_path / "bluejay-gate.yml").read_text()
    assert "pw-9f8e7d6c" not in text
    assert "  websocket_password: ${AGENT_WEBSOCKET_PASSWORD}\n" in text
    spec = load_spec(tmp_path / "bluejay-gate.yml", {"AGENT_WEBSOCKET_PASSWORD": "pw-9f8e7d6c"})
    assert spec.agent.fields["websocket_password"] == "pw-9f8e7d6c"
    with pytest.raises(SpecError, match="environment variable AGENT_WEBSOCKET_PASSWORD is not set"):
        load_spec(tmp_path / "bluejay-gate.yml", {})


def test_what_a_spec_cannot_say_is_a_warning_naming_the_line(
    tmp_path: Path, emulator: Callable[..., Emulator]
) -> None:
    """Bluejay holds a metric whose range a spec refuses (min above max): the files are
    written, and a warning says which line does not load."""
    scenario = copy.deepcopy(SCENARIO)
    scenario["custom_metrics"][1].update(min_value=10, max_value=0)
    emu = emulator(scenario, api_key=KEY)
    printed = pull_into(emu, tmp_path)
    warning = [line for line in printed.splitlines() if line.startswith("warning: ")]
    assert len(warning) == 1, printed
    assert f"{tmp_path / 'bluejay-gate.yml'}:" in warning[0]
    assert "min_value" in warning[0]
    assert warning[0].endswith(
        "(the pulled spec does not load as it is: fix that line before `bluejay-gate run`)"
    )
    assert (tmp_path / "bluejay-gate.yml").exists()


def test_a_clean_pull_has_no_warning(tmp_path: Path, emu: Emulator) -> None:
    assert "warning" not in pull_into(emu, tmp_path)


def make_from_spec(emu: Emulator, spec_path: Path) -> None:
    """What the pulled spec describes, created in an empty account through the client's
    own creates (a stand-in for ``run``, which does it with the planner): the agent, its
    metrics, its managed simulations (metric names as the new ids) and digital humans."""
    from bluejay_gate.spec.load import load_spec

    spec = load_spec(spec_path, {})
    assert spec.custom_metrics is not None
    with BluejayClient(KEY, emu.base_url) as c:
        agent_id = c.add_agent({**spec.agent.fields, "external_agent_id": spec.agent.external_id})
        ids = {m.name: c.create_metric(agent_id, dict(m.fields)).id for m in spec.custom_metrics}
        for sim in spec.simulations:
            assert sim.managed is not None
            assert sim.name is not None
            fields = dict(sim.managed.fields)
            if "selected_custom_metrics" in fields:
                fields["selected_custom_metrics"] = [
                    ids[n] for n in fields["selected_custom_metrics"]
                ]
            sim_id = c.create_simulation(agent_id, sim.name, fields)
            for human in sim.managed.digital_humans:
                c.create_human(sim_id, dict(human.fields))


def test_a_setup_made_from_a_pulled_spec_pulls_the_same_apart_from_ids(
    tmp_path: Path, emu: Emulator, emulator: Callable[..., Emulator]
) -> None:
    """Account A is pulled; B (empty) gets what the spec says; C (empty) gets what B's pull
    says. B's and C's pulls agree apart from ids and comments: the spec carries the whole
    setup. (A's scenario records lack the request defaults an API create stores, so A is
    compared by its data only where both have it: through B.)"""
    pull_into(emu, tmp_path / "a")
    second = emulator({"agents": []}, api_key=KEY)
    make_from_spec(second, tmp_path / "a" / "bluejay-gate.yml")
    pull_into(second, tmp_path / "b")
    third = emulator({"agents": []}, api_key=KEY)
    make_from_spec(third, tmp_path / "b" / "bluejay-gate.yml")
    pull_into(third, tmp_path / "c")
    assert_same_pulled(tmp_path / "b", tmp_path / "c")
    b_text = (tmp_path / "b" / "bluejay-gate.yml").read_text()
    c_text = (tmp_path / "c" / "bluejay-gate.yml").read_text()
    assert b_text != c_text  # the ids in the comments differ, nothing else
    a_files = {k: v for k, v in pulled_files(tmp_path / "a").items() if k != "bluejay-gate.yml"}
    b_files = {k: v for k, v in pulled_files(tmp_path / "b").items() if k != "bluejay-gate.yml"}
    assert a_files == b_files  # every long text came across exactly
