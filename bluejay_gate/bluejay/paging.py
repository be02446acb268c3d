"""Reading every page of a paginated list endpoint (``GET /v1/custom-metrics``, the one the
gate reads): the stopping rules and the liberal readings, shared by every caller."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from bluejay_gate.bluejay.calls import Calls
from bluejay_gate.bluejay.models import Page

P = TypeVar("P", bound=Page)
T = TypeVar("T")


class PagedCalls(Calls):
    """``_every_page``: a paginated list read in full."""

    def _every_page(
        self,
        path: str,
        query: str,
        page_model: type[P],
        items: Callable[[P], Sequence[T]],
        key: Callable[[T], str],
        *,
        field: str,
        noun: str,
        page_size: int,
        max_pages: int,
    ) -> list[T]:
        """Every page of ``GET path?query&page=N&page_size=...``, each read as
        ``page_model`` (its list under ``field``), deduplicated by ``key``. Stops at
        ``total_pages``, on an empty page, on a page with nothing new, and after
        ``max_pages`` (logged); without ``total_pages`` a short page is the last. A bare
        list is the whole list."""
        endpoint = f"GET {path}"
        found: dict[str, T] = {}
        prefix = f"{query}&" if query else ""
        for page in range(1, max_pages + 1):
            reply = self._call("GET", f"{path}?{prefix}page={page}&page_size={page_size}")
            payload = self._json(reply, endpoint)
            if isinstance(payload, list):  # liberal: a bare list is the whole list
                payload = {field: payload, "total_pages": 1}
            listed = self._model(page_model, payload, endpoint, reply.status)
            entries = items(listed)
            new = 0
            for entry in entries:
                ident = key(entry)
                if ident not in found:
                    found[ident] = entry
                    new += 1
            if not entries or new == 0:
                break
            if listed.total_pages is not None:
                if page >= listed.total_pages:
                    break
            elif len(entries) < (listed.page_size or page_size):
                break
        else:
            self._log(
                f"{endpoint}: stopped after {max_pages} pages of {page_size} {noun}; "
                "later pages were not read"
            )
        return list(found.values())
