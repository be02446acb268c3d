"""The baseline in every report: each check's baseline value and change (console, summary,
JSON, JUnit text), skipped delta checks with their reason, and nothing new without one."""

from __future__ import annotations

import dataclasses
import json

import pytest

from bluejay_gate.report.console import render_verdict_block
from bluejay_gate.report.jsonreport import render_json
from bluejay_gate.report.junit import render_junit
from bluejay_gate.report.summary import render_summary
from bluejay_gate.verdict.model import BaselineFigures, CheckResult, Outcome, Verdict
from tests.helpers.shared import junit_schema
from tests.helpers.verdicts import make_check, make_result, make_simulation, run_info

MEAN = make_check("Empathy", "mean >= 7", line=14)
RATE = make_check("Greeting compliance", "pass_rate >= 90%", line=12)
DELTA = make_check("Greeting compliance", "delta(pass_rate) >= -5%", line=13)
SKIP_REASON = "no baseline was given: run with --baseline REPORT.json (an earlier run's report)"


def compared() -> Verdict:
    mean = dataclasses.replace(
        make_result(MEAN, Outcome.PASS, 7.4, samples=20),
        baseline=BaselineFigures(7.1, 0.3, 18),
    )
    rate = dataclasses.replace(
        make_result(RATE, Outcome.FAIL, 0.85, samples=20),
        baseline=BaselineFigures(0.9, -0.05, 20),
    )
    change = dataclasses.replace(
        make_result(DELTA, Outcome.FAIL, -0.1, samples=20, message="change -10% ..."),
        baseline=BaselineFigures(0.95, -0.1, 20),
    )
    return Verdict((make_simulation("Billing regressions", (mean, rate, change)),))


def skipped() -> Verdict:
    mean = make_result(MEAN, Outcome.PASS, 7.4, samples=20)
    skip = CheckResult(DELTA, Outcome.SKIPPED, None, 0, message=SKIP_REASON)
    return Verdict((make_simulation("Billing regressions", (mean, skip)),))


INFO = run_info(baseline="baseline main.json (finished 2026-04-01T11:00:00Z, outcome pass)")


def test_json_carries_each_checks_baseline() -> None:
    data = json.loads(render_json(compared(), INFO))
    assert data["baseline"] == "baseline main.json (finished 2026-04-01T11:00:00Z, outcome pass)"
    mean, rate, change = data["simulations"][0]["checks"]
    assert mean["baseline"] == {"value": 7.1, "delta": 0.3, "samples": 18}
    assert rate["baseline"] == {"value": 0.9, "delta": -0.05, "samples": 20}
    assert change["baseline"] == {"value": 0.95, "delta": -0.1, "samples": 20}
    assert (mean["delta"], change["delta"]) == (False, True)
    plain = json.loads(render_json(skipped(), run_info()))
    assert plain["baseline"] is None
    first, skip = plain["simulations"][0]["checks"]
    assert first["baseline"] is None
    assert (skip["outcome"], skip["message"], skip["observed"]) == ("skipped", SKIP_REASON, None)
    assert plain["exit_code"] == 0


def test_console_shows_every_change_and_the_skip_reason() -> None:
    text = render_verdict_block(compared(), INFO, color=False)
    assert "    Δ Empathy: mean >= 7 — 7.4 (baseline 7.1, change +0.3, baseline n=18)\n" in text
    assert (
        "    Δ Greeting compliance: pass_rate >= 90% — 85% (baseline 90%, change -5%, "
        "baseline n=20)\n"
    ) in text
    assert "    Δ Greeting compliance: delta(pass_rate) >= -5% — 85% (baseline 95%" in text
    plain = render_verdict_block(skipped(), run_info(), color=False)
    assert "Δ" not in plain
    assert f"    - Greeting compliance: delta(pass_rate) >= -5%  skipped: {SKIP_REASON}\n" in plain
    assert "✔ Billing regressions  1/2 checks passed, 1 skipped\n" in plain
    assert plain.rstrip().endswith("PASSED (exit 0): every error-severity check passed")


def test_summary_table_gains_baseline_columns_only_with_a_baseline() -> None:
    text = render_summary(compared(), INFO)
    assert "| | Check | Observed | Expected | Samples | Baseline | Change |" in text
    assert "| 7.1 | +0.3 |" in text
    assert "| 90% | -5% |" in text
    assert "**Compared with:** baseline main.json" in text
    plain = render_summary(skipped(), run_info())
    assert "| | Check | Observed | Expected | Samples |\n" in plain
    assert "Baseline" not in plain
    assert "1 skipped" in plain
    assert f"skipped: {SKIP_REASON}" in plain


@pytest.mark.needs_shared
def test_junit_marks_skipped_checks_and_stays_valid() -> None:
    xml = render_junit(skipped(), run_info())
    junit_schema().validate(xml)
    assert xml.count('<skipped message="no baseline was given: run with --baseline') == 1
    assert 'skipped="1"' in xml
    assert "<failure" not in xml
    assert "<error" not in xml
