"""``--baseline github``: the JSON report of the newest successful run of the same workflow
on the pull request's base branch whose commit is an ancestor of the merge base (or of the
base branch head when there is none), downloaded from that run's report artifact.

It owns picking the run, the artifact and the report inside the zip, and the note that says
which run it took (with a warning when it is old). Every problem is a ``Skipped`` with the
reason, never an error: a missing baseline must not block the first pull request. It never
reads the report it downloads (``--baseline PATH`` handling does) and sends nothing but
GET requests to ``GITHUB_API_URL`` (and the artifact's redirect).
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

from bluejay_gate.ci.github_api import GitHubAPI, WorkflowRun
from bluejay_gate.ci.github_event import PullRequest, pull_request, workflow_file
from bluejay_gate.ci.rest import ForgeError

DEFAULT_ARTIFACT = "bluejay-gate-reports"
DEFAULT_MAX_AGE = 14 * 86400.0
MAX_ZIP_BYTES = 200 * 1024 * 1024
MAX_REPORT_BYTES = 512 * 1024 * 1024
MAX_MEMBERS = 1000
RUNS_LOOKED_AT = 30
ANCESTRY_CHECKS = 10
_PULL_EVENTS = {"pull_request", "pull_request_target"}


@dataclass(frozen=True, slots=True)
class BaselineSettings:
    artifact: str = DEFAULT_ARTIFACT
    workflow: str | None = None  # the workflow file whose runs to look at (default: this one)
    max_age: float = DEFAULT_MAX_AGE
    report_name: str = "bluejay-report.json"


@dataclass(frozen=True, slots=True)
class Found:
    path: Path
    run_id: int
    commit: str
    note: str  # "baseline: run 123 at commit abc1234, 2 days old"
    warning: str | None  # set when the run is older than the maximum age


@dataclass(frozen=True, slots=True)
class Skipped:
    reason: str


class _Skip(Exception):
    pass


def find_github_baseline(
    env: Mapping[str, str], settings: BaselineSettings, dest: Path, *, now: datetime
) -> Found | Skipped:
    """The baseline report saved under ``dest`` with a note, or why there is none."""
    try:
        return _find(env, settings, dest, now)
    except _Skip as skip:
        return Skipped(f"no baseline: {skip}")
    except ForgeError as exc:
        return Skipped(f"no baseline: {exc}{_permission_hint(exc)}")


def _permission_hint(exc: ForgeError) -> str:
    if exc.status == 403:
        return " (the job's token needs `permissions: actions: read` and `contents: read`)"
    if exc.status == 404:
        return (
            " (check baseline-workflow names a workflow file of this repository; a token "
            "without `permissions: actions: read` gets 404 too)"
        )
    return ""


def _find(env: Mapping[str, str], settings: BaselineSettings, dest: Path, now: datetime) -> Found:
    api_url = env.get("GITHUB_API_URL", "").strip()
    if not api_url:
        raise _Skip("--baseline github works in GitHub Actions only (GITHUB_API_URL is not set)")
    token = env.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise _Skip(
            "GITHUB_TOKEN is not set: give the action `github-token` (its default is the "
            "job's token) or set GITHUB_TOKEN"
        )
    repository = env.get("GITHUB_REPOSITORY", "").strip()
    if repository.count("/") != 1:
        raise _Skip("GITHUB_REPOSITORY is not owner/name")
    pull = pull_request(env)
    if pull is None or not pull.base_ref:
        raise _Skip("not a pull request: --baseline github compares a pull request with its base")
    wf_file = settings.workflow or workflow_file(env)
    wf_name = env.get("GITHUB_WORKFLOW", "").strip() or None
    if wf_file is None and wf_name is None:
        raise _Skip("neither GITHUB_WORKFLOW_REF nor GITHUB_WORKFLOW says which workflow runs")
    which = wf_file or wf_name
    with GitHubAPI(api_url, token, repository) as api:
        reference = _merge_base(api, pull)
        runs = _Runs(api, pull.base_ref, wf_file, wf_name, repository)
        run = runs.at(reference) or runs.ancestor_of(reference)
        if run is None:
            at = f" at or before commit {reference[:7]}" if reference else ""
            raise _Skip(
                f"no successful run of workflow {which!r} on {pull.base_ref}{at} "
                f"(looked at {runs.looked_at}): the first run there makes one"
            )
        artifact = next(
            (a for a in api.artifacts(run.id) if a.name == settings.artifact and not a.expired),
            None,
        )
        where = f"run {run.id} (commit {run.head_sha[:7]})"
        if artifact is None:
            raise _Skip(
                f"{where} has no artifact {settings.artifact!r} (not uploaded, or expired): "
                "upload the reports on the base branch (examples/github/)"
            )
        if artifact.size > MAX_ZIP_BYTES:
            raise _Skip(f"{where}: artifact {settings.artifact!r} is over {MAX_ZIP_BYTES} bytes")
        dest.mkdir(parents=True, exist_ok=True)
        archive = dest / "artifact.zip"
        api.download_artifact(artifact.id, archive, MAX_ZIP_BYTES)
    target = dest / "baseline-report.json"
    try:
        extract_report(archive, settings.report_name, target)
    finally:
        archive.unlink(missing_ok=True)
    return _found(target, run, pull.base_ref, settings.max_age, now)


def _merge_base(api: GitHubAPI, pull: PullRequest) -> str | None:
    """The pull request's merge base; else the base branch head the event names."""
    if pull.base_sha and pull.head_sha:
        try:
            return api.compare(pull.base_sha, pull.head_sha)[1] or pull.base_sha
        except ForgeError:
            return pull.base_sha
    return pull.base_sha


