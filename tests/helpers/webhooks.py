"""Webhook test helpers: a free loopback port, whether a port is free again, a signed
delivery, and a throwaway CA's certificate files for the https listener."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import ssl
import uuid
from pathlib import Path
from typing import Any

import httpx

SECRET = "whsec-canary-3b8f1e07c2"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:``port`` and it can be bound again."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def post(
    url: str,
    body: dict[str, Any] | bytes,
    *,
    secret: str | None = SECRET,
    event: str | None = "simulation_result_evaluated",
    delivery: str | None = None,
    verify: ssl.SSLContext | bool = True,
) -> httpx.Response:
    """One delivery as Bluejay sends it (``secret=None``: unsigned)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Bluejay-Signature"] = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    if event is not None:
        headers["X-Bluejay-Event"] = event
    headers["X-Bluejay-Delivery"] = delivery or str(uuid.uuid4())
    return httpx.post(url, content=raw, headers=headers, timeout=5.0, verify=verify)


def evaluated(run_id: str | int, result_id: str | int, **changes: Any) -> dict[str, Any]:
    """A ``simulation_result_evaluated`` body for one scored conversation."""
    body: dict[str, Any] = {
        "type": "simulation_result_evaluated",
        "id": int(result_id),
        "status": "COMPLETED",
        "simulation_run_id": int(run_id),
        "evaluations": [{"id": 1, "created_at": "2026-01-02T03:04:05Z", "goal_success": True}],
    }
    body.update(changes)
    return body


def certificate(tmp_path: Path) -> tuple[Path, Path, ssl.SSLContext]:
    """A certificate for 127.0.0.1 from a throwaway CA (trustme, a test dependency): the
    certificate and key files, and a client context that trusts the CA."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert_path, key_path = tmp_path / "listen.pem", tmp_path / "listen.key"
    cert.cert_chain_pems[0].write_to_path(str(cert_path))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_path), append=True)
    cert.private_key_pem.write_to_path(str(key_path))
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return cert_path, key_path, client
