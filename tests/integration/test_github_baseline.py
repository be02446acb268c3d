"""``--baseline github`` against a scripted GitHub API on loopback: which run is taken, the
artifact downloaded through its redirect, and every way there is no baseline (a reason,
never an error), with the token in no reason and sent nowhere but the API."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bluejay_gate import events
from bluejay_gate.ci.github_baseline import BaselineSettings, Found, Skipped, find_github_baseline
from bluejay_gate.ci.hooks import with_github_baseline
from bluejay_gate.options import GateOptions
from tests.helpers.forges import (
    GITHUB_TOKEN,
    REPO,
    Artifact,
    Run,
    ScriptedGitHub,
    github_env,
    main_with_runs,
    pull_request_event,
    zip_of,
)

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
REPORT = b'{"schema_version": 1, "spec": "bluejay-gate.yml", "simulations": []}'


def _find(
    server: ScriptedGitHub,
    tmp_path: Path,
    env: dict[str, str] | None = None,
    settings: BaselineSettings | None = None,
) -> Found | Skipped:
    if env is None:
        env = github_env(server, pull_request_event(tmp_path, base="c8", head="p2"))
    result = find_github_baseline(env, settings or BaselineSettings(), tmp_path / "b", now=NOW)
    if isinstance(result, Skipped):
        assert GITHUB_TOKEN not in result.reason
    return result


def test_takes_the_newest_run_at_or_before_the_merge_base(
    github: ScriptedGitHub, tmp_path: Path
) -> None:
    """Runs at c8 and c6 came after the merge base c5, c7 is a fork's pull request on a
    branch named main: run 45 at c4 is taken, found on the second of three pages of runs."""
    main_with_runs(github, REPORT)
    github.page_size = 2
    found = _find(github, tmp_path)
    assert isinstance(found, Found), found
    assert (found.run_id, found.commit) == (45, "c4")
    assert found.note == "baseline: run 45 at commit c4, 2 days old"
    assert found.warning is None
    assert found.path.read_bytes() == REPORT
    assert not (tmp_path / "b" / "artifact.zip").exists()
    listed = github.sent("GET", f"/repos/{REPO}/actions/workflows/bluejay-gate.yml/runs")
    assert "head_sha=c5" in listed[0].path  # the merge base's own run first: none
    listed = listed[1:]
    assert len(listed) == 3  # five runs, two a page
    assert "branch=main" in listed[0].path
    assert "status=success" in listed[0].path
    compared = [r.route.rsplit("/", 1)[-1] for r in github.sent("GET", f"/repos/{REPO}/compare")]
    assert compared == ["c8...p2", "c8...c5", "c6...c5", "c4...c5"]
    assert [r.route for r in github.sent("GET", "/blob/")] == ["/blob/450"]


def test_the_artifact_redirect_is_followed_without_the_token(
    github: ScriptedGitHub, tmp_path: Path
) -> None:
    main_with_runs(github, REPORT)
    assert isinstance(_find(github, tmp_path), Found)
    (blob,) = github.sent("GET", "/blob/")
    assert "authorization" not in blob.headers
    (download,) = github.sent("GET", f"/repos/{REPO}/actions/artifacts/")
    assert download.headers["authorization"] == f"Bearer {GITHUB_TOKEN}"
    assert download.headers["x-github-api-version"] == "2022-11-28"


def test_the_base_branch_head_when_there_is_no_merge_base(
    github: ScriptedGitHub, tmp_path: Path
) -> None:
    """The pull request's head is unknown to the API (404): ancestry of the base head c8,
    so run 48 at c8 is taken."""
    main_with_runs(github, REPORT)
    env = github_env(github, pull_request_event(tmp_path, base="c8", head="gone"))
    found = _find(github, tmp_path, env)
    assert isinstance(found, Found), found
    assert found.run_id == 48


def test_an_old_baseline_is_used_with_a_warning(github: ScriptedGitHub, tmp_path: Path) -> None:
    main_with_runs(github, REPORT)
    found = _find(github, tmp_path, settings=BaselineSettings(max_age=86400.0))
    assert isinstance(found, Found)
    assert found.warning == (
        "baseline run 45 is 2 days old, older than 1 day (--baseline-max-age): "
        "run the workflow on main for a fresher one"
    )


def test_the_workflow_by_name_when_its_file_is_unknown(
    github: ScriptedGitHub, tmp_path: Path
) -> None:
    """Without GITHUB_WORKFLOW_REF the repository's runs are read and kept by name."""
    main_with_runs(github, REPORT)
    github.state.runs.append(Run(49, "c5", "2026-11-30T13:00:00Z", workflow="x.yml", name="lint"))
    env = github_env(github, pull_request_event(tmp_path, base="c8", head="p2"))
    del env["GITHUB_WORKFLOW_REF"]
    found = _find(github, tmp_path, env)
    assert isinstance(found, Found), found
    assert found.run_id == 45
    assert github.sent("GET", f"/repos/{REPO}/actions/runs")


