"""A small JSON REST client for the CI forges' APIs (GitHub, GitLab): one base URL, one
token header, bounded answers, pages followed by their ``Link: <...>; rel="next"`` header,
and downloads that follow a redirect.

It owns the rules that keep a token safe: the token goes only to URLs under the base URL
(a next-page link elsewhere is not followed; a redirect is followed without the token),
``http://`` only to loopback, and no message ever holds the token. It never retries and
never decides what a comment or a baseline is (``github_api``, ``gitlab`` and their callers
do).
"""

from __future__ import annotations

import functools
import json
import os
import re
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from bluejay_gate.bluejay.transport import is_loopback, ssl_verify
from bluejay_gate.errors import GateError

MAX_JSON_BYTES = 20 * 1024 * 1024
MAX_PAGES = 20
MAX_REDIRECTS = 3
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


@dataclass(frozen=True, slots=True)
class Comment:
    """A pull-request comment (GitHub) or merge-request note (GitLab)."""

    id: int
    body: str
    url: str
    by_bot: bool = False  # written by a bot account (the job's token writes as one)


def comment_from(item: Any) -> Comment | None:
    """A comment or note from an answer; None without an integer ``id``."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        return None
    body, url = item.get("body"), item.get("html_url")
    user, author = item.get("user"), item.get("author")  # GitHub, GitLab
    by_bot = (isinstance(user, dict) and user.get("type") == "Bot") or (
        isinstance(author, dict) and author.get("bot") is True
    )
    return Comment(
        id=item["id"],
        body=body if isinstance(body, str) else "",
        url=url if isinstance(url, str) else "",
        by_bot=by_bot,
    )


class ForgeError(Exception):
    """A forge API request that failed: the status (None: no answer) and a one-line message
    without the token."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def check_url(url: str, source: str) -> str:
    """``url`` without a trailing ``/``: https, or http only to a loopback host."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in {"http", "https"} or not host:
        raise ForgeError(f"{source} {url!r} is not an http(s) URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ForgeError(f"{source} must not contain credentials (user:password@)")
    if parts.scheme == "http" and not is_loopback(host):
        raise ForgeError(f"{source} {url!r} uses plain http:// for a host that is not loopback")
    return url.strip().rstrip("/")


@functools.cache
def _tls(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    """One verifying TLS context per process (and CA setting): building one reads the whole
    CA bundle. Honours SSL_CERT_FILE / SSL_CERT_DIR as the Bluejay client does."""
    verify = ssl_verify()
    return verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context()


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, if any."""
    for part in (header or "").split(","):
        if match := _NEXT.search(part):
            return match.group(1).strip()
    return None


class RestClient:
    """JSON requests to one forge API. ``name`` (``GitHub API``) starts every message."""

    def __init__(
        self,
        base_url: str,
        *,
        name: str,
        token: str,
        token_headers: Mapping[str, str],
        headers: Mapping[str, str] | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.name = name
        self.base_url = check_url(base_url, f"the {name} URL")
        self._token = token
        self._token_headers = dict(token_headers)
        try:
            verify = _tls(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        except GateError as exc:
            raise ForgeError(str(exc)) from None
        self._http = httpx.Client(
            headers=dict(headers or {}), timeout=timeout, follow_redirects=False, verify=verify
        )

    def __enter__(self) -> RestClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"RestClient({self.name}, {self.base_url})"

    def scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def _ours(self, url: str) -> bool:
        return url == self.base_url or url.startswith(self.base_url + "/")

    def _send(
        self, method: str, url: str, *, params: Mapping[str, str] | None, body: object
    ) -> tuple[bytes, httpx.Headers]:
        """One request: its (decoded) body, read up to ``MAX_JSON_BYTES``, and its headers;
        a ForgeError unless 2xx."""
        if not self._ours(url):
            raise ForgeError(f"{self.name}: refusing to send the token to {url!r}")
        where = f"{self.name} {method} {urlsplit(url).path}"
        try:
            request = self._http.build_request(
                method, url, params=params, json=body, headers=self._token_headers
            )
            response = self._http.send(request, stream=True)
            try:
                content = _read(response, MAX_JSON_BYTES)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise ForgeError(self.scrub(f"{where} failed: {type(exc).__name__}: {exc}")) from None
        if content is None:
            raise ForgeError(f"{where} answered over {MAX_JSON_BYTES} bytes", response.status_code)
        if not 200 <= response.status_code < 300:
            detail = _error_detail(content)
            raise ForgeError(
                self.scrub(f"{where} answered {response.status_code}{detail}"),
                response.status_code,
            )
        return content, response.headers

    def json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: object = None,
    ) -> Any:
        content, _headers = self._send(method, self.url(path), params=params, body=body)
        return self._decode(method, path, content)

    def pages(
        self, path: str, *, params: Mapping[str, str] | None = None, key: str | None = None
    ) -> Iterator[Any]:
        """Every item of a listed resource, page after page (at most ``MAX_PAGES``); ``key``
        names the list inside an object answer (``workflow_runs``)."""
        url: str | None = self.url(path)
        query: Mapping[str, str] | None = params
        for _ in range(MAX_PAGES):
            if url is None or not self._ours(url):
                return
            content, headers = self._send("GET", url, params=query, body=None)
            data = self._decode("GET", path, content)
            items = data.get(key) if key and isinstance(data, dict) else data
            if not isinstance(items, list):
                raise ForgeError(f"{self.name} GET {path} answered without a list")
            yield from items
            url, query = next_link(headers.get("link")), None

    def download(self, path: str, target: Path, max_bytes: int) -> None:
        """GET ``path`` into ``target``, following redirects (without the token, which the
        signed URL of a redirect does not need); at most ``max_bytes``."""
        url = self.url(path)
        headers: Mapping[str, str] = self._token_headers
        where = f"{self.name} GET {urlsplit(url).path}"
        for _ in range(MAX_REDIRECTS + 1):
            try:
                with self._http.stream("GET", url, headers=headers) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        url = check_url(urljoin(url, location), f"{where}: the redirect")
                        headers = {}
                        continue
                    if response.status_code != 200:
                        raise ForgeError(
                            f"{where} answered {response.status_code}", response.status_code
                        )
                    _save(response, target, max_bytes, where)
                    return
            except httpx.HTTPError as exc:
                raise ForgeError(
                    self.scrub(f"{where} failed: {type(exc).__name__}: {exc}")
                ) from None
        raise ForgeError(f"{where}: more than {MAX_REDIRECTS} redirects")

    def _decode(self, method: str, path: str, content: bytes) -> Any:
        if not content:
            return None
        try:
            return json.loads(content)
        except ValueError:
            raise ForgeError(
                f"{self.name} {method} {path} answered a body that is not JSON"
            ) from None


def _read(response: httpx.Response, limit: int) -> bytes | None:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _save(response: httpx.Response, target: Path, max_bytes: int, where: str) -> None:
    size = 0
    with target.open("wb") as fh:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise ForgeError(f"{where}: the download is over {max_bytes} bytes; refused")
            fh.write(chunk)


def _error_detail(content: bytes) -> str:
    """``: <message>`` from a JSON error body (both forges use ``message``), cut short."""
    try:
        data = json.loads(content)
    except ValueError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, str) or not message.strip():
        return ""
    return ": " + " ".join(message.split())[:200]
