"""Scripted GitHub and GitLab REST APIs on loopback, for the baseline and the comment.

``ScriptedGitHub``: a repository with a commit graph (``parents``), successful workflow
runs, run artifacts whose zip download redirects to a signed blob path, and issue comments
(list, create, update); answers are paginated with ``Link`` headers (``page_size``); any
path prefix can be answered with a chosen status (``fail``) or late (``hang``).
``ScriptedGitLab``: a merge request's notes (list, create, update), paginated the same
way. Both check the token and record every request (method, path with query, headers, JSON
body).
"""

from __future__ import annotations

import gzip
import io
import json
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.helpers.loopback import serve, url_of

GITHUB_TOKEN = "ghs_canaryGitHubToken0123456789abcdef"
GITLAB_TOKEN = "glpat-canaryGitLabToken987654321"
REPO = "acme/support-bot"


@dataclass
class Request:
    method: str
    path: str  # with the query
    headers: dict[str, str]
    body: Any = None

    @property
    def route(self) -> str:
        return urlsplit(self.path).path


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


class _Scripted:
    """What both servers share: the loopback server, the log, paging, JSON answers."""

    token_header = ""
    token = ""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.page_size = 100
        self.fail: dict[str, tuple[int, str]] = {}  # route prefix -> (status, message)
        self.hang: dict[str, float] = {}  # route prefix -> seconds before answering
        self.gzip = False  # True: JSON answers gzip-encoded, as GitHub's are
        self.lock = threading.Lock()
        self.httpd = serve(self._handle)

    @property
    def url(self) -> str:
        return url_of(self.httpd)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def sent(self, method: str, prefix: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.route.startswith(prefix)]

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("content-length") or 0)
        raw = h.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        request = Request(h.command, h.path, {k.lower(): v for k, v in h.headers.items()}, body)
        with self.lock:
            self.requests.append(request)
        route = request.route
        if route.startswith("/blob/"):
            self.blob(h, route)
            return
        if request.headers.get(self.token_header.lower()) != self.token_value():
            self.answer(h, 401, {"message": "Bad credentials"})
            return
        for prefix, seconds in self.hang.items():
            if route.startswith(prefix):
                time.sleep(seconds)
        for prefix, (status, message) in self.fail.items():
            if route.startswith(prefix):
                self.answer(h, status, {"message": message})
                return
        with self.lock:
            self.route(h, request)

    def token_value(self) -> str:
        return self.token

    def route(self, h: BaseHTTPRequestHandler, request: Request) -> None:
        raise NotImplementedError

    def blob(self, h: BaseHTTPRequestHandler, route: str) -> None:
        self.answer(h, 404, {"message": "Not Found"})

    def answer(
        self,
        h: BaseHTTPRequestHandler,
        status: int,
        data: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        payload = json.dumps(data).encode()
        if self.gzip:
            payload = gzip.compress(payload)
            headers = {**(headers or {}), "Content-Encoding": "gzip"}
        self.raw(h, status, payload, "application/json", headers)

    @staticmethod
    def raw(
        h: BaseHTTPRequestHandler,
        status: int,
        payload: bytes,
        ctype: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Status line, headers and body in one write (no Nagle wait between them)."""
        lines = [
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
            f"Content-Type: {ctype}",
            f"Content-Length: {len(payload)}",
            *(f"{name}: {value}" for name, value in (headers or {}).items()),
        ]
        h.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)

    def page(
        self, h: BaseHTTPRequestHandler, request: Request, items: list[Any], key: str | None
    ) -> None:
        query = parse_qs(urlsplit(request.path).query)
        number = int(query.get("page", ["1"])[0])
        size = min(self.page_size, int(query.get("per_page", ["30"])[0]))
        chunk = items[(number - 1) * size : number * size]
        headers = {}
        if number * size < len(items):
            rest = {k: v[0] for k, v in query.items() if k != "page"}
            qs = "&".join(f"{k}={v}" for k, v in {**rest, "page": str(number + 1)}.items())
            headers["Link"] = (
                f'<{self.url}{request.route}?{qs}>; rel="next", <{self.url}>; rel="last"'
            )
        data: Any = {"total_count": len(items), key: chunk} if key else chunk
        self.answer(h, 200, data, headers)


@dataclass
class Run:
    id: int
    head_sha: str
    created_at: str
    workflow: str = "bluejay-gate.yml"
    name: str = "bluejay-gate"
    branch: str = "main"
    event: str = "push"
    head_repository: str = REPO


@dataclass
class Artifact:
    id: int
    run_id: int
    name: str
    zip: bytes
    expired: bool = False


@dataclass
class GitHubState:
    parents: dict[str, str | None] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


class ScriptedGitHub(_Scripted):
    token_header = "Authorization"

    def __init__(self, token: str = GITHUB_TOKEN) -> None:
        self.token = token
        self.state = GitHubState()
        self.branch_filter = True  # False: the runs list ignores ?branch= (a hostile answer)
        self.next_comment_id = 9000
        super().__init__()

    def token_value(self) -> str:
        return f"Bearer {self.token}"

    def history(self, *commits: str, parent: str | None = None) -> None:
        """A line of commits, each the parent of the next (the first's parent ``parent``)."""
        for sha in commits:
            self.state.parents[sha] = parent
            parent = sha

    def ancestors(self, sha: str) -> list[str]:
        line: list[str] = []
        current: str | None = sha
        while current is not None:
            line.append(current)
            current = self.state.parents.get(current)
        return line

    def route(self, h: BaseHTTPRequestHandler, request: Request) -> None:
        parts = request.route.strip("/").split("/")
        if parts[:3] != ["repos", *REPO.split("/")]:
            self.answer(h, 404, {"message": "Not Found"})
            return
        rest = parts[3:]
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}
        match rest:
            case ["actions", "workflows", workflow, "runs"]:
                self.page(h, request, self._runs(query, workflow), "workflow_runs")
            case ["actions", "runs"]:
                self.page(h, request, self._runs(query, None), "workflow_runs")
            case ["actions", "runs", run_id, "artifacts"]:
                found = [self._artifact(a) for a in self.state.artifacts if a.run_id == int(run_id)]
                self.page(h, request, found, "artifacts")
            case ["actions", "artifacts", artifact_id, "zip"]:
                location = {"Location": f"{self.url}/blob/{artifact_id}?sig=signed"}
                self.raw(h, 302, b"", "text/plain", location)
            case ["compare", spec]:
                self._compare(h, spec)
            case ["issues", number, "comments"] if request.method == "GET":
                self.page(h, request, self.state.comments.get(int(number), []), None)
            case ["issues", number, "comments"] if request.method == "POST":
                comment = {
                    "id": self.next_comment_id,
                    "user": {"login": "github-actions[bot]", "type": "Bot"},
                    "body": request.body["body"],
                    "html_url": f"https://github.example/{REPO}/pull/{number}#c{self.next_comment_id}",
                }
                self.next_comment_id += 1
                self.state.comments.setdefault(int(number), []).append(comment)
                self.answer(h, 201, comment)
            case ["issues", "comments", comment_id] if request.method == "PATCH":
                for comments in self.state.comments.values():
                    for comment in comments:
                        if comment["id"] == int(comment_id):
                            comment["body"] = request.body["body"]
                            self.answer(h, 200, comment)
                            return
                self.answer(h, 404, {"message": "Not Found"})
            case _:
                self.answer(h, 404, {"message": "Not Found"})

    def _runs(self, query: dict[str, str], workflow: str | None) -> list[dict[str, Any]]:
        runs = [
            r
            for r in sorted(self.state.runs, key=lambda r: r.created_at, reverse=True)
            if (workflow is None or r.workflow == workflow)
            and (r.branch == query.get("branch") or not self.branch_filter)
            and r.head_sha == query.get("head_sha", r.head_sha)
        ]
        return [
            {
                "id": r.id,
                "name": r.name,
                "path": f".github/workflows/{r.workflow}",
                "head_branch": r.branch,
                "head_sha": r.head_sha,
                "event": r.event,
                "status": "completed",
                "conclusion": "success",
                "created_at": r.created_at,
                "head_repository": {"full_name": r.head_repository},
            }
            for r in runs
        ]

    @staticmethod
    def _artifact(a: Artifact) -> dict[str, Any]:
        return {"id": a.id, "name": a.name, "size_in_bytes": len(a.zip), "expired": a.expired}

    def _compare(self, h: BaseHTTPRequestHandler, spec: str) -> None:
        base, _, head = spec.partition("...")
        if base not in self.state.parents or head not in self.state.parents:
            self.answer(h, 404, {"message": "Not Found"})
            return
        of_base, of_head = self.ancestors(base), self.ancestors(head)
        merge_base = next((c for c in of_head if c in of_base), None)
        if base == head:
            status = "identical"
        elif base in of_head:
            status = "ahead"
        elif head in of_base:
            status = "behind"
        else:
            status = "diverged"
        data: dict[str, Any] = {"status": status, "commits": [], "files": []}
        if merge_base:
            data["merge_base_commit"] = {"sha": merge_base}
        self.answer(h, 200, data)

    def blob(self, h: BaseHTTPRequestHandler, route: str) -> None:
        artifact_id = int(route.rsplit("/", 1)[-1])
        artifact = next((a for a in self.state.artifacts if a.id == artifact_id), None)
        if artifact is None:
            self.answer(h, 404, {"message": "Not Found"})
            return
        self.raw(h, 200, artifact.zip, "application/zip")


class ScriptedGitLab(_Scripted):
    token_header = "PRIVATE-TOKEN"

    def __init__(self, token: str = GITLAB_TOKEN, project: str = "42", iid: int = 7) -> None:
        self.token = token
        self.project, self.iid = project, iid
        self.notes: list[dict[str, Any]] = []
        self.next_id = 500
        super().__init__()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v4"

    def route(self, h: BaseHTTPRequestHandler, request: Request) -> None:
        notes = f"/api/v4/projects/{self.project}/merge_requests/{self.iid}/notes"
        route = request.route
        if route == notes and request.method == "GET":
            self.page(h, request, self.notes, None)
        elif route == notes and request.method == "POST":
            note = {
                "id": self.next_id,
                "body": request.body["body"],
                "system": False,
                "author": {"username": f"project_{self.project}_bot", "bot": True},
            }
            self.next_id += 1
            self.notes.append(note)
            self.answer(h, 201, note)
        elif route.startswith(notes + "/") and request.method == "PUT":
            note_id = int(route.rsplit("/", 1)[-1])
            for note in self.notes:
                if note["id"] == note_id:
                    note["body"] = request.body["body"]
                    self.answer(h, 200, note)
                    return
            self.answer(h, 404, {"message": "404 Not found"})
        else:
            self.answer(h, 404, {"message": "404 Not found"})


def pull_request_event(tmp_path: Path, *, number: int = 12, base: str, head: str) -> Path:
    """The event payload the runner writes for a pull_request event."""
    event = {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "base": {"ref": "main", "sha": base, "repo": {"full_name": REPO}},
            "head": {"ref": "feature", "sha": head, "repo": {"full_name": REPO}},
        },
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return path


def github_env(
    server: ScriptedGitHub, event: Path | None, *, token: str = GITHUB_TOKEN
) -> dict[str, str]:
    """What the runner sets for a job of workflow bluejay-gate.yml on pull request 12."""
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": server.url,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_REF": "refs/pull/12/merge",
        "GITHUB_BASE_REF": "main",
        "GITHUB_WORKFLOW": "bluejay-gate",
        "GITHUB_WORKFLOW_REF": f"{REPO}/.github/workflows/bluejay-gate.yml@refs/pull/12/merge",
    }
    if event is not None:
        env["GITHUB_EVENT_PATH"] = str(event)
    if token:
        env["GITHUB_TOKEN"] = token
    return env


def main_with_runs(server: ScriptedGitHub, report: bytes) -> None:
    """main c1..c8, a pull request p1-p2 branched at c5; successful runs at c8 (newest),
    c7 (a fork's pull request on a branch named main), c6, c4 (the one to take) and c3,
    each with its report artifact."""
    server.history("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8")
    server.history("p1", "p2", parent="c5")
    runs = [
        Run(48, "c8", "2026-11-30T12:00:00Z"),
        Run(47, "c7", "2026-11-30T11:00:00Z", event="pull_request", head_repository="evil/fork"),
        Run(46, "c6", "2026-11-30T10:00:00Z"),
        Run(45, "c4", "2026-11-29T10:00:00Z"),
        Run(44, "c3", "2026-11-28T10:00:00Z"),
    ]
    server.state.runs.extend(runs)
    for run in runs:
        files = {"bluejay-report.json": report, "bluejay-junit.xml": b"<testsuites/>"}
        server.state.artifacts.append(
            Artifact(run.id * 10, run.id, "bluejay-gate-reports", zip_of(files))
        )
