"""Reading an earlier run's JSON report back (``earlier``): what the report writes is
what the baseline reads, which simulation is which, what belongs to this spec and agent,
and that a value the earlier run found malformed stays malformed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from bluejay_gate.earlier.baseline import Baseline, BaselineSkipped, attach, load_baseline
from bluejay_gate.earlier.baseline_document import load_earlier
from bluejay_gate.earlier.baseline_identity import bytes_sha256, fields_sha256
from bluejay_gate.earlier.baseline_samples import conversations_of, match
from bluejay_gate.errors import UsageError
from bluejay_gate.model.values import MetricValue, metric_value
from bluejay_gate.report.jsonreport import render_json
from bluejay_gate.spec.load import load_spec
from bluejay_gate.verdict.inputs import BaselineSimulation
from bluejay_gate.verdict.model import Conversation, Outcome, Verdict
from tests.helpers.baselines import baseline, delta, judge, numbers
from tests.helpers.evaluation import SIM
from tests.helpers.verdicts import make_simulation, run_info

SPEC = """\
version: 1
agent:
  name: Support Bot v2
  external_id: support-bot
  system_prompt: hi
simulations:
  - id: "4821"
    name: Billing regressions
  - name: Smoke test
thresholds:
  Empathy: "delta(mean) >= -0.5"
