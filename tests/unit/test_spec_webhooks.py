"""The spec's webhook keys (``run.wait``, ``run.webhook_poll_interval``), and the guard
that keeps the webhook signing secret out of the spec (by key, by variable, by value)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluejay_gate.errors import SpecError
from bluejay_gate.spec.load import load_spec
from bluejay_gate.spec.resolved import Spec

SECRET = "whsec-spec-canary-71d2"
SPEC = """\
version: 1
agent:
  name: Support Bot
run:
  RUN
simulations:
  - id: 4821
thresholds:
  score: value >= 80
"""


def _load(tmp_path: Path, run: str, env: dict[str, str] | None = None) -> SpecError | Spec:
    path = tmp_path / "spec.yml"
    path.write_text(SPEC.replace("RUN", run), encoding="utf-8")
    try:
        return load_spec(path, env=env or {})
    except SpecError as exc:
        return exc


def test_defaults_poll_and_one_minute_safety_net(tmp_path: Path) -> None:
    spec = load_spec_ok(tmp_path, "timeout: 10m")
    assert (spec.run.wait, spec.run.webhook_poll_interval) == ("poll", 60.0)


def test_webhook_keys_are_read(tmp_path: Path) -> None:
    spec = load_spec_ok(tmp_path, "wait: webhook\n  webhook_poll_interval: 90s")
    assert (spec.run.wait, spec.run.webhook_poll_interval) == ("webhook", 90.0)


def load_spec_ok(tmp_path: Path, run: str) -> Spec:
    got = _load(tmp_path, run)
    assert isinstance(got, Spec), str(got)
    return got


def test_unknown_wait_is_a_located_error(tmp_path: Path) -> None:
    got = _load(tmp_path, "wait: push")
    assert isinstance(got, SpecError)
    assert str(got).startswith(f"{tmp_path / 'spec.yml'}:5: run.wait:")
    assert "poll" in str(got)
    assert "webhook" in str(got)


@pytest.mark.parametrize("key", ["webhook_secret", "WebhookSecret", "signing-secret"])
def test_secret_key_is_refused(tmp_path: Path, key: str) -> None:
    got = _load(tmp_path, f"{key}: whatever")
    assert isinstance(got, SpecError)
    assert "the spec must not hold the webhook signing secret" in str(got)
    assert "BLUEJAY_WEBHOOK_SECRET in the environment" in str(got)
    assert got.line == 5


def test_secret_variable_and_value_are_refused(tmp_path: Path) -> None:
    env = {"BLUEJAY_WEBHOOK_SECRET": SECRET, "OTHER": SECRET}
    path = tmp_path / "spec.yml"
    for text in ("${BLUEJAY_WEBHOOK_SECRET}", "${OTHER}", SECRET):
        path.write_text(
            SPEC.replace("RUN", "timeout: 10m").replace(
                "  name: Support Bot", f"  name: Support Bot\n  folder: '{text}'"
            ),
            encoding="utf-8",
        )
        with pytest.raises(SpecError) as info:
            load_spec(path, env=env)
        assert "must not hold the webhook signing secret" in str(info.value)
        assert SECRET not in str(info.value)
