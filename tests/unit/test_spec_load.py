"""load_spec on valid specs: every key, resolved values, line numbers and checks_for merging."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluejay_gate.spec.load import load_spec
from bluejay_gate.spec.resolved import RunSettings, Spec
from bluejay_gate.spec.thresholds import Aggregate, Op, Severity

HEAD = """\
version: 1
agent:
  name: Support Bot
simulations:
  - id: 4821
"""


def write(tmp_path: Path, text: str, name: str = "bluejay-gate.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> Spec:
    return load_spec(write(tmp_path, text), env=env or {})


def test_minimal_spec_defaults(tmp_path: Path) -> None:
    """A minimal spec gets the documented run defaults and only the agent name to send."""
    spec = load(tmp_path, HEAD + "thresholds:\n  score: value >= 80\n")
    assert spec.run == RunSettings(1800.0, 10.0, 10, 0.0)
    assert spec.agent.fields == {"name": "Support Bot"}
    assert spec.agent.external_id is None
    assert spec.agent.id is None
    assert spec.agent.line == 2
    assert spec.agent.field_lines == {"name": 3}
    assert spec.path == tmp_path / "bluejay-gate.yml"


def test_agent_keys_resolved(tmp_path: Path) -> None:
    """Files are read, ${VAR}s substituted, ids kept as str and external_id kept out of fields."""
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "support.md").write_text("Be kind.\n", encoding="utf-8")
    (tmp_path / "kb.md").write_text("Refunds: 30 days, ünïcode ok\n", encoding="utf-8")
    text = """\
version: 1
agent:
  external_id: 77
  name: Support Bot
  type: OUTBOUND
  mode: TEXT
  system_prompt: {file: prompts/support.md}
  knowledge_base:
    file: kb.md
  goals: [Resolve billing, "Be polite"]
  phone_number: ${PHONE}
  websocket_password: ${WS_PASS}
  redact_pii: true
  custom_sip_headers: {Tenant: acme}
simulations:
  - id: 1
thresholds:
  score: value >= 80
"""
    spec = load(tmp_path, text, env={"PHONE": "+15550001111", "WS_PASS": "hunter2"})
    assert spec.agent.external_id == "77"
    assert spec.agent.name == "Support Bot"
    assert spec.agent.fields == {
        "name": "Support Bot",
        "system_prompt": "Be kind.\n",
        "knowledge_base": "Refunds: 30 days, ünïcode ok\n",
        "goals": ["Resolve billing", "Be polite"],
        "type": "OUTBOUND",
        "mode": "TEXT",
        "phone_number": "+15550001111",
        "websocket_password": "hunter2",
        "custom_sip_headers": {"Tenant": "acme"},
        "redact_pii": True,
    }
    assert spec.agent.field_lines["external_id"] == 3
    assert spec.agent.field_lines["knowledge_base"] == 8
    assert spec.agent.field_lines["custom_sip_headers"] == 14


def test_agent_by_id(tmp_path: Path) -> None:
    """agent.id given as a number is kept as a string; external_id stays None."""
    spec = load(
        tmp_path,
        "version: 1\nagent:\n  id: 1234\n  name: Bot\nsimulations: [{id: 1}]\n"
        "thresholds: {score: value >= 80}\n",
    )
    assert spec.agent.id == "1234"
    assert spec.agent.external_id is None
    assert "id" not in spec.agent.fields


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("timeout: 30m", RunSettings(timeout=1800.0)),
        ("timeout: 1.5h", RunSettings(timeout=5400.0)),
        ("timeout: 90", RunSettings(timeout=90.0)),
        ("poll_interval: 0.2s", RunSettings(poll_interval=0.2)),
        ("poll_interval: 250ms", RunSettings(poll_interval=0.25)),
        ("max_parallel: 3", RunSettings(max_parallel=3)),
        ("allow_incomplete: 5%", RunSettings(allow_incomplete=0.05)),
        ("allow_incomplete: 0.1", RunSettings(allow_incomplete=0.1)),
        ("allow_incomplete: 100%", RunSettings(allow_incomplete=1.0)),
        ("allow_incomplete: 0%", RunSettings(allow_incomplete=0.0)),
    ],
)
def test_run_keys(tmp_path: Path, run: str, expected: RunSettings) -> None:
    """Each run key is converted to seconds, a count or a fraction."""
    spec = load(tmp_path, HEAD + f"run:\n  {run}\nthresholds: {{score: value >= 80}}\n")
    assert spec.run.timeout == pytest.approx(expected.timeout)
    assert spec.run.poll_interval == pytest.approx(expected.poll_interval)
    assert spec.run.max_parallel == expected.max_parallel
    assert spec.run.allow_incomplete == pytest.approx(expected.allow_incomplete)


def test_simulation_keys(tmp_path: Path) -> None:
    """Simulation ids and digital humans become strings; queue options are kept as given."""
    text = """\