class _Runs:
    """The successful runs of one workflow on the base branch, from the branch itself (a
    pull request's run, a fork's branch that shares the name, is never one of them)."""

    def __init__(
        self,
        api: GitHubAPI,
        branch: str,
        workflow_file: str | None,
        workflow_name: str | None,
        repository: str,
    ) -> None:
        self.api, self.branch, self.repository = api, branch, repository
        self.workflow_file, self.workflow_name = workflow_file, workflow_name
        self.looked_at = 0

    def _list(self, limit: int, head_sha: str | None = None) -> list[WorkflowRun]:
        runs = self.api.successful_runs(
            self.branch,
            workflow_file=self.workflow_file,
            workflow_name=self.workflow_name,
            limit=limit,
            head_sha=head_sha,
        )
        return [r for r in runs if _from_the_branch(r, self.repository)]

    def at(self, commit: str | None) -> WorkflowRun | None:
        """The newest run of ``commit`` itself (asked for by commit: no scan)."""
        return next(iter(self._list(5, commit)), None) if commit else None

    def ancestor_of(self, reference: str | None) -> WorkflowRun | None:
        """The newest of the latest runs whose commit is ``reference`` or an ancestor of it
        (the newest run at all without a reference)."""
        runs = self._list(RUNS_LOOKED_AT)
        self.looked_at = len(runs)
        checks = 0
        for run in runs:
            if reference is None or run.head_sha == reference:
                return run
            if checks >= ANCESTRY_CHECKS:
                return None
            checks += 1
            try:
                status, _ = self.api.compare(run.head_sha, reference)
            except ForgeError as exc:
                if exc.status == 404:  # a commit no longer in the repository
                    continue
                raise
            if status in {"ahead", "identical"}:
                return run
        return None


def _from_the_branch(run: WorkflowRun, repository: str) -> bool:
    """Not a pull request's run (a fork's branch may share the base branch's name)."""
    if run.event in _PULL_EVENTS:
        return False
    return run.head_repository is None or run.head_repository.casefold() == repository.casefold()


def _found(path: Path, run: WorkflowRun, base_ref: str, max_age: float, now: datetime) -> Found:
    try:
        created = datetime.fromisoformat(run.created_at.replace("Z", "+00:00"))
        age: float | None = max(0.0, (now - created).total_seconds())
    except (ValueError, TypeError):
        age = None
    old = f", {age_words(age)} old" if age is not None else ""
    note = f"baseline: run {run.id} at commit {run.head_sha[:7]}{old}"
    warning = None
    if age is not None and age > max_age:
        warning = (
            f"baseline run {run.id} is {age_words(age)} old, older than {age_words(max_age)} "
            f"(--baseline-max-age): run the workflow on {base_ref} for a fresher one"
        )
    return Found(path=path, run_id=run.id, commit=run.head_sha, note=note, warning=warning)


def age_words(seconds: float) -> str:
    """``90`` -> ``1 minute``, ``5400`` -> ``90 minutes``, ``86400`` -> ``1 day``,
    ``172800`` -> ``2 days``: whole units, rounded down, never a unit the age has under 2 of
    unless it is exactly one."""
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        whole = seconds >= size and seconds % size == 0
        if seconds >= 2 * size or whole or (size == 60 and seconds >= size):
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "less than a minute"


def safe_member(name: str) -> bool:
    """A relative path inside the archive: no root, drive, ``..``, backslash or NUL."""
    if not name or "\\" in name or "\x00" in name or ":" in name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def report_member(names: Sequence[str], report_name: str) -> str:
    """The report inside the artifact: the one file named ``report_name``, else the one
    JSON file. Refuses an unsafe or ambiguous archive."""
    if unsafe := next((n for n in names if not safe_member(n)), None):
        raise _Skip(f"the artifact holds an unsafe path {unsafe[:100]!r}: refused")
    files = [n for n in names if not n.endswith("/")]
    named = [n for n in files if PurePosixPath(n).name == report_name]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise _Skip(
            f"the artifact holds {len(named)} files named {report_name}: give each gate its "
            "own artifact (baseline-artifact)"
        )
    jsons = [n for n in files if n.endswith(".json")]
    if len(jsons) == 1:
        return jsons[0]
    raise _Skip(f"the artifact holds no {report_name} (files: {', '.join(files[:5]) or 'none'})")


def extract_report(
    archive: Path, report_name: str, target: Path, *, max_bytes: int = MAX_REPORT_BYTES
) -> None:
    """Copy the report out of the zip at ``archive`` to ``target`` (at most ``max_bytes``)."""
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _Skip(f"the artifact holds over {MAX_MEMBERS} files: refused")
            name = report_member([i.filename for i in infos], report_name)
            info = zf.getinfo(name)
            if info.file_size > max_bytes:
                raise _Skip(f"{name} in the artifact is over {max_bytes} bytes: refused")
            with zf.open(info) as src, target.open("wb") as dst:
                shutil.copyfileobj(_Bounded(src, max_bytes), dst)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        target.unlink(missing_ok=True)
        raise _Skip(f"the artifact is not a readable zip ({type(exc).__name__})") from None


class _Bounded:
    """A reader that stops a decompression bomb whose header lies about its size."""

    def __init__(self, src: IO[bytes], limit: int) -> None:
        self._src, self._left = src, limit

    def read(self, size: int = -1) -> bytes:
        data = self._src.read(size)
        self._left -= len(data)
        if self._left < 0:
            raise OSError("the report in the artifact is larger than its header says")
        return data
