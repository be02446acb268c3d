"""``--pr-comment`` against scripted GitHub and GitLab APIs on loopback: one comment per
spec, created then updated in place (found across pages by its marker), and every way it is
not posted as one line, with the tokens in no message."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from bluejay_gate.ci.hooks import comment_on_request
from bluejay_gate.ci.pr_comment import Posted, marker, post_comment
from bluejay_gate.ci.rest import ForgeError, RestClient
from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from bluejay_gate.options import GateOptions
from tests.helpers.action import KEY, quickstart_scenario, workspace
from tests.helpers.forges import (
    GITHUB_TOKEN,
    GITLAB_TOKEN,
    REPO,
    ScriptedGitHub,
    ScriptedGitLab,
    github_env,
    pull_request_event,
)
from tests.helpers.loopback import serve, url_of
from tests.helpers.verdicts import passing_verdict, run_info

SPEC = "gate/bluejay-gate.yml"
COMMENTS = f"/repos/{REPO}/issues/12/comments"


def _env(server: ScriptedGitHub, tmp_path: Path) -> dict[str, str]:
    return github_env(server, pull_request_event(tmp_path, base="c8", head="p2"))


def _gitlab_env(server: ScriptedGitLab) -> dict[str, str]:
    return {
        "GITLAB_CI": "true",
        "CI_API_V4_URL": server.api_url,
        "CI_PROJECT_ID": server.project,
        "CI_MERGE_REQUEST_IID": str(server.iid),
        "GITLAB_TOKEN": GITLAB_TOKEN,
    }


def _bodies(server: ScriptedGitHub) -> list[str]:
    return [c["body"] for c in server.state.comments.get(12, [])]


def test_created_then_updated_in_place(github: ScriptedGitHub, tmp_path: Path) -> None:
    env = _env(github, tmp_path)
    first = post_comment("## ✅ passed", SPEC, env)
    assert first == Posted(
        "posted", f"pull-request comment posted: https://github.example/{REPO}/pull/12#c9000"
    )
    second = post_comment("## ❌ failed", SPEC, env)
    assert second == Posted(
        "posted", f"pull-request comment updated: https://github.example/{REPO}/pull/12#c9000"
    )
    assert _bodies(github) == [f"<!-- bluejay-gate:{SPEC} -->\n## ❌ failed"]
    (patch,) = github.sent("PATCH", f"/repos/{REPO}/issues/comments/")
    assert patch.route == f"/repos/{REPO}/issues/comments/9000"
    assert patch.headers["authorization"] == f"Bearer {GITHUB_TOKEN}"
    assert len(github.sent("POST", COMMENTS)) == 1


def test_two_specs_keep_two_comments(github: ScriptedGitHub, tmp_path: Path) -> None:
    env = _env(github, tmp_path)
    for spec in ("a/bluejay-gate.yml", "b/bluejay-gate.yml", "a/bluejay-gate.yml"):
        post_comment(f"summary of {spec}", spec, env)
    assert _bodies(github) == [
        "<!-- bluejay-gate:a/bluejay-gate.yml -->\nsummary of a/bluejay-gate.yml",
        "<!-- bluejay-gate:b/bluejay-gate.yml -->\nsummary of b/bluejay-gate.yml",
    ]


def test_ours_is_found_on_a_later_page(github: ScriptedGitHub, tmp_path: Path) -> None:
    """Five comments before ours, two a page: ours (on page 3) is updated; one quoting our
    marker is left alone."""
    others = [{"id": i, "body": f"review {i}", "html_url": ""} for i in range(1, 5)]
    quoting = {"id": 5, "body": f"> {marker(SPEC)}\n> earlier summary", "html_url": ""}
    ours = {"id": 6, "body": f"{marker(SPEC)}\nold", "html_url": "https://x/6"}
    github.state.comments[12] = [*others, quoting, ours]
    github.page_size = 2
    assert post_comment("new", SPEC, _env(github, tmp_path)) == Posted(
        "posted", "pull-request comment updated: https://x/6"
    )
    assert len(github.sent("GET", COMMENTS)) == 3
    assert github.state.comments[12][4]["body"].endswith("earlier summary")
    assert github.state.comments[12][5]["body"] == f"{marker(SPEC)}\nnew"
    assert github.sent("POST", COMMENTS) == []


def test_a_fork_pull_request_without_write_permission(
    github: ScriptedGitHub, tmp_path: Path
) -> None:
    github.fail[f"/repos/{REPO}/issues"] = (403, "Resource not accessible by integration")
    assert post_comment("x", SPEC, _env(github, tmp_path)) == Posted(
        "skipped",
        "pull-request comment skipped: the token may not write here (403; a fork's pull "
        "request, or the job lacks permissions: pull-requests: write)",
    )


def test_a_server_error_is_a_failure_without_the_token(
    github: ScriptedGitHub, tmp_path: Path
) -> None:
    github.fail[f"/repos/{REPO}/issues"] = (502, f"upstream said {GITHUB_TOKEN}")
    assert post_comment("x", SPEC, _env(github, tmp_path)) == Posted(
        "failed",
        f"pull-request comment not posted: GitHub API GET {COMMENTS} answered 502: "
        "upstream said ***",
    )


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        (
            "GITHUB_TOKEN",
            "pull-request comment skipped: GITHUB_TOKEN is not set (the action's "
            "github-token input defaults to the job's token)",
        ),
        ("pull", "pull-request comment skipped: this job is not for a pull request"),
    ],
)
def test_nothing_is_sent_without_what_it_needs(
    github: ScriptedGitHub, tmp_path: Path, drop: str, message: str
) -> None:
    env = _env(github, tmp_path)
    if drop == "pull":
        for name in ("GITHUB_EVENT_PATH", "GITHUB_BASE_REF"):
            del env[name]
        env["GITHUB_REF"] = "refs/heads/main"
    else:
        del env[drop]
    assert post_comment("x", SPEC, env) == Posted("skipped", message)
    assert github.requests == []


def test_outside_ci_nothing_is_posted() -> None:
    assert post_comment("x", SPEC, {}) == Posted(
        "skipped", "--pr-comment: not in GitHub Actions or GitLab CI; nothing posted"
    )


def test_gitlab_note_created_then_updated(gitlab: ScriptedGitLab) -> None:
    env = _gitlab_env(gitlab)
    gitlab.notes.extend({"id": i, "body": f"note {i}", "system": i % 2 == 0} for i in range(3))
    gitlab.page_size = 2
    assert post_comment("first", SPEC, env) == Posted("posted", "merge-request note posted")
    assert post_comment("second", SPEC, env) == Posted("posted", "merge-request note updated")
    assert [n["body"] for n in gitlab.notes[3:]] == [f"{marker(SPEC)}\nsecond"]
    (put,) = gitlab.sent("PUT", "/api/v4/projects/42/merge_requests/7/notes/")
    assert put.route == "/api/v4/projects/42/merge_requests/7/notes/500"
    assert put.headers["private-token"] == GITLAB_TOKEN
    assert "authorization" not in put.headers


def test_gitlab_forbidden_and_missing_token(gitlab: ScriptedGitLab) -> None:
    env = _gitlab_env(gitlab)
    gitlab.fail["/api/v4/projects"] = (403, "403 Forbidden")
    assert post_comment("x", SPEC, env) == Posted(
        "skipped",
        "merge-request note skipped: the token may not write here (403; a fork's pull "
        "request, or the job lacks a GITLAB_TOKEN with the api scope)",
    )
    sent = len(gitlab.requests)
    del env["GITLAB_TOKEN"]
    assert post_comment("x", SPEC, env).outcome == "skipped"
    del env["CI_MERGE_REQUEST_IID"]
    assert post_comment("x", SPEC, env) == Posted(
        "skipped", "merge-request note skipped: this job is not for a merge request"
    )
    assert len(gitlab.requests) == sent


def test_a_next_page_on_another_host_is_not_followed() -> None:
    """The token goes only under the API URL: a Link to another server is not fetched."""
    elsewhere: list[str] = []

    def other(h: BaseHTTPRequestHandler) -> None:
        elsewhere.append(h.headers.get("authorization", ""))
        h.send_response(200)
        h.send_header("Content-Length", "2")
        h.end_headers()
        h.wfile.write(b"[]")

    trap = serve(other)

    def api(h: BaseHTTPRequestHandler) -> None:
        body = b'[{"id": 1}]'
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Link", f'<{url_of(trap)}/steal?page=2>; rel="next"')
        h.end_headers()
        h.wfile.write(body)

    server = serve(api)
    try:
        client = RestClient(
            url_of(server), name="GitHub API", token="t0ken-x", token_headers={"X-T": "t0ken-x"}
        )
        with client:
            assert list(client.pages("/items")) == [{"id": 1}]
        assert elsewhere == []
    finally:
        for httpd in (trap, server):
            httpd.shutdown()
            httpd.server_close()


def test_plain_http_only_to_loopback() -> None:
    with pytest.raises(ForgeError, match="plain http:// for a host that is not loopback"):
        RestClient("http://api.github.example", name="GitHub API", token="t", token_headers={})


def test_the_gate_posts_its_merge_request_note(
    emulator: Callable[..., Emulator],
    gitlab: ScriptedGitLab,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``bluejay-gate run --pr-comment`` in a GitLab merge-request pipeline: one note with
    the summary; the exit code is the verdict's; the token is in no output."""
    emu = emulator(quickstart_scenario(), api_key=KEY, speed=20.0)
    ws = workspace(tmp_path, failing=False)
    for name, value in {**_gitlab_env(gitlab), "BLUEJAY_API_KEY": KEY}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    spec = ws / "gate" / "bluejay-gate.yml"
    argv = ["run", "--spec", str(spec), "--base-url", emu.base_url, "--pr-comment"]
    argv += ["--junit", str(tmp_path / "j.xml"), "--report", str(tmp_path / "r.json")]
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert info.value.code in {0, 1}, out + err
    assert "merge-request note posted" in out
    (note,) = gitlab.notes
    assert note["body"].startswith(f"<!-- bluejay-gate:{spec} -->\n")
    assert "Billing regressions" in note["body"]
    assert GITLAB_TOKEN not in out + err + note["body"] + (tmp_path / "r.json").read_text()


