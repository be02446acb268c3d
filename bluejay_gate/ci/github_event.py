"""The pull request a GitHub Actions job runs for: read from the event payload the runner
writes (``GITHUB_EVENT_PATH``), with ``GITHUB_BASE_REF`` and ``GITHUB_REF``
(``refs/pull/N/merge``) as fallbacks. Reads one local file; sends nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_PULL_REF = re.compile(r"^refs/pull/(\d+)/")
MAX_EVENT_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class PullRequest:
    number: int | None
    base_ref: str
    base_sha: str | None  # the base branch head when the event was sent
    head_sha: str | None


def _event(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path:
        return {}
    try:
        target = Path(path)
        if target.stat().st_size > MAX_EVENT_BYTES:
            return {}
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _text(obj: Any, *keys: str) -> str | None:
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj if isinstance(obj, str) and obj else None


def pull_request(env: Mapping[str, str]) -> PullRequest | None:
    """The job's pull request, or None when the job is not for one."""
    pull = _event(env).get("pull_request")
    base_ref = _text(pull, "base", "ref") or env.get("GITHUB_BASE_REF", "").strip()
    number = pull.get("number") if isinstance(pull, dict) else None
    if not isinstance(number, int) or isinstance(number, bool):
        match = _PULL_REF.match(env.get("GITHUB_REF", ""))
        number = int(match.group(1)) if match else None
    if not base_ref and number is None:
        return None
    return PullRequest(
        number=number,
        base_ref=base_ref,
        base_sha=_text(pull, "base", "sha"),
        head_sha=_text(pull, "head", "sha"),
    )


def workflow_file(env: Mapping[str, str]) -> str | None:
    """The running workflow's file name from ``GITHUB_WORKFLOW_REF``
    (``owner/repo/.github/workflows/gate.yml@refs/pull/1/merge`` -> ``gate.yml``)."""
    ref = env.get("GITHUB_WORKFLOW_REF", "").strip()
    path = ref.split("@", 1)[0]
    name = path.rsplit("/", 1)[-1]
    return name if name.endswith((".yml", ".yaml")) else None
