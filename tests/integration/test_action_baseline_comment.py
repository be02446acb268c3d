"""The baseline from main, the pull-request comment and fork pull requests through the real
entry points: ``entrypoint.py`` with the environment GitHub sets (a subprocess) and
``cli.main`` in-process, against the emulator and a scripted GitHub API on loopback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from tests.helpers.action import KEY, quickstart_scenario, read_outputs, run_action, workspace
from tests.helpers.forges import (
    GITHUB_TOKEN,
    REPO,
    Artifact,
    Run,
    ScriptedGitHub,
    github_env,
    pull_request_event,
    zip_of,
)

MARKER = "<!-- bluejay-gate:gate/bluejay-gate.yml -->"
SKIP_LINE = (
    "::notice title=bluejay-gate::BLUEJAY_API_KEY is not set (a fork's pull request gets no "
    "secrets): gate skipped, nothing sent (on-missing-key: skip)"
)


def _days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _main_has_a_run(github: ScriptedGitHub, report: bytes) -> None:
    """main c1..c8 with a pull request branched at c5; run 45 at c4 (2 days ago) uploaded
    the reports, run 48 at c8 came after the merge base."""
    github.history("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8")
    github.history("p1", "p2", parent="c5")
    github.state.runs.extend([Run(48, "c8", _days_ago(0.5)), Run(45, "c4", _days_ago(2.1))])
    files = {"bluejay-report.json": report, "bluejay-junit.xml": b"<testsuites/>"}
    for run_id in (45, 48):
        github.state.artifacts.append(
            Artifact(run_id * 10, run_id, "bluejay-gate-reports", zip_of(files))
        )


def _pull_request_env(github: ScriptedGitHub, tmp_path: Path, **inputs: str) -> dict[str, str]:
    env = github_env(github, pull_request_event(tmp_path, base="c8", head="p2"), token="")
    env.update({f"INPUT_{name.upper()}": value for name, value in inputs.items()})
    return env


def _no_token_but_in_masks(log: str) -> None:
    for line in log.splitlines():
        if GITHUB_TOKEN in line or KEY in line:
            assert line.startswith("::add-mask::"), line


def test_pull_request_takes_main_s_baseline_and_keeps_one_comment(
    emulator: Callable[..., Emulator], github: ScriptedGitHub, tmp_path: Path
) -> None:
    """A run on main writes the report; the pull request's run (baseline: github,
    pr-comment: true, the job's token as github-token) takes run 45's artifact, posts the
    summary once and updates the same comment on its next run."""
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=20.0)
    ws = workspace(tmp_path, failing=False)
    code, log, _, _ = run_action(emu, ws, tmp_path)
    assert code == 0, log
    _main_has_a_run(github, (ws / "gate" / "bluejay-report.json").read_bytes())
    env = _pull_request_env(
        github,
        tmp_path,
        **{"baseline": "github", "pr-comment": "true", "github-token": GITHUB_TOKEN},
    )
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    env["TMPDIR"] = str(temp)
    for attempt in ("posted", "updated"):
        code, log, output, summary = run_action(emu, ws, tmp_path, extra_env=env)
        assert code in {0, 1}, log  # the emulator's later runs score differently
        assert "baseline: run 45 at commit c4, 2 days old" in log
        assert "comparing with the baseline" in log, log
        assert f"pull-request comment {attempt}: https://github.example/{REPO}/pull/12#c9000" in log
        assert f"::add-mask::{GITHUB_TOKEN}" in log.splitlines()[:3]
        _no_token_but_in_masks(log)
        outputs = read_outputs(output)
        assert (outputs["exit-code"], outputs["skipped"]) == (str(code), "false")
        texts = [output.read_text(), summary.read_text(), *github_bodies(github)]
        texts += [p.read_text() for p in (ws / "gate").glob("bluejay-*")]
        assert not any(GITHUB_TOKEN in t or KEY in t for t in texts)
    (comment,) = github_bodies(github)
    assert comment.startswith(MARKER + "\n")
    assert "Billing regressions" in comment
    assert list(temp.iterdir()) == []  # the downloaded baseline is removed at exit
    assert [r.route for r in github.sent("GET", "/blob/")] == ["/blob/450", "/blob/450"]
    assert len(github.sent("POST", f"/repos/{REPO}/issues/12/comments")) == 1


def github_bodies(github: ScriptedGitHub) -> list[str]:
    return [c["body"] for c in github.state.comments.get(12, [])]


def test_fork_pull_request_is_skipped_without_spending(
    emulator: Callable[..., Emulator], github: ScriptedGitHub, tmp_path: Path
) -> None:
    """No secret on a fork's pull request, on-missing-key: skip: one line, exit 0, no
    request to Bluejay or GitHub, passed empty and skipped=true."""
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=20.0)
    ws = workspace(tmp_path, failing=False)
    env = _pull_request_env(
        github,
        tmp_path,
        **{"api-key": "", "on-missing-key": "skip", "pr-comment": "true", "baseline": "github"},
    )
    env["INPUT_GITHUB-TOKEN"] = GITHUB_TOKEN
    code, log, output, summary = run_action(emu, ws, tmp_path, extra_env=env)
    assert code == 0, log
    assert [line for line in log.splitlines() if not line.startswith("::add-mask::")] == [SKIP_LINE]
    assert summary.read_text() == (
        "> ⏭️ bluejay-gate: BLUEJAY_API_KEY is not set (a fork's pull request gets no "
        "secrets): gate skipped, nothing sent (on-missing-key: skip)\n"
    )
    outputs = read_outputs(output)
    assert outputs["passed"] == ""
    assert outputs["skipped"] == "true"
    assert outputs["exit-code"] == "0"
    assert emu.requests == []
    assert github.requests == []
    assert not (ws / "gate" / "bluejay-report.json").exists()


def test_without_skip_the_missing_key_stays_a_usage_error(
    emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=20.0)
    ws = workspace(tmp_path, failing=False)
    code, log, output, _ = run_action(emu, ws, tmp_path, extra_env={"INPUT_API-KEY": ""})
    assert code == 2, log
    assert "BLUEJAY_API_KEY is not set" in log
    outputs = read_outputs(output)
    assert (outputs["exit-code"], outputs["passed"], outputs["skipped"]) == ("2", "false", "false")
    assert emu.requests == []


InProcess = Callable[..., tuple[int, str]]


@pytest.fixture
def in_process(
    github: ScriptedGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> InProcess:
    """``run(emu, ws, *flags)``: ``cli.main`` in a pull request 12 job (GitHub's variables,
    the job's token) against ``emu``; its exit code and output."""

    def run(emu: Emulator, ws: Path, *extra: str) -> tuple[int, str]:
        env = github_env(github, pull_request_event(tmp_path, base="c8", head="p2"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("GITHUB_WORKSPACE", str(ws))
        monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
        monkeypatch.setenv("BLUEJAY_RETRY_MAX_DELAY", "0.01")
        argv = ["run", "--spec", str(ws / "gate" / "bluejay-gate.yml"), "--base-url", emu.base_url]
        argv += ["--junit", str(ws / "junit.xml"), "--report", str(ws / "report.json"), *extra]
        with pytest.raises(SystemExit) as info:
            main(argv)
        out, err = capsys.readouterr()
        assert isinstance(info.value.code, int)
        return info.value.code, out + err

    return run


def test_a_failed_comment_is_a_warning_and_keeps_the_exit_code(
    emulator: Callable[..., Emulator], github: ScriptedGitHub, tmp_path: Path, in_process: InProcess
) -> None:
    """A failing gate whose comment cannot be posted (502) still exits 1; no baseline
    (no run on main) is a line, not an error."""
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=20.0)
    ws = workspace(tmp_path, failing=True)
    github.history("c8")
    github.history("p2", parent="c8")
    github.fail[f"/repos/{REPO}/issues"] = (502, "Bad Gateway")
    code, log = in_process(emu, ws, "--baseline", "github", "--pr-comment")
    assert code == 1, log
    assert (
        "::warning title=bluejay-gate::pull-request comment not posted: GitHub API GET "
        f"/repos/{REPO}/issues/12/comments answered 502: Bad Gateway"
    ) in log.splitlines()
    assert (
        "no baseline: no successful run of workflow 'bluejay-gate.yml' on main at or before "
        "commit c8 (looked at 0): the first run there makes one: delta checks are skipped"
    ) in log.splitlines()
    _no_token_but_in_masks(log)


def test_no_verdict_is_commented_too(
    emulator: Callable[..., Emulator], github: ScriptedGitHub, tmp_path: Path, in_process: InProcess
) -> None:
    """A key Bluejay rejects: no verdict (exit 3), the reports are written and commented."""
    emu = emulator(quickstart_scenario(), api_key="another-key-entirely", speed=20.0)
    ws = workspace(tmp_path, failing=False)
    code, log = in_process(emu, ws, "--pr-comment")
    assert code == 3, log
    (comment,) = github_bodies(github)
    assert comment.startswith(MARKER + "\n")
    assert "API key rejected" in comment
    assert "pull-request comment posted" in log


def test_an_invalid_spec_sends_nothing_anywhere(
    emulator: Callable[..., Emulator], github: ScriptedGitHub, tmp_path: Path, in_process: InProcess
) -> None:
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=20.0)
    ws = workspace(tmp_path, failing=False)
    spec = ws / "gate" / "bluejay-gate.yml"
    spec.write_text(spec.read_text().replace("version: 1", "version: 99"))
    code, log = in_process(emu, ws, "--baseline", "github", "--pr-comment")
    assert code == 2, log
    assert github.requests == []
    assert emu.requests == []


def test_a_dry_run_posts_no_comment(
    emulator: Callable[..., Emulator], github: ScriptedGitHub, tmp_path: Path, in_process: InProcess
) -> None:
    """--dry-run writes no reports, so it comments nothing; it still says which baseline
    it would use (GET requests only, to GitHub too)."""
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=20.0)
    _main_has_a_run(github, b"{}")
    ws = workspace(tmp_path, failing=False)
    code, log = in_process(emu, ws, "--dry-run", "--pr-comment", "--baseline", "github")
    assert code == 0, log
    assert "baseline: run 45 at commit c4, 2 days old" in log
    assert "Dry run: nothing was changed or queued." in log
    # Not a report the gate reads, yet exit 0: a baseline CI found never blocks the request.
    assert {r.method for r in github.requests} == {"GET"}
    assert github.sent("GET", f"/repos/{REPO}/issues") == []
    assert {r.method for r in emu.requests} == {"GET"}
