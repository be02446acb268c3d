"""Where the gate may send the API key, and how: the base URL policy (https, or plain
http only to loopback, no credentials in the URL), certificate verification (always on;
``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` for a corporate CA) and a holder that keeps the key
out of every ``repr``. The client (``client.BluejayClient``) applies them.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from urllib.parse import urlsplit

from bluejay_gate.errors import UsageError
from bluejay_gate.retry import DEFAULT_BASE_URL


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
    if parts.scheme == "http" and not _is_loopback(host):
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


def _is_loopback(host: str) -> bool:
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