version: 1
agent: {name: Bot}
simulations:
  - id: 4821
    name: Billing regressions
    digital_human_ids: [12, "13"]
    runs_per_digital_human: 2
    phone_number: "+15550002222"
    livekit_metadata: {build: "42"}
    prompt_id: 6c1f9a52-1d2e-4b7a-9e0f-3a5b7c9d1e2f
  - name: Smoke test
  - id: sim-x
thresholds: {score: value >= 80}
"""
    spec = load(tmp_path, text)
    first, second, third = spec.simulations
    assert (first.id, first.name, first.digital_human_ids) == (
        "4821",
        "Billing regressions",
        ("12", "13"),
    )
    assert first.queue_options == {
        "runs_per_digital_human": 2,
        "phone_number": "+15550002222",
        "livekit_metadata": {"build": "42"},
        "prompt_id": "6c1f9a52-1d2e-4b7a-9e0f-3a5b7c9d1e2f",
    }
    assert first.line == 4
    assert (second.id, second.name, second.digital_human_ids, second.line) == (
        None,
        "Smoke test",
        None,
        11,
    )
    assert second.queue_options == {}
    assert first.label == "Billing regressions"
    assert third.label == "simulation sim-x"


def test_threshold_forms_and_lines(tmp_path: Path) -> None:
    """String, list, object and list-of-object thresholds give typed checks with their lines."""
    text = (
        HEAD
        + """\
thresholds:
  "Greeting compliance": pass_rate >= 90%
  "Empathy": [mean >= 7, min >= 4]
  "Tone":
    - median > 3
    - check: p95 <= 1500
      severity: warn
      min_samples: 5
  "Resolution":
    check: share(Resolved) >= 75%
    min_samples: 2
  hallucination: rate <= 0%
  score: value >= 80
