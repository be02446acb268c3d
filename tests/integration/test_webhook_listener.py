"""The webhook listener on a real loopback socket: what each delivery is answered and what
reaches the inbox (forged, unsigned, oversized, malformed, unknown, replayed), https, and
the port freed on stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bluejay_gate.errors import UsageError
from bluejay_gate.run.listener import MAX_BODY, Listener, parse_listen
from tests.helpers.webhooks import SECRET, certificate, evaluated, port_is_free, post


@pytest.fixture
def listener() -> Iterator[Listener]:
    with Listener("127.0.0.1", 0, SECRET) as running:
        yield running


def test_verified_event_reaches_the_inbox(listener: Listener) -> None:
    answer = post(listener.url, evaluated(70001, 9001))
    assert answer.status_code == 200
    got = listener.inbox.take()
    assert [(p.run_id, p.result.id, p.result.status) for p in got] == [
        ("70001", "9001", "COMPLETED")
    ]
    assert listener.url == f"http://127.0.0.1:{listener.port}/"


@pytest.mark.parametrize(
    ("secret", "event", "body", "status"),
    [
        ("wrong secret", "simulation_result_evaluated", None, 401),  # forged
        (None, "simulation_result_evaluated", None, 401),  # unsigned
        (SECRET, "simulation_result_evaluated", b"{not json", 400),  # malformed
        (SECRET, "simulation_exploded", {"type": "simulation_exploded"}, 400),  # unknown
        (SECRET, "simulation_result_evaluated", {"type": "simulation_result_evaluated"}, 400),
    ],
    ids=["forged", "unsigned", "malformed", "unknown-event", "no-result"],
)
def test_refused_deliveries_change_nothing(
    listener: Listener,
    secret: str | None,
    event: str,
    body: dict[str, str] | bytes | None,
    status: int,
) -> None:
    answer = post(listener.url, body or evaluated(70001, 9001), secret=secret, event=event)
    assert answer.status_code == status
    assert listener.inbox.take() == []
    assert listener.counts == {status: 1}


def test_oversized_delivery_is_413_without_reading_it(listener: Listener) -> None:
    raw = b"x" * (MAX_BODY + 1)
    assert post(listener.url, raw).status_code == 413
    assert listener.inbox.take() == []


def test_known_unused_event_is_200_and_not_queued(listener: Listener) -> None:
    body = {"type": "simulation_ended", "id": 9001, "simulation_run_id": 70001}
    assert post(listener.url, body, event="simulation_ended").status_code == 200
    assert listener.inbox.take() == []


def test_replayed_delivery_is_200_and_ignored(listener: Listener) -> None:
    body = evaluated(70001, 9001)
    assert post(listener.url, body, delivery="d-1").status_code == 200
    assert post(listener.url, body, delivery="d-1").status_code == 200
    assert len(listener.inbox.take()) == 1
    assert listener.replayed == 1
    # A forged delivery cannot burn an id ahead of the real one.
    assert post(listener.url, body, delivery="d-2", secret="forged").status_code == 401
    assert post(listener.url, body, delivery="d-2").status_code == 200
    assert len(listener.inbox.take()) == 1


def test_every_delivery_is_answered_fast_while_others_hang(listener: Listener) -> None:
    """A client that opens a connection and sends nothing does not hold up the next
    delivery (one thread per connection; its read times out on its own)."""
    import socket

    with socket.create_connection(("127.0.0.1", listener.port)) as silent:
        silent.sendall(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n")
        started = time.monotonic()
        assert post(listener.url, evaluated(1, 2)).status_code == 200
        assert time.monotonic() - started < 2.0


def test_inbox_wait_wakes_when_an_event_arrives(listener: Listener) -> None:
    assert not listener.inbox.wait(0.01)
    threading.Timer(0.1, lambda: post(listener.url, evaluated(1, 2))).start()
    assert listener.inbox.wait(5.0)
    assert len(listener.inbox.take()) == 1


def test_https_listener(tmp_path: Path) -> None:
    cert, key, trust = certificate(tmp_path)
    with Listener("127.0.0.1", 0, SECRET, tls_cert=cert, tls_key=key) as running:
        assert running.url.startswith("https://127.0.0.1:")
        assert post(running.url, evaluated(3, 4), verify=trust).status_code == 200
        assert len(running.inbox.take()) == 1
        with pytest.raises(httpx.HTTPError):  # plain http to an https listener
            post(running.url.replace("https", "http"), evaluated(3, 4))
        assert post(running.url, evaluated(3, 5), verify=trust).status_code == 200


def test_stop_frees_the_port() -> None:
    running = Listener("127.0.0.1", 0, SECRET).start()
    port = running.port
    assert not port_is_free(port)
    running.stop()
    running.stop()  # idempotent
    assert port_is_free(port)


def test_bad_listen_options_are_usage_errors(tmp_path: Path) -> None:
    for text in ("8080", "host:", ":80", "host:99999", "host:http"):
        with pytest.raises(UsageError, match="expected HOST:PORT"):
            parse_listen(text)
    assert parse_listen("[::1]:8443") == ("::1", 8443)
    assert parse_listen("0.0.0.0:0") == ("0.0.0.0", 0)
    with Listener("127.0.0.1", 0, SECRET) as taken:
        with pytest.raises(UsageError, match="cannot listen there"):
            Listener("127.0.0.1", taken.port, SECRET)
    with pytest.raises(UsageError, match="go together"):
        Listener("127.0.0.1", 0, SECRET, tls_cert=tmp_path / "c.pem")
    with pytest.raises(UsageError, match="cannot load them"):
        Listener("127.0.0.1", 0, SECRET, tls_cert=tmp_path / "c.pem", tls_key=tmp_path / "k")