def test_gzip_encoded_answers_are_read(github: ScriptedGitHub, tmp_path: Path) -> None:
    """GitHub gzips its answers: listed, created and updated all the same."""
    github.gzip = True
    github.fail[f"/repos/{REPO}/issues/comments"] = (422, "Validation Failed")
    env = _env(github, tmp_path)
    assert post_comment("one", SPEC, env).outcome == "posted"
    assert post_comment("two", SPEC, env) == Posted(
        "failed",
        f"pull-request comment not posted: GitHub API PATCH {'/repos/' + REPO}/issues/comments/"
        "9000 answered 422: Validation Failed",
    )


@pytest.mark.parametrize("cancelled", [True, False])
def test_a_hanging_comment_api_does_not_hold_the_gate(
    github: ScriptedGitHub, tmp_path: Path, cancelled: bool
) -> None:
    """After a cancel the comment gets 1.5 s in all, then one warning line; otherwise its
    requests get their own timeout, and an answer within it is posted."""
    github.hang[f"/repos/{REPO}/issues"] = 4.0 if cancelled else 0.3
    opts = GateOptions(
        spec_path=Path("gate/bluejay-gate.yml"), api_key="k", base_url="x", pr_comment=True
    )
    out = io.StringIO()
    started = time.monotonic()
    comment_on_request(
        opts,
        passing_verdict(),
        run_info(),
        env=_env(github, tmp_path),
        out=out,
        cancelled=cancelled,
    )
    if cancelled:
        assert time.monotonic() - started < 3.5
        assert out.getvalue() == (
            "::warning title=bluejay-gate::comment not posted: no answer within 1.5 s\n"
        )
        assert github.state.comments == {}
    else:
        assert out.getvalue().startswith("pull-request comment posted: ")
        (body,) = _bodies(github)
        assert body.startswith(marker(SPEC) + "\n# ✅ bluejay-gate: passed\n")


def test_a_person_s_copy_of_the_marker_is_not_taken_for_ours(
    github: ScriptedGitHub, tmp_path: Path
) -> None:
    """Someone pasted our marked comment before the gate's own: the gate's is updated."""
    env = _env(github, tmp_path)
    post_comment("first", SPEC, env)
    pasted = {"id": 1, "body": f"{marker(SPEC)}\npasted", "user": {"type": "User"}}
    github.state.comments[12].insert(0, pasted)
    assert post_comment("second", SPEC, env).message.startswith("pull-request comment updated")
    assert [c["body"] for c in github.state.comments[12]] == [
        f"{marker(SPEC)}\npasted",
        f"{marker(SPEC)}\nsecond",
    ]
