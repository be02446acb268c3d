"""The round trips of ``pull`` through the real CLI against the emulator: ``run`` of a
pulled spec against the same account writes nothing but the queued runs; ``run`` against
an account without the setup creates it, and a ``pull`` there gives the same spec apart
from ids (and the comments, among them the threshold suggestions)."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from bluejay_gate.bluejay.client import BluejayClient
from bluejay_gate.emulator import Emulator
from bluejay_gate.manage.pull import pull
from tests.helpers.gate import KEY, SPEED, run_cli
from tests.helpers.pulled import assert_same_pulled

PAID = ("/v1/queue-simulation-run", "/v1/end-conversations")
LONG = "Pass only when the caller says the problem is solved and no callback is promised. " * 2
AGENT: dict[str, Any] = {
    "id": 101,
    "name": "Support Bot v2",
    "external_agent_id": "support-bot",
    "system_prompt": "You are the support agent of Acme.\nBe brief.",
    "knowledge_base": "Refunds within 30 days.",
    "goals": ["Resolve billing questions"],
}
TIMING = {"queued": 0.5, "running": 1.0, "conversation_ended": 0.2, "evaluating": 0.5}


def seed(emu: Emulator) -> None:
    """The whole setup made through the API, as Bluejay stores what its dashboard makes."""
    with BluejayClient(KEY, emu.base_url) as c:
        resolution = c.create_metric(
            "101",
            {
                "name": "Resolution",
                "response_type": "pass_fail",
                "description": LONG,
                "scoring_guidance": "Pass: solved.\nFail: a callback.",
                "tags": ["billing"],
            },
        )
        empathy = c.create_metric(
            "101",
            {
                "name": "Empathy",
                "response_type": "quantitative",
                "description": "How warm the agent was",
                "min_value": 0,
                "max_value": 10,
            },
        )
        sim = c.create_simulation(
            "101",
            "Billing regressions",
            {
                "description": "Refunds and invoices",
                "max_call_duration": 5,
                "selected_custom_metrics": [resolution.id, empathy.id],
            },
        )
        c.create_human(
            sim,
            {
                "name": "Disputed charge",
                "intent": "Sees a charge of $49.99 she does not know\nand wants it refunded",
                "success_criteria": "The agent opens a dispute",
            },
        )
        c.create_human(sim, {"name": "Late fee", "intent": "Wants a late fee waived"})


def pull_into(emu: Emulator, folder: Path) -> None:
    with BluejayClient(KEY, emu.base_url) as client:
        assert pull(client, "support-bot", folder, StringIO(), base_url=emu.base_url) == 0


def runnable(folder: Path) -> Path:
    """The pulled spec with a fast poll (the test's only change to it)."""
    spec = folder / "bluejay-gate.yml"
    spec.write_text(spec.read_text() + "\nrun:\n  poll_interval: 0.05s\n")
    return spec


def writes(emu: Emulator) -> list[tuple[str, str]]:
    return [
        (r.method, r.path)
        for r in emu.requests
        if r.method != "GET" and not r.path.startswith(PAID) and r.path != "/v1/ping"
    ]


@pytest.fixture
def account(emulator: Callable[..., Emulator]) -> Emulator:
    emu = emulator({"agents": [AGENT], "timing": TIMING}, api_key=KEY, speed=SPEED)
    seed(emu)
    return emu


def test_run_of_a_pulled_spec_writes_nothing_but_the_queued_runs(
    tmp_path: Path,
    account: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pull_into(account, tmp_path / "pulled")
    account.clear_requests()
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, account, runnable(tmp_path / "pulled"))
    assert code in (0, 1), out + err
    assert writes(account) == []
    assert account.count("POST", "/v1/queue-simulation-run") == 1


def test_run_against_an_empty_account_creates_it_and_pulls_the_same(
    tmp_path: Path,
    account: Emulator,
    emulator: Callable[..., Emulator],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pull_into(account, tmp_path / "first")
    (tmp_path / "copy").mkdir()
    for path in (tmp_path / "first").rglob("*"):
        if path.is_file():
            target = tmp_path / "copy" / path.relative_to(tmp_path / "first")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    empty = emulator({"timing": TIMING}, api_key=KEY, speed=SPEED)
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, empty, runnable(tmp_path / "copy"))
    assert code in (0, 1), out + err
    created = [p for m, p in writes(empty) if m == "POST" and "create" in p]
    assert len(created) == 5  # two metrics, the simulation, two digital humans
    pull_into(empty, tmp_path / "second")
    assert_same_pulled(tmp_path / "first", tmp_path / "second")
    # and that account too now runs it writing nothing but the runs
    empty.clear_requests()
    code, out, err = run_cli(tmp_path, monkeypatch, capsys, empty, runnable(tmp_path / "second"))
    assert code in (0, 1), out + err
    assert writes(empty) == []
