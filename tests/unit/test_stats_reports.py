"""Reports show intervals, inconclusive estimates, repeats and per-digital-human flips."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET

import pytest

from bluejay_gate.report import render_junit
from bluejay_gate.report.console import render_verdict_block
from bluejay_gate.report.jsonreport import render_json
from bluejay_gate.report.summary import render_summary
from bluejay_gate.verdict.evaluate import evaluate
from bluejay_gate.verdict.model import Repeats, Verdict
from tests.helpers.evaluation import GREETING, check, repeated_results, sim
from tests.helpers.shared import validate_junit
from tests.helpers.verdicts import run_info

REPEATS = Repeats(
    repeat=3,
    max_repeats=6,
    looks=1,
    planned_looks=4,
    digital_humans=4,
    conversations=12,
    conversations_max=24,
)


def repeated_verdict() -> Verdict:
    """4 digital humans x 3 repeats; digital human 3 passes once, 1 and 2 flip too."""
    results = repeated_results()
    gated = dataclasses.replace(check(GREETING, "pass_rate >= 60%"), confidence=0.95)
    return evaluate([sim([gated], results, looks=4, repeats=REPEATS)], allow_incomplete=0.0)


def test_verdict_is_inconclusive_with_flips() -> None:
    verdict = repeated_verdict()
    (simulation,) = verdict.simulations
    assert verdict.exit_code == 3
    (result,) = simulation.checks
    assert result.inconclusive
    assert [f.digital_human_id for f in simulation.flips] == ["1", "2", "3"]


@pytest.mark.needs_shared
def test_junit_shows_interval_estimate_and_flips() -> None:
    xml = render_junit(repeated_verdict(), run_info())
    validate_junit(xml)
    root = ET.fromstring(xml)
    (error,) = list(root.iter("error"))
    text = error.text or ""
    assert error.get("message", "").startswith("inconclusive: observed 66.67% (8/12)")
    assert "\ninterval: 32.81% – 89.12% (98.75% confidence)\n" in text
    assert "\ninconclusive: about " in text
    assert "  - digital human 3 flips on Greeting compliance: 1/3 passed" in text
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["repeat"] == "3"
    assert props["max_repeats"] == "6"
    assert props["conversations_saved"] == "12"
    assert props["flips"] == "3"
    out = "".join(o.text or "" for o in root.iter("system-out"))
    assert "repeat 3 per digital human (max_repeats 6): 1 of 4 looks, 12 conversations" in out
    assert "4 digital humans repeated, 3 flip between pass and fail" in out


def test_summary_and_console() -> None:
    verdict = repeated_verdict()
    md = render_summary(verdict, run_info())
    assert "interval 32.81% – 89.12%" in md.replace("\\", "")
    assert "**Repeats:** repeat 3 per digital human" in md
    assert "- digital human 1 flips on Greeting compliance: 2/3 passed" in md
    console = render_verdict_block(verdict, run_info(), color=False)
    assert "inconclusive: about " in console
    assert "interval 32.81% – 89.12% (98.75% confidence)" in console
    assert "12 saved of 24" in console


def test_json_report() -> None:
    data = json.loads(render_json(repeated_verdict(), run_info()))
    (simulation,) = data["simulations"]
    (entry,) = simulation["checks"]
    assert entry["inconclusive"] is True
    assert entry["confidence"] == 0.95
    assert entry["confidence_used"] == 0.9875
    assert entry["more_needed"] > 0
    assert [round(v, 4) for v in entry["interval"]] == [0.3281, 0.8912]
    assert simulation["repeats"]["conversations_saved"] == 12
    assert simulation["repeats"]["repeated_digital_humans"] == 4
    assert simulation["flips"][2] == {
        "digital_human_id": "3",
        "metric": GREETING,
        "passed": 1,
        "total": 3,
    }
