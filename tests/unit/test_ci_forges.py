"""The pure pieces of the CI forge edges: the report inside an artifact, ages, the comment
marker, Link headers, the pull request read from the event, and the action's inputs mapped
onto the CLI."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from bluejay_gate.ci.github_baseline import _Skip, age_words, extract_report, report_member
from bluejay_gate.ci.github_event import PullRequest, pull_request, workflow_file
from bluejay_gate.ci.pr_comment import find_ours, marker
from bluejay_gate.ci.rest import Comment, comment_from, next_link
from bluejay_gate.cli import build_parser, main
from entrypoint import build_command


@pytest.mark.parametrize(
    ("names", "chosen"),
    [
        (["bluejay-report.json", "bluejay-junit.xml"], "bluejay-report.json"),
        (["gate/bluejay-report.json", "gate/bluejay-junit.xml"], "gate/bluejay-report.json"),
        (["report.json", "bluejay-junit.xml", "dir/"], "report.json"),
    ],
)
def test_the_report_in_the_artifact(names: list[str], chosen: str) -> None:
    assert report_member(names, "bluejay-report.json") == chosen


@pytest.mark.parametrize(
    ("names", "fragment"),
    [
        (["../bluejay-report.json"], "unsafe path"),
        (["a/../../x.json"], "unsafe path"),
        (["C:/bluejay-report.json"], "unsafe path"),
        (["a\\bluejay-report.json"], "unsafe path"),
        (["/etc/passwd"], "unsafe path"),
        (["a.json", "b.json"], "holds no bluejay-report.json (files: a.json, b.json)"),
        ([], "holds no bluejay-report.json (files: none)"),
    ],
)
def test_an_unsafe_or_unclear_artifact_is_refused(names: list[str], fragment: str) -> None:
    with pytest.raises(_Skip) as info:
        report_member(names, "bluejay-report.json")
    assert fragment in str(info.value)


def test_a_member_over_the_bound_is_refused(tmp_path: Path) -> None:
    """A member bigger than the bound (a bomb) is refused, and no partial file is left."""
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bluejay-report.json", b"0" * 5000)
    target = tmp_path / "out.json"
    with pytest.raises(_Skip, match="over 1000 bytes: refused"):
        extract_report(archive, "bluejay-report.json", target, max_bytes=1000)
    assert not target.exists()
    extract_report(archive, "bluejay-report.json", target)
    assert target.read_bytes() == b"0" * 5000


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (10, "less than a minute"),
        (60, "1 minute"),
        (3599, "59 minutes"),
        (3600, "1 hour"),
        (5400, "90 minutes"),
        (7200, "2 hours"),
        (86400, "1 day"),
        (129600, "36 hours"),
        (14 * 86400, "14 days"),
    ],
)
def test_age_words(seconds: float, words: str) -> None:
    assert age_words(seconds) == words


def test_the_marker_holds_the_spec_path_and_stays_a_comment() -> None:
    assert marker("gate/bluejay-gate.yml") == "<!-- bluejay-gate:gate/bluejay-gate.yml -->"
    assert marker("a--b>c\nd.yml") == "<!-- bluejay-gate:a-bc d.yml -->"


def test_find_ours_takes_the_first_comment_starting_with_the_marker() -> None:
    comments = [
        Comment(1, f"> {marker('a.yml')}\nquoted", ""),
        Comment(2, f"{marker('b.yml')}\nother gate", ""),
        Comment(3, f"\n{marker('a.yml')}\nours", ""),
        Comment(4, f"{marker('a.yml')}\na duplicate", ""),
    ]
    found = find_ours(comments, "a.yml")
    assert found is not None
    assert found.id == 3
    assert find_ours(comments[:2], "a.yml") is None


@pytest.mark.parametrize(
    ("header", "url"),
    [
        (
            '<https://api.x/r?page=2>; rel="next", <https://api.x/r?page=5>; rel="last"',
            "https://api.x/r?page=2",
        ),
        (
            '<https://api.x/r?page=1>; rel="prev", <https://api.x/r?page=3>; rel="next"',
            "https://api.x/r?page=3",
        ),
        ('<https://api.x/r?page=1>; rel="first"', None),
        ("", None),
        (None, None),
    ],
)
def test_next_link(header: str | None, url: str | None) -> None:
    assert next_link(header) == url


def test_the_pull_request_from_the_event(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 12,
                    "base": {"ref": "main", "sha": "b" * 40},
                    "head": {"sha": "h" * 40},
                }
            }
        )
    )
    assert pull_request({"GITHUB_EVENT_PATH": str(event)}) == PullRequest(
        12, "main", "b" * 40, "h" * 40
    )


def test_the_pull_request_without_an_event_file() -> None:
    env = {"GITHUB_EVENT_PATH": "/nonexistent", "GITHUB_REF": "refs/pull/7/merge"}
    assert pull_request({**env, "GITHUB_BASE_REF": "dev"}) == PullRequest(7, "dev", None, None)
    assert pull_request({"GITHUB_REF": "refs/heads/main"}) is None
    assert pull_request({}) is None


def test_the_workflow_file() -> None:
    ref = "acme/bot/.github/workflows/gate.yml@refs/pull/1/merge"
    assert workflow_file({"GITHUB_WORKFLOW_REF": ref}) == "gate.yml"
    assert workflow_file({"GITHUB_WORKFLOW_REF": "weird"}) is None
    assert workflow_file({}) is None


def test_the_action_inputs_become_cli_flags() -> None:
    env = {
        "INPUT_BASELINE": "github",
        "INPUT_BASELINE-ARTIFACT": "reports-main",
        "INPUT_BASELINE-WORKFLOW": "main.yml",
        "INPUT_BASELINE-MAX-AGE": "7d",
        "INPUT_PR-COMMENT": "true",
        "INPUT_ON-MISSING-KEY": "skip",
        "INPUT_SHARD": "2/3",
        "INPUT_RERUN_FAILED": "last/report.json",
        "INPUT_NO-SYNC": "true",
    }
    argv = build_command(env)[4:]
    assert argv == [
        "--spec",
        "bluejay-gate.yml",
        "--baseline",
        "github",
        "--baseline-artifact",
        "reports-main",
        "--baseline-workflow",
        "main.yml",
        "--baseline-max-age",
        "7d",
        "--on-missing-key",
        "skip",
        "--shard",
        "2/3",
        "--rerun-failed",
        "last/report.json",
        "--pr-comment",
        "--no-sync",
    ]
    args = build_parser().parse_args(["run", *argv])
    assert (args.baseline, args.baseline_max_age, args.pr_comment) == ("github", 7 * 86400, True)
    assert (args.shard, args.rerun_failed, args.no_sync) == ((2, 3), "last/report.json", True)
    assert build_command({"INPUT_PR-COMMENT": "false"})[4:] == ["--spec", "bluejay-gate.yml"]


def test_skip_without_a_key_outside_actions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The CLI alone (GitLab, a terminal): one plain line, exit 0, no file written."""
    for name in ("BLUEJAY_API_KEY", "GITHUB_ACTIONS", "GITHUB_OUTPUT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(["run", "--on-missing-key", "skip", "--spec", "missing.yml"])
    out, err = capsys.readouterr()
    assert info.value.code == 0
    assert out == (
        "BLUEJAY_API_KEY is not set (a fork's pull request gets no secrets): gate skipped, "
        "nothing sent (on-missing-key: skip)\n"
    )
    assert err == ""
    assert list(tmp_path.iterdir()) == []


def test_find_ours_prefers_the_bot_s_comment() -> None:
    """A person's copy of the marked comment (the job's token may not edit it) comes
    second to the one the bot wrote, wherever it stands."""
    comments = [
        Comment(1, f"{marker('a.yml')}\npasted by a person", "", by_bot=False),
        Comment(2, f"{marker('a.yml')}\nthe gate's", "", by_bot=True),
    ]
    found = find_ours(comments, "a.yml")
    assert found is not None
    assert found.id == 2


def test_comment_authors_are_read_from_both_forges() -> None:
    github = comment_from(
        {"id": 1, "body": "x", "user": {"login": "github-actions[bot]", "type": "Bot"}}
    )
    person = comment_from({"id": 2, "body": "x", "user": {"login": "octocat", "type": "User"}})
    gitlab = comment_from(
        {"id": 3, "body": "x", "author": {"username": "project_42_bot", "bot": True}}
    )
    odd = comment_from({"id": 4, "body": None, "user": "Bot", "author": {"bot": "yes"}})
    assert [c.by_bot if c else None for c in (github, person, gitlab, odd)] == [
        True,
        False,
        True,
        False,
    ]
    assert comment_from({"id": "5"}) is None