def test_another_workflow_file_and_artifact_name(github: ScriptedGitHub, tmp_path: Path) -> None:
    """baseline-workflow and baseline-artifact: the push workflow's runs, its artifact."""
    github.history("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8")
    github.history("p1", "p2", parent="c5")
    github.state.runs.append(Run(60, "c5", "2026-12-01T09:00:00Z", workflow="main.yml"))
    files = {"gate/bluejay-report.json": REPORT}
    github.state.artifacts.append(Artifact(600, 60, "gate-main", zip_of(files)))
    settings = BaselineSettings(artifact="gate-main", workflow="main.yml")
    found = _find(github, tmp_path, settings=settings)
    assert isinstance(found, Found), found
    assert found.note == "baseline: run 60 at commit c5, 1 hour old"
    assert found.path.read_bytes() == REPORT


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            "no-token",
            "no baseline: GITHUB_TOKEN is not set: give the action `github-token` (its "
            "default is the job's token) or set GITHUB_TOKEN",
        ),
        (
            "no-api-url",
            "no baseline: --baseline github works in GitHub Actions only "
            "(GITHUB_API_URL is not set)",
        ),
        (
            "push-event",
            "no baseline: not a pull request: --baseline github compares a pull request "
            "with its base",
        ),
    ],
)
def test_nothing_is_sent_without_what_it_needs(
    github: ScriptedGitHub, tmp_path: Path, change: str, reason: str
) -> None:
    main_with_runs(github, REPORT)
    env = github_env(github, pull_request_event(tmp_path, base="c8", head="p2"))
    if change == "no-token":
        del env["GITHUB_TOKEN"]
    elif change == "no-api-url":
        del env["GITHUB_API_URL"]
    else:
        for name in ("GITHUB_EVENT_PATH", "GITHUB_BASE_REF"):
            del env[name]
        env["GITHUB_REF"] = "refs/heads/main"
    skipped = _find(github, tmp_path, env)
    assert skipped == Skipped(reason)
    assert github.requests == []


def test_no_run_on_the_base_branch(github: ScriptedGitHub, tmp_path: Path) -> None:
    github.history("c1", "c8")
    github.history("p2", parent="c1")
    skipped = _find(github, tmp_path)
    assert skipped == Skipped(
        "no baseline: no successful run of workflow 'bluejay-gate.yml' on main at or before "
        "commit c1 (looked at 0): the first run there makes one"
    )


def test_only_runs_after_the_merge_base(github: ScriptedGitHub, tmp_path: Path) -> None:
    main_with_runs(github, REPORT)
    github.state.runs[:] = [r for r in github.state.runs if r.id in {46, 47, 48}]
    skipped = _find(github, tmp_path)
    assert isinstance(skipped, Skipped)
    assert "at or before commit c5 (looked at 2)" in skipped.reason


@pytest.mark.parametrize("expired", [True, False])
def test_no_artifact(github: ScriptedGitHub, tmp_path: Path, expired: bool) -> None:
    """An expired artifact, or none of that name: skipped, no older run is taken instead."""
    main_with_runs(github, REPORT)
    for artifact in github.state.artifacts:
        if artifact.run_id == 45:
            artifact.expired = expired
            artifact.name = artifact.name if expired else "something-else"
    skipped = _find(github, tmp_path)
    assert skipped == Skipped(
        "no baseline: run 45 (commit c4) has no artifact 'bluejay-gate-reports' (not "
        "uploaded, or expired): upload the reports on the base branch (examples/github/)"
    )
    assert github.sent("GET", "/blob/") == []


@pytest.mark.parametrize("status", [403, 404])
def test_the_runs_cannot_be_listed(github: ScriptedGitHub, tmp_path: Path, status: int) -> None:
    """A token without actions: read; the API's message echoing the token is scrubbed."""
    main_with_runs(github, REPORT)
    github.fail[f"/repos/{REPO}/actions/workflows"] = (status, f"denied for {GITHUB_TOKEN}")
    skipped = _find(github, tmp_path)
    assert isinstance(skipped, Skipped)
    hint = {
        403: "(the job's token needs `permissions: actions: read` and `contents: read`)",
        404: "(check baseline-workflow names a workflow file of this repository; a token "
        "without `permissions: actions: read` gets 404 too)",
    }[status]
    assert skipped.reason == (
        f"no baseline: GitHub API GET /repos/{REPO}/actions/workflows/bluejay-gate.yml/runs "
        f"answered {status}: denied for *** {hint}"
    )