"""
    )
    spec = load(tmp_path, text)
    checks = spec.checks_for(spec.simulations[0])
    summary = [(c.metric, c.expression, c.line) for c in checks]
    assert summary == [
        ("Greeting compliance", "pass_rate >= 90%", 7),
        ("Empathy", "mean >= 7", 8),
        ("Empathy", "min >= 4", 8),
        ("Tone", "median > 3", 10),
        ("Tone", "p95 <= 1500", 11),
        ("Resolution", "share(Resolved) >= 75%", 14),
        ("hallucination", "rate <= 0%", 17),
        ("score", "value >= 80", 18),
    ]
    tone_p95 = checks[4]
    assert (tone_p95.aggregate, tone_p95.op, tone_p95.threshold) == (
        Aggregate.PERCENTILE,
        Op.LE,
        1500.0,
    )
    assert (tone_p95.percentile, tone_p95.severity, tone_p95.min_samples) == (95, Severity.WARN, 5)
    resolution = checks[5]
    assert resolution.share_value == "Resolved"
    assert resolution.threshold == pytest.approx(0.75)
    assert resolution.percent is True
    assert resolution.severity is Severity.ERROR
    assert resolution.min_samples == 2
    assert checks[0].severity is Severity.ERROR
    assert checks[0].min_samples is None


@pytest.mark.parametrize(
    ("expression", "aggregate", "op", "threshold"),
    [
        ("mean >= 7", Aggregate.MEAN, Op.GE, 7.0),
        ("median > 3", Aggregate.MEDIAN, Op.GT, 3.0),
        ("min <= 4", Aggregate.MIN, Op.LE, 4.0),
        ("max < 10", Aggregate.MAX, Op.LT, 10.0),
        ("p50 == 5", Aggregate.PERCENTILE, Op.EQ, 5.0),
        ("rate != 50%", Aggregate.RATE, Op.NE, 0.5),
        ("pass_rate >= 0.9", Aggregate.RATE, Op.GE, 0.9),
        ("fail_rate <= 10%", Aggregate.FAIL_RATE, Op.LE, 0.1),
        ("count >= 20", Aggregate.COUNT, Op.GE, 20.0),
        ("fail_count == 0", Aggregate.FAIL_COUNT, Op.EQ, 0.0),
        ("share(resolved) > 1%", Aggregate.SHARE, Op.GT, 0.01),
    ],
)
def test_every_aggregate_and_operator(
    tmp_path: Path, expression: str, aggregate: Aggregate, op: Op, threshold: float
) -> None:
    """Every aggregate and operator of the threshold language loads into a Check."""
    spec = load(tmp_path, HEAD + f'thresholds:\n  "M": "{expression}"\n')
    (check,) = spec.checks_for(spec.simulations[0])
    assert (check.metric, check.aggregate, check.op) == ("M", aggregate, op)
    assert check.threshold == pytest.approx(threshold)
    assert check.label == f"M: {expression}"


def test_metric_names_kept_exactly(tmp_path: Path) -> None:
    """Metric keys keep case, spaces and YAML-special words (yes, 1, null) as written."""
    text = HEAD + (
        'thresholds:\n  "  Empathy Score ": mean >= 1\n  yes: rate >= 1%\n'
        "  1: mean > 0\n  null: mean > 0\n  latency.p95_agent_latency: p90 <= 1500\n"
    )
    spec = load(tmp_path, text)
    assert list(spec.thresholds) == [
        "  Empathy Score ",
        "yes",
        "1",
        "null",
        "latency.p95_agent_latency",
    ]


def test_checks_for_merges_per_simulation(tmp_path: Path) -> None:
    """A metric under a simulation replaces all global checks for it; order is global, then own."""
    text = """\
version: 1
agent: {name: Bot}
simulations:
  - id: 1
    thresholds:
      "Empathy": mean >= 9
      "Refund policy followed": pass_rate >= 95%
  - id: 2
thresholds:
  "Greeting": pass_rate >= 90%
  "Empathy": [mean >= 7, min >= 4]
  score: value >= 80
"""
    spec = load(tmp_path, text)
    first, second = spec.simulations
    assert [c.label for c in spec.checks_for(first)] == [
        "Greeting: pass_rate >= 90%",
        "Empathy: mean >= 9",
        "score: value >= 80",
        "Refund policy followed: pass_rate >= 95%",
    ]
    assert [c.label for c in spec.checks_for(second)] == [
        "Greeting: pass_rate >= 90%",
        "Empathy: mean >= 7",
        "Empathy: min >= 4",
        "score: value >= 80",
    ]
    assert [c.line for c in spec.checks_for(first)] == [10, 6, 12, 7]
    assert list(first.thresholds) == ["Empathy", "Refund policy followed"]
    assert second.thresholds == {}


def test_simulation_only_thresholds(tmp_path: Path) -> None:
    """Without global thresholds each simulation's own checks are its whole list."""
    text = HEAD + "    thresholds:\n      goal_success: pass_rate >= 80%\n"
    spec = load(tmp_path, text)
    assert spec.thresholds == {}
    assert [c.label for c in spec.checks_for(spec.simulations[0])] == [
        "goal_success: pass_rate >= 80%"
    ]


