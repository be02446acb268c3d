"""Where the gate may send the API key, and how: the default base URL and the base URL
policy (https, or plain http only to loopback, no credentials in the URL), certificate
verification (always on; ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` for a corporate CA) and a
holder that keeps the key out of every ``repr``, and ``scrub_answer``, which takes the key
out of every answer before it is read, so no text from Bluejay (a reasoning, a call
summary) can carry it into a report.
The client (``session.Session``) applies them.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import ssl
from urllib.parse import urlsplit

from bluejay_gate.bluejay.address import DEFAULT_BASE_URL
from bluejay_gate.bluejay.limits import MIN_SCRUBBED_KEY
from bluejay_gate.errors import UsageError


def validate_base_url(url: str) -> str:
    """Normalise a base URL: no trailing ``/`` or ``/v1``; https, or http on loopback only."""
    text = url.strip()
    source = "the base URL (--base-url or BLUEJAY_BASE_URL)"
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise UsageError(f"{source} {text!r} is not a valid URL ({exc})") from None
    if parts.scheme not in {"http", "https"} or not host:
        raise UsageError(
            f"{source} {text!r} is not an http(s) URL with a host; "
            f"use e.g. {DEFAULT_BASE_URL} or http://127.0.0.1:8787 for the emulator"
        )
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            f"{source} must not contain credentials (user:password@); "
            "the API key goes in BLUEJAY_API_KEY"
        )
    if parts.query or parts.fragment:
        raise UsageError(f"{source} {text!r} must not have a query or fragment")
    if parts.scheme == "http" and not is_loopback(host):
        raise UsageError(
            f"{source} {text!r} uses plain http:// for a host that is not loopback; "
            "the API key would travel unencrypted: use https://, or http:// only with "
            "127.0.0.1, ::1 or localhost (e.g. the emulator)"
        )
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[: -len("/v1")].rstrip("/")
    netloc = parts.netloc
    return f"{parts.scheme}://{netloc}{path}"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ssl_verify() -> ssl.SSLContext | bool:
    """Certificate verification, always on; honours SSL_CERT_FILE / SSL_CERT_DIR."""
    cafile = os.environ.get("SSL_CERT_FILE") or None
    capath = os.environ.get("SSL_CERT_DIR") or None
    if cafile is None and capath is None:
        return True
    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ssl.SSLError) as exc:
        where = f"SSL_CERT_FILE={cafile}" if cafile else f"SSL_CERT_DIR={capath}"
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(
            f"{where}: cannot load CA certificates ({reason}); point it at a PEM bundle or unset it"
        ) from None


class Secret:
    """Holds the API key; its repr never shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__


SCRUBBED = b"***"
# ``\uXXXX`` escapes of printable ASCII, which no encoder needs (quote and backslash
# excepted); an escaped backslash is matched first, so ``\\u0041`` stays text.
_NEEDLESS_ESCAPE = re.compile(
    rb"\\\\|\\u00(2[013-9a-fA-F]|[34][0-9a-fA-F]|5[0-9abd-fABD-F]|6[0-9a-fA-F]|7[0-9a-eA-E])"
)


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    return match.group(0) if code is None else bytes([int(code, 16)])


def scrub_answer(body: bytes, secret: str) -> bytes:
    """``body`` (a JSON answer) with every copy of ``secret`` replaced by ``***``: as is,
    JSON-escaped (``\\/``, ``\\"``, ``\\\\``) or spelt with needless ``\\u00XX`` escapes
    (those are decoded first, which leaves the JSON's meaning unchanged)."""
    if len(secret) < MIN_SCRUBBED_KEY:
        return body
    if b"\\u00" in body:
        body = _NEEDLESS_ESCAPE.sub(_unescape, body)
    plain = secret.encode()
    escaped = json.dumps(secret)[1:-1].encode()
    forms = {plain, escaped, escaped.replace(b"/", b"\\/")}
    forms.add(escaped.replace(b'\\"', b"\\u0022").replace(b"\\\\", b"\\u005c"))
    for form in forms:
        if form in body:
            body = body.replace(form, SCRUBBED)
    return body
