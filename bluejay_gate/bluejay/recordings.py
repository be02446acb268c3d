"""Fetching what a call log links to (its ``transcript_url``): a plain GET of a signed
URL, never with the API key (the link may point anywhere), size-capped, JSON or text.
Raises ``ResponseError`` / ``TransportError`` with one-line messages."""

from __future__ import annotations

import json
from typing import Any

import httpx

from bluejay_gate.bluejay.limits import MAX_BODY_BYTES
from bluejay_gate.bluejay.transport import ssl_verify
from bluejay_gate.errors import ResponseError, TransportError


def fetch_linked_json(url: str, *, timeout: float = 30.0) -> Any:
    """The JSON ``url`` answers (no API key sent)."""
    endpoint = "GET transcript_url"
    if not url.startswith(("https://", "http://")):
        raise ResponseError(f"not an http(s) link: {url[:80]!r}", endpoint=endpoint)
    try:
        with httpx.Client(timeout=timeout, verify=ssl_verify(), follow_redirects=True) as http:
            reply = http.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise TransportError(
            f"could not fetch the transcript ({type(exc).__name__}); the link may have "
            "expired: try again, or keep transcript_url in the file",
            endpoint=endpoint,
        ) from None
    if reply.status_code != 200:
        raise ResponseError(
            f"the transcript link answered HTTP {reply.status_code}; it may have expired",
            endpoint=endpoint,
            status=reply.status_code,
        )
    if len(reply.content) > MAX_BODY_BYTES:
        raise ResponseError("the transcript is too large to embed", endpoint=endpoint)
    try:
        return json.loads(reply.content)
    except ValueError:
        raise ResponseError(
            "the transcript is not JSON (the document's transcripts are .json)",
            endpoint=endpoint,
        ) from None
