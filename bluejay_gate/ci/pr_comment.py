"""``--pr-comment``: the Markdown summary as one pull-request comment (GitHub) or
merge-request note (GitLab, with ``GITLAB_TOKEN``), updated in place on every later run.

The comment starts with a hidden marker that holds the spec path
(``<!-- bluejay-gate:gate/bluejay-gate.yml -->``), so two gates in one pull request keep two
comments. It owns finding that comment (``find_ours``, pure) and the outcome as one line
(``Posted``); it never changes the exit code and never renders the summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from bluejay_gate.ci.github import in_actions
from bluejay_gate.ci.github_api import GitHubAPI
from bluejay_gate.ci.github_event import pull_request
from bluejay_gate.ci.gitlab import GitLabAPI
from bluejay_gate.ci.rest import Comment, ForgeError

# GitHub holds 65,536 characters in a comment (GitLab a million): the summary is cut to this.
COMMENT_LIMIT = 60_000


@dataclass(frozen=True, slots=True)
class Posted:
    """``posted`` (created or updated), ``skipped`` (a note), ``failed`` (a warning)."""

    outcome: Literal["posted", "skipped", "failed"]
    message: str


def marker(spec_key: str) -> str:
    """The hidden first line; ``--`` cannot stand inside an HTML comment."""
    key = " ".join(spec_key.split()).replace("--", "-").replace(">", "")
    return f"<!-- bluejay-gate:{key} -->"


def comment_body(spec_key: str, markdown: str) -> str:
    return f"{marker(spec_key)}\n{markdown}"


def find_ours(comments: Iterable[Comment], spec_key: str) -> Comment | None:
    """The first comment that starts with this spec's marker (one quoting it does not),
    one a bot wrote before one a person wrote (a copy of ours the token may not edit)."""
    first_line = marker(spec_key)
    marked = [c for c in comments if c.body.lstrip().startswith(first_line)]
    return next((c for c in marked if c.by_bot), marked[0] if marked else None)


def post_comment(
    markdown: str, spec_key: str, env: Mapping[str, str], *, timeout: float = 10.0
) -> Posted:
    """Create or update this spec's comment on the pull / merge request the job runs for."""
    body = comment_body(spec_key, markdown)
    if in_actions(env):
        return _github(body, spec_key, env, timeout)
    if env.get("GITLAB_CI", "").lower() == "true" or env.get("CI_API_V4_URL"):
        return _gitlab(body, spec_key, env, timeout)
    return Posted("skipped", "--pr-comment: not in GitHub Actions or GitLab CI; nothing posted")


def _github(body: str, spec_key: str, env: Mapping[str, str], timeout: float) -> Posted:
    what = "pull-request comment"
    pull = pull_request(env)
    number = pull.number if pull is not None else None
    token = env.get("GITHUB_TOKEN", "").strip()
    api_url = env.get("GITHUB_API_URL", "").strip()
    repository = env.get("GITHUB_REPOSITORY", "").strip()
    skipped = _first_missing(
        what,
        (number is not None, "this job is not for a pull request"),
        (
            bool(token),
            "GITHUB_TOKEN is not set (the action's github-token input defaults to the job's token)",
        ),
        (
            bool(api_url) and repository.count("/") == 1,
            "GITHUB_API_URL or GITHUB_REPOSITORY not set",
        ),
    )
    if skipped is not None or number is None:
        return skipped or Posted("skipped", what)
    try:
        with GitHubAPI(api_url, token, repository, timeout=timeout) as api:
            return _upsert(
                what,
                lambda: api.issue_comments(number),
                lambda: api.create_comment(number, body),
                lambda ours: api.update_comment(ours.id, body),
                spec_key,
            )
    except ForgeError as exc:
        return _refused(what, exc, "permissions: pull-requests: write")


def _gitlab(body: str, spec_key: str, env: Mapping[str, str], timeout: float) -> Posted:
    what = "merge-request note"
    iid = env.get("CI_MERGE_REQUEST_IID", "").strip()
    token = env.get("GITLAB_TOKEN", "").strip()
    api_url = env.get("CI_API_V4_URL", "").strip()
    project = env.get("CI_PROJECT_ID", "").strip()
    skipped = _first_missing(
        what,
        (iid.isdigit(), "this job is not for a merge request"),
        (
            bool(token),
            "GITLAB_TOKEN is not set (a masked CI/CD variable holding a token with the api scope)",
        ),
        (bool(api_url and project), "CI_API_V4_URL or CI_PROJECT_ID not set"),
    )
    if skipped is not None:
        return skipped
    try:
        with GitLabAPI(api_url, token, project, int(iid), timeout=timeout) as api:
            return _upsert(
                what,
                api.notes,
                lambda: api.create_note(body),
                lambda ours: api.update_note(ours.id, body),
                spec_key,
            )
    except ForgeError as exc:
        return _refused(what, exc, "a GITLAB_TOKEN with the api scope")


def _first_missing(what: str, *needs: tuple[bool, str]) -> Posted | None:
    """Skipped, with the first need that is not met; None when all are."""
    why = next((reason for met, reason in needs if not met), None)
    return None if why is None else Posted("skipped", f"{what} skipped: {why}")


def _upsert(
    what: str,
    listed: Callable[[], Iterable[Comment]],
    create: Callable[[], Comment | None],
    update: Callable[[Comment], Comment | None],
    spec_key: str,
) -> Posted:
    ours = find_ours(listed(), spec_key)
    if ours is None:
        made = create()
        return Posted("posted", f"{what} posted{_at(made)}")
    updated = update(ours)
    return Posted("posted", f"{what} updated{_at(updated or ours)}")


def _at(comment: Comment | None) -> str:
    return f": {comment.url}" if comment is not None and comment.url else ""


def _refused(what: str, exc: ForgeError, needs: str) -> Posted:
    if exc.status == 403:
        return Posted(
            "skipped",
            f"{what} skipped: the token may not write here (403; a fork's pull request, or "
            f"the job lacks {needs})",
        )
    return Posted("failed", f"{what} not posted: {exc}")
