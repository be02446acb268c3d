"""The GitLab REST API calls the gate makes for its merge-request note, at ``CI_API_V4_URL``
only, with ``GITLAB_TOKEN`` (``PRIVATE-TOKEN``; the job token cannot write notes): a merge
request's notes (list, create, update). Decides nothing (``pr_comment`` picks the note).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from bluejay_gate.ci.rest import Comment, RestClient, comment_from


class GitLabAPI:
    def __init__(
        self, api_url: str, token: str, project: str, merge_request: int, *, timeout: float = 10.0
    ) -> None:
        self._notes = f"/projects/{quote(project, safe='')}/merge_requests/{merge_request}/notes"
        self._rest = RestClient(
            api_url,
            name="GitLab API",
            token=token,
            token_headers={"PRIVATE-TOKEN": token},
            timeout=timeout,
        )

    def __enter__(self) -> GitLabAPI:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._rest.close()

    def notes(self) -> Iterator[Comment]:
        params = {"per_page": "100", "sort": "asc", "order_by": "created_at"}
        for item in self._rest.pages(self._notes, params=params):
            if comment := comment_from(item):
                yield comment

    def create_note(self, body: str) -> Comment | None:
        return comment_from(self._rest.json("POST", self._notes, body={"body": body}))

    def update_note(self, note_id: int, body: str) -> Comment | None:
        path = f"{self._notes}/{note_id}"
        return comment_from(self._rest.json("PUT", path, body={"body": body}))