def test_a_rejected_token(github: ScriptedGitHub, tmp_path: Path) -> None:
    main_with_runs(github, REPORT)
    env = github_env(github, pull_request_event(tmp_path, base="c8", head="p2"), token="ghs_x")
    skipped = _find(github, tmp_path, env)
    assert isinstance(skipped, Skipped)
    assert "answered 401: Bad credentials" in skipped.reason
    assert "ghs_x" not in skipped.reason


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({"../../etc/bluejay-report.json": REPORT}, "unsafe path '../../etc/bluejay-report.json'"),
        ({"/abs/bluejay-report.json": REPORT}, "unsafe path '/abs/bluejay-report.json'"),
        (
            {"a/bluejay-report.json": REPORT, "b/bluejay-report.json": REPORT},
            "holds 2 files named bluejay-report.json",
        ),
        ({"bluejay-junit.xml": b"<x/>"}, "holds no bluejay-report.json (files: bluejay-junit.xml)"),
    ],
)
def test_a_hostile_or_wrong_artifact(
    github: ScriptedGitHub, tmp_path: Path, files: dict[str, bytes], fragment: str
) -> None:
    main_with_runs(github, REPORT)
    for artifact in github.state.artifacts:
        artifact.zip = zip_of(files)
    skipped = _find(github, tmp_path)
    assert isinstance(skipped, Skipped)
    assert fragment in skipped.reason
    assert not (tmp_path / "b" / "baseline-report.json").exists()
    assert not any(p.name == "bluejay-report.json" for p in tmp_path.rglob("*"))


def test_an_artifact_that_is_not_a_zip(github: ScriptedGitHub, tmp_path: Path) -> None:
    main_with_runs(github, REPORT)
    for artifact in github.state.artifacts:
        artifact.zip = b"<html>not a zip</html>"
    skipped = _find(github, tmp_path)
    assert skipped == Skipped("no baseline: the artifact is not a readable zip (BadZipFile)")


@pytest.mark.parametrize("how", ["budget", "cancel"])
def test_a_hanging_api_is_given_up_on(github: ScriptedGitHub, tmp_path: Path, how: str) -> None:
    """The look-up never holds the gate: past its budget, or at a cancel, it is left
    behind and the gate goes on without a baseline."""
    main_with_runs(github, REPORT)
    github.hang["/repos/"] = 5.0
    env = github_env(github, pull_request_event(tmp_path, base="c8", head="p2"))
    opts = GateOptions(
        spec_path=Path("bluejay-gate.yml"),
        api_key="k",
        base_url="http://127.0.0.1:1",
        baseline_github=BaselineSettings(),
    )
    cancel = threading.Event()
    lines: list[events.Event] = []
    if how == "cancel":
        threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    resolved = with_github_baseline(
        opts, env, lines.append, cancel=cancel, budget=0.3 if how == "budget" else 30.0
    )
    assert time.monotonic() - started < 3.0
    why = "over 0.3 s" if how == "budget" else "cancelled"
    reason = f"no baseline: GitHub's API did not answer in time ({why})"
    assert (resolved.baseline, resolved.baseline_note) == (None, reason)
    assert lines == []  # the gate says it, as for every baseline it skips


def test_a_found_baseline_goes_into_the_options(github: ScriptedGitHub, tmp_path: Path) -> None:
    main_with_runs(github, REPORT)
    env = github_env(github, pull_request_event(tmp_path, base="c8", head="p2"))
    opts = GateOptions(
        spec_path=Path("bluejay-gate.yml"),
        api_key="k",
        base_url="http://127.0.0.1:1",
        baseline_github=BaselineSettings(max_age=3600.0),
    )
    lines: list[events.Event] = []
    resolved = with_github_baseline(opts, env, lines.append)
    assert resolved.baseline is not None
    assert resolved.baseline.read_bytes() == REPORT
    assert resolved.baseline_note is not None
    assert resolved.baseline_note.startswith("baseline: run 45 at commit c4, ")
    assert lines[0] == events.Info(resolved.baseline_note)
    assert isinstance(lines[1], events.Warning)
    assert lines[1].message.startswith("baseline run 45 is ")


def test_runs_of_another_branch_in_the_answer_are_not_taken(
    github: ScriptedGitHub, tmp_path: Path
) -> None:
    """An answer that ignores ?branch= lists a newer run of a feature branch at the merge
    base itself (its report could be anything): it is passed over for run 45 on main."""
    main_with_runs(github, REPORT)
    github.state.runs.append(Run(50, "c5", "2026-12-01T09:00:00Z", branch="feature"))
    github.branch_filter = False
    found = _find(github, tmp_path)
    assert isinstance(found, Found), found
    assert found.run_id == 45


def test_the_merge_base_s_own_run_is_taken_without_a_scan(
    github: ScriptedGitHub, tmp_path: Path
) -> None:
    """Forty runs on main after the branch was cut: the merge base c5's own run is asked
    for by commit, with no ancestry compares."""
    main_with_runs(github, REPORT)
    github.history(*(f"m{i}" for i in range(40)), parent="c8")
    github.state.runs.extend(Run(100 + i, f"m{i}", f"2026-11-30T13:{i:02d}:00Z") for i in range(40))
    github.state.runs.append(Run(55, "c5", "2026-11-29T12:00:00Z"))
    github.state.artifacts.append(
        Artifact(550, 55, "bluejay-gate-reports", zip_of({"bluejay-report.json": REPORT}))
    )
    env = github_env(github, pull_request_event(tmp_path, base="m39", head="p2"))
    found = _find(github, tmp_path, env)
    assert isinstance(found, Found), found
    assert (found.run_id, found.commit) == (55, "c5")
    compared = [r.route.rsplit("/", 1)[-1] for r in github.sent("GET", f"/repos/{REPO}/compare")]
    assert compared == ["m39...p2"]
