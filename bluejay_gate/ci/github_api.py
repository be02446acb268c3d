"""The few GitHub REST API calls the gate makes, at ``GITHUB_API_URL`` only: a workflow's
successful runs on a branch, comparing two commits (merge base, ancestry), a run's
artifacts and an artifact's zip, and a pull request's issue comments (list, create,
update).

It reads answers liberally (a field missing or of the wrong type drops that item) and
decides nothing: which run is the baseline is ``github_baseline``'s, which comment is ours
``pr_comment``'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bluejay_gate.ci.rest import Comment, ForgeError, RestClient, comment_from

API_VERSION = "2022-11-28"


@dataclass(frozen=True, slots=True)
class WorkflowRun:
    id: int
    head_sha: str
    created_at: str
    event: str
    head_repository: str | None  # owner/name the run's commit came from


@dataclass(frozen=True, slots=True)
class Artifact:
    id: int
    name: str
    expired: bool
    size: int


class GitHubAPI:
    def __init__(self, api_url: str, token: str, repository: str, *, timeout: float = 10.0) -> None:
        self.repository = repository
        self._repo = "/repos/" + "/".join(quote(p, safe="") for p in repository.split("/", 1))
        self._rest = RestClient(
            api_url,
            name="GitHub API",
            token=token,
            token_headers={"Authorization": f"Bearer {token}"},
            headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION},
            timeout=timeout,
        )

    def __enter__(self) -> GitHubAPI:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._rest.close()

    def successful_runs(
        self,
        branch: str,
        *,
        workflow_file: str | None,
        workflow_name: str | None,
        limit: int,
        head_sha: str | None = None,
    ) -> list[WorkflowRun]:
        """The newest successful runs on ``branch`` of one workflow (by its file, else by its
        name among the repository's runs), newest first, at most ``limit``; only those of
        commit ``head_sha`` when given."""
        params = {"branch": branch, "status": "success", "per_page": str(min(limit, 100))}
        if head_sha:
            params["head_sha"] = head_sha
        if workflow_file:
            path = f"{self._repo}/actions/workflows/{quote(workflow_file, safe='')}/runs"
        else:
            path = f"{self._repo}/actions/runs"
        runs: list[WorkflowRun] = []
        for item in self._rest.pages(path, params=params, key="workflow_runs"):
            run = _run(item)
            if run is None or (not workflow_file and item.get("name") != workflow_name):
                continue
            if item.get("head_branch") not in (None, branch):
                continue
            if head_sha and run.head_sha != head_sha:
                continue
            runs.append(run)
            if len(runs) >= limit:
                break
        return sorted(runs, key=lambda r: r.created_at, reverse=True)

    def compare(self, base: str, head: str) -> tuple[str, str | None]:
        """(status, merge base sha) of ``base...head``; status ``ahead``/``identical`` means
        ``base`` is an ancestor of ``head``."""
        path = f"{self._repo}/compare/{quote(base, safe='')}...{quote(head, safe='')}"
        data = self._rest.json("GET", path, params={"per_page": "1"})
        if not isinstance(data, dict):
            raise ForgeError(f"GitHub API GET {path} answered without an object")
        merge_base = data.get("merge_base_commit")
        sha = merge_base.get("sha") if isinstance(merge_base, dict) else None
        status = data.get("status")
        return (status if isinstance(status, str) else ""), (sha if isinstance(sha, str) else None)

    def artifacts(self, run_id: int) -> list[Artifact]:
        path = f"{self._repo}/actions/runs/{run_id}/artifacts"
        found = []
        for item in self._rest.pages(path, params={"per_page": "100"}, key="artifacts"):
            if isinstance(item, dict) and isinstance(item.get("id"), int):
                size = item.get("size_in_bytes")
                found.append(
                    Artifact(
                        id=item["id"],
                        name=str(item.get("name", "")),
                        expired=item.get("expired") is True,
                        size=size if isinstance(size, int) else 0,
                    )
                )
        return found

    def download_artifact(self, artifact_id: int, target: Path, max_bytes: int) -> None:
        self._rest.download(f"{self._repo}/actions/artifacts/{artifact_id}/zip", target, max_bytes)

    def issue_comments(self, number: int) -> Iterator[Comment]:
        path = f"{self._repo}/issues/{number}/comments"
        for item in self._rest.pages(path, params={"per_page": "100"}):
            if comment := comment_from(item):
                yield comment

    def create_comment(self, number: int, body: str) -> Comment | None:
        path = f"{self._repo}/issues/{number}/comments"
        return comment_from(self._rest.json("POST", path, body={"body": body}))

    def update_comment(self, comment_id: int, body: str) -> Comment | None:
        path = f"{self._repo}/issues/comments/{comment_id}"
        return comment_from(self._rest.json("PATCH", path, body={"body": body}))


def _run(item: Any) -> WorkflowRun | None:
    if not isinstance(item, dict):
        return None
    run_id, sha, created = item.get("id"), item.get("head_sha"), item.get("created_at")
    if not (isinstance(run_id, int) and isinstance(sha, str) and isinstance(created, str)):
        return None
    repo = item.get("head_repository")
    full = repo.get("full_name") if isinstance(repo, dict) else None
    return WorkflowRun(
        id=run_id,
        head_sha=sha,
        created_at=created,
        event=str(item.get("event", "")),
        head_repository=full if isinstance(full, str) else None,
    )