"""


def write_spec(tmp_path: Path) -> Path:
    path = tmp_path / "bluejay-gate.yml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def conversation(result_id: str, metrics: dict[str, MetricValue]) -> Conversation:
    return Conversation(result_id, "77", "12", "COMPLETED", True, False, metrics)


def write_report(tmp_path: Path, spec: Path, conversations: tuple[Conversation, ...]) -> Path:
    """A report as the gate writes it, for ``spec`` (its digest and agent identity)."""
    loaded = load_spec(spec, {})
    info = dataclasses.replace(
        run_info(),
        spec_path=str(spec),
        spec_sha256=bytes_sha256(spec.read_bytes()),
        agent_name="Support Bot v2",
        agent_external_id="support-bot",
        agent_fields_sha256=fields_sha256(loaded.agent.fields),
    )
    simulation = make_simulation("Billing regressions", (), conversations=conversations)
    path = tmp_path / "main-report.json"
    path.write_text(render_json(Verdict((simulation,)), info), encoding="utf-8")
    return path


def edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_what_the_report_writes_the_baseline_reads(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    written = (
        conversation(
            "9001",
            {
                "Empathy": metric_value("Empathy", "7.5", "quantitative", reasoning="kind"),
                "Greeting": metric_value("Greeting", "pass", "pass_fail"),
                "Resolution": metric_value("Resolution", "N/A", "enum"),
                "latency": metric_value("latency", 812.5, "builtin_number"),
            },
        ),
    )
    path = write_report(tmp_path, spec, written)
    found = load_baseline(path, load_spec(spec, {}))
    assert found.notes == ()
    (billing,) = found.simulations
    assert (billing.label, billing.simulation_id, billing.source) == (
        "Billing regressions",
        SIM,
        str(path),
    )
    (read,) = billing.conversations
    assert read.result_id == "9001"
    assert read.completed is True
    for name, value in written[0].metrics.items():
        again = read.metrics[name]
        assert (again.value, again.applicable, again.error) == (
            value.value,
            value.applicable,
            value.error,
        ), name
    assert read.metrics["Empathy"].exact == written[0].metrics["Empathy"].exact
    assert found.describe() == f"baseline {path} (finished 2026-04-01T12:03:12Z, outcome pass)"


def test_a_value_malformed_in_the_earlier_run_stays_malformed(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    bad = MetricValue("Empathy", "-100", None, "quantitative", error="outside 0..10")
    path = write_report(
        tmp_path, spec, (conversation("1", {"Empathy": bad}), *numbers("Empathy", [7], start=2))
    )
    found = load_baseline(path, load_spec(spec, {}))
    (billing,) = found.simulations
    assert billing.conversations[0].metrics["Empathy"].error == (
        "'-100' was malformed in the baseline report"
    )
    result = judge(delta("Empathy", "delta(mean) >= -0.5"), numbers("Empathy", [7, 8]), billing)
    assert result.outcome is Outcome.NO_VERDICT
    assert "'-100' was malformed in the baseline report" in result.message


def test_changes_to_the_spec_file_and_agent_fields_are_notes_not_refusals(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    path = write_report(tmp_path, spec, numbers("Empathy", [7, 8]))
    spec.write_text(SPEC.replace("system_prompt: hi", "system_prompt: hello"), encoding="utf-8")
    found = load_baseline(path, load_spec(spec, {}))
    assert found.notes == ("the spec file changed since", "the agent's fields changed since")
    assert found.describe().endswith(
        "outcome pass; the spec file changed since; the agent's fields changed since)"
    )


def test_another_agent_by_name_is_refused(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    path = write_report(tmp_path, spec, numbers("Empathy", [7, 8]))
    spec.write_text(
        SPEC.replace("  external_id: support-bot\n", "").replace("Support Bot v2", "Sales Bot"),
        encoding="utf-8",
    )
    with pytest.raises(UsageError) as info:
        load_baseline(path, load_spec(spec, {}))
    assert str(info.value) == (
        f"{path}: written for the agent 'Support Bot v2', not 'Sales Bot': pass the report of "
        "a run of this agent"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema_version="2"), "schema_version '2' is not a number, expected 2"),
        (lambda d: d.update(simulations={}), "`simulations` is not a list"),
        (lambda d: d["simulations"][0].pop("label"), "simulations[0] lacks `label`"),
        (
            lambda d: d["simulations"][0].update(conversations=[1]),
            "simulations[0].conversations is not a list of objects",
        ),
        (
            lambda d: d["simulations"][0]["conversations"].append(
                d["simulations"][0]["conversations"][0]
            ),
            "simulation 'Billing regressions': conversation 1 is listed twice",
        ),
        (
            lambda d: d["simulations"][0]["conversations"][0]["metrics"]["Empathy"].update(
                applicable="yes"
            ),
            "metric 'Empathy' has applicable 'yes', not true or false",
        ),
    ],
)
def test_a_report_the_gate_cannot_have_written_is_refused(
    tmp_path: Path, change: Any, message: str
) -> None:
    spec = write_spec(tmp_path)
    path = write_report(tmp_path, spec, numbers("Empathy", [7, 8]))
    edit(path, change)
    with pytest.raises(UsageError) as info:
        load_baseline(path, load_spec(spec, {}))
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_folder_is_no_report(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a folder: pass the JSON report file"):
        load_earlier(tmp_path)


def test_matching_by_id_then_name() -> None:
    items = [("1", "Smoke"), ("2", "Billing"), ("3", "Billing"), ("4", "Twin"), ("4", "Twin b")]

    def find(wanted_id: str, name: str) -> tuple[str, str] | None:
        return match(items, lambda i: i[0], lambda i: i[1], wanted_id, name)

    assert find("2", "Renamed") == ("2", "Billing")  # the id wins over the name
    assert find("9", "Smoke") == ("1", "Smoke")  # a new id (re-created): by name
    assert find("9", "Billing") is None  # two by that name: neither is told
    assert find("4", "Twin b") == ("4", "Twin b")  # two with the id: the name decides
    assert find("9", "Nothing") is None


def test_attach_hands_each_simulation_its_baseline_or_the_reason() -> None:
    from tests.helpers.evaluation import sim

    inputs = [sim([], []), dataclasses.replace(sim([], []), label="Smoke", simulation_id="9")]
    base = Baseline("main.json", (baseline(numbers("Empathy", [7])),))
    billing, smoke = attach(inputs, base)
    assert isinstance(billing.baseline, BaselineSimulation)
    assert smoke.baseline == (
        "the baseline main.json has no simulation 'Smoke' (9); it has 'Billing regressions' (4821)"
    )
    skipped = attach(inputs, BaselineSkipped("no earlier run of this workflow on main"))
    assert [s.baseline for s in skipped] == [
        "no baseline: no earlier run of this workflow on main"
    ] * 2
    assert attach(inputs, None) == inputs


def test_conversations_of_needs_a_result_id() -> None:
    from bluejay_gate.earlier.baseline_document import EarlierSimulation

    earlier = EarlierSimulation("Billing", "1", None, ({"completed": True},))
    with pytest.raises(
        UsageError, match=r"^x.json: simulation 'Billing': a conversation has no result_id$"
    ):
        conversations_of("x.json", earlier)


def test_describe_baseline_says_what_was_compared_with() -> None:
    from bluejay_gate.earlier.baseline import describe_baseline

    assert describe_baseline(None) is None
    assert describe_baseline(BaselineSkipped("no artifact")) == "no baseline: no artifact"
    assert describe_baseline(Baseline("main.json", ())) == "baseline main.json"
    noted = Baseline("main.json", (), outcome="fail", notes=("the spec file changed since",))
    assert describe_baseline(noted) == (
        "baseline main.json (outcome fail; the spec file changed since)"
    )


def test_the_declared_domain_travels_with_the_report(tmp_path: Path) -> None:
    """A share of a value no baseline conversation had is 0%, not an unknown value: the
    declared options come back with the report (and so do min_value / max_value)."""
    spec = write_spec(tmp_path)
    options = ("resolved", "escalated")

    def resolution(value: str) -> MetricValue:
        return metric_value("Resolution", value, "enum", options=options)

    written = tuple(
        conversation(
            str(i),
            {
                "Resolution": resolution("resolved"),
                "Empathy": metric_value("Empathy", "7", "quantitative", min_value=0, max_value=10),
            },
        )
        for i in range(1, 5)
    )
    path = write_report(tmp_path, spec, written)
    (billing,) = load_baseline(path, load_spec(spec, {})).simulations
    read = billing.conversations[0].metrics
    assert read["Resolution"].options == options
    assert (read["Empathy"].min_value, read["Empathy"].max_value) == (0.0, 10.0)
    now = tuple(
        conversation(str(i), {"Resolution": resolution("escalated" if i == 1 else "resolved")})
        for i in range(1, 11)
    )
    result = judge(delta("Resolution", "delta(share(escalated)) <= 5%"), now, billing)
    assert result.outcome is Outcome.FAIL
    assert result.message.startswith(
        "change +10% (this run 10.0% (1/10) over 10 conversations, baseline 0.0% (0/4)"
    )