@pytest.mark.parametrize(
    ("value", "env", "expected"),
    [
        ("${A}", {"A": "x"}, "x"),
        ("pre-${A}-${B}-post", {"A": "1", "B": "2"}, "pre-1-2-post"),
        ("$${A}", {}, "${A}"),
        (
            "cost $5 and $$ and $${LITERAL} and ${A}",
            {"A": "ok"},
            "cost $5 and $$ and ${LITERAL} and ok",
        ),
        ("${EMPTY}", {"EMPTY": ""}, ""),
        ("$A", {}, "$A"),
    ],
)
def test_environment_substitution(
    tmp_path: Path, value: str, env: dict[str, str], expected: str
) -> None:
    """${VAR} is substituted whole and embedded; $${ escapes; empty values are allowed."""
    text = f"version: 1\nagent:\n  name: Bot\n  folder: '{value}'\n" + (
        "simulations: [{id: 1}]\nthresholds: {score: value >= 80}\n"
    )
    spec = load(tmp_path, text, env=env)
    assert spec.agent.fields["folder"] == expected


def test_environment_in_numbers_and_lists(tmp_path: Path) -> None:
    """A substituted value is typed by its key: max_parallel from ${N} becomes an int."""
    text = HEAD.replace("- id: 4821", "- id: ${SIM}\n    digital_human_ids: ['${DH}']") + (
        "run:\n  max_parallel: ${N}\n  timeout: ${T}\nthresholds: {score: value >= 80}\n"
    )
    spec = load(tmp_path, text, env={"N": "4", "T": "2m", "SIM": "99", "DH": "7"})
    assert spec.run.max_parallel == 4
    assert spec.run.timeout == 120.0
    assert spec.simulations[0].id == "99"
    assert spec.simulations[0].digital_human_ids == ("7",)


def test_environment_defaults_to_os_environ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without env=, variables come from os.environ."""
    monkeypatch.setenv("SPEC_TEST_FOLDER", "From Env")
    path = write(
        tmp_path,
        "version: 1\nagent: {name: Bot, folder: '${SPEC_TEST_FOLDER}'}\n"
        "simulations: [{id: 1}]\nthresholds: {score: value >= 80}\n",
    )
    assert load_spec(path).agent.fields["folder"] == "From Env"


def test_file_contents_are_not_substituted(tmp_path: Path) -> None:
    """A prompt file is sent verbatim: ${...} inside it is template text, not a variable."""
    (tmp_path / "p.md").write_text("Hello ${customer_name}", encoding="utf-8")
    spec = load(
        tmp_path,
        "version: 1\nagent: {name: Bot, system_prompt: {file: p.md}}\n"
        "simulations: [{id: 1}]\nthresholds: {score: value >= 80}\n",
    )
    assert spec.agent.fields["system_prompt"] == "Hello ${customer_name}"


def test_anchors_merge_keys_and_x_keys(tmp_path: Path) -> None:
    """Anchors, aliases and << merge keys work; top-level x- keys are ignored."""
    text = """\
version: 1
x-defaults: &defaults
  runs_per_digital_human: 2
  phone_number: "+1555"
agent: {name: Bot}
simulations:
  - <<: *defaults
    id: 1
  - <<: *defaults
    id: 2
    runs_per_digital_human: 5
thresholds: {score: value >= 80}
"""
    spec = load(tmp_path, text)
    assert spec.simulations[0].queue_options == {
        "runs_per_digital_human": 2,
        "phone_number": "+1555",
    }
    assert spec.simulations[1].queue_options["runs_per_digital_human"] == 5


def test_utf8_bom_and_windows_newlines(tmp_path: Path) -> None:
    """A UTF-8 BOM and CRLF line ends are accepted; lines still count right."""
    text = "\ufeff" + (HEAD + "thresholds:\n  score: value >= 80\n").replace("\n", "\r\n")
    path = tmp_path / "crlf.yml"
    path.write_bytes(text.encode("utf-8"))
    spec = load_spec(path, env={})
    assert spec.thresholds["score"][0].line == 7
