"""False passes from reading scores, end to end: the real CLI against the emulator behind
a proxy that rewrites the ``retrieve-simulation-results`` / ``retrieve-simulation-result``
answers. One scenario per way a score could be misread:

1. only the newest evaluation counts (RFC 3339 in any case; never an older copy);
2. the same metric twice with different values is no verdict;
3. names match exactly ('Empathy ' is not 'Empathy'), with a visible "did you mean";
4. values outside their declared domain, and share() of a value that does not exist;
5. % on a metric declared on a 0..10 scale;
6. exact comparison at the threshold (a score of 58 is 58);
7. values near 1e308 never crash, and the reports are still written.

Each asserts the exit code and the message in the output and the JUnit file.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.emulator import Emulator
from tests.helpers.hostile import Endpoint, HostileServer, World, run_gate
from tests.helpers.specs import QUICKSTART, prepare

KEY = "false-pass-canary-key-52e0"
RESULTS = Endpoint("GET", "/v1/retrieve-simulation-result", "")  # both: bulk and one by one

# Rewrites one result (a dict as Bluejay sends it) in place.
Rewrite = Callable[[dict[str, Any]], None]


@dataclass
class Gate:
    world: World
    capsys: pytest.CaptureFixture[str]

    def run(
        self,
        thresholds: dict[str, Any],
        rewrite: Rewrite | None = None,
        run_body: Callable[[dict[str, Any]], None] | None = None,
        repeat: int | None = None,
    ) -> tuple[int, str, str]:
        """The gate on simulation 4821 alone with these thresholds; ``rewrite`` changes
        every result the proxy passes, ``run_body`` the run. Returns the exit code, the
        console output followed by the JUnit text (where the full messages are), and the
        JUnit text alone (XML entities decoded)."""
        data = yaml.safe_load(self.world.spec.read_text())
        data["simulations"] = [{"id": 4821, "name": "Billing regressions"}]
        if repeat is not None:
            data["simulations"][0]["repeat"] = repeat
        data["thresholds"] = thresholds
        self.world.spec.write_text(yaml.safe_dump(data, sort_keys=False))
        self.world.server.target = RESULTS
        self.world.server.mutation = _mutation(rewrite, run_body)
        # The definitions cannot be read, so the checks before queueing only warn and
        # what is tested here is how the results are read (the checks before paying
        # have their own tests in test_preflight.py).
        self.world.server.refused = ("/v1/custom-metrics",)
        code, output = run_gate(self.world, self.capsys)
        assert "Traceback" not in output
        assert KEY not in output
        junit = self.world.out / "junit.xml"
        assert junit.exists(), output
        report = json.loads((self.world.out / "r.json").read_text())
        assert report["simulations"], output
        text = html.unescape(junit.read_text())
        # a passing check's message is in the JSON report (the JUnit has it for the others)
        messages = "\n".join(c["message"] for s in report["simulations"] for c in s["checks"])
        return code, f"{output}\n{text}\n{messages}", text


def _mutation(
    rewrite: Rewrite | None, run_body: Callable[[dict[str, Any]], None] | None
) -> Callable[[bytes], tuple[str, bytes]]:
    def mutate(data: bytes) -> tuple[str, bytes]:
        body = json.loads(data)
        results = body.get("simulation_results") or []
        if isinstance(body.get("simulation_result"), dict):
            results = [body["simulation_result"]]
        for result in results:
            if rewrite is not None and result.get("status") == "COMPLETED":
                rewrite(result)
        if run_body is not None and isinstance(body.get("simulation_run"), dict):
            run_body(body["simulation_run"])
        return "application/json", json.dumps(body).encode()

    return mutate


@pytest.fixture
def gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Gate]:
    monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
    monkeypatch.setenv("BLUEJAY_RETRY_MAX_DELAY", "0.01")
    monkeypatch.setenv("NO_COLOR", "1")
    spec = prepare(tmp_path / "spec")
    data = yaml.safe_load(spec.read_text())
    data["run"]["timeout"] = "20s"
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    scenario = yaml.safe_load((QUICKSTART / "emulator.yml").read_text())
    scenario["simulations"] = scenario["simulations"][:1]
    emu = Emulator(scenario, api_key=KEY, speed=20.0).start()
    server = HostileServer(emu.base_url)
    yield Gate(World(emu, server, spec, tmp_path), capsys)
    server.close()
    emu.stop()


def newest(result: dict[str, Any]) -> dict[str, Any]:
    evaluation: dict[str, Any] = result["evaluations"][-1]
    return evaluation


def metric(result: dict[str, Any], name: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(m for m in newest(result)["custom_metrics"] if m["name"] == name)
    return entry


def first_result(result: dict[str, Any]) -> bool:
    """One chosen conversation: the emulator numbers the five results consecutively."""
    return int(result["id"]) % 5 == 0


# --- 1. the newest evaluation only --------------------------------------------------------


def test_newest_evaluation_in_lower_case_time_decides(gate: Gate) -> None:
    """A re-evaluation whose created_at is written in lower case ('...t...z') and scores
    Empathy 2: it is the newest, so the gate fails. (Before: the lower-case time was
    unreadable, the older evaluation with 9 counted, and the gate passed.)"""

    def rewrite(result: dict[str, Any]) -> None:
        old = newest(result)
        metric(result, "Empathy")["response_value"] = "9"
        again = json.loads(json.dumps(old))
        again["created_at"] = "2099-01-02t03:04:05.5z"
        for entry in again["custom_metrics"]:
            if entry["name"] == "Empathy":
                entry["response_value"] = "2"
        result["evaluations"] = [again, old]  # the newest first: position must not matter

    code, output, junit = gate.run({"Empathy": "mean >= 7"}, rewrite)
    assert code == 1, output
    assert "observed 2 over 5 conversations, needs >= 7" in output
    assert "observed 2 over 5 conversations" in junit


def test_newest_evaluation_without_metrics_is_not_read_from_an_older_one(gate: Gate) -> None:
    """The newest evaluation of one conversation carries no custom metrics (an older one
    does, and so does the legacy top-level copy): it is unscored, so with
    allow_incomplete 0% there is no verdict. (Before: the older evaluation's passing
    values were judged and the gate passed.)"""

    def rewrite(result: dict[str, Any]) -> None:
        if not first_result(result):
            return
        old = newest(result)
        result["custom_metrics"] = old["custom_metrics"]
        again = {**old, "created_at": "2099-01-01T00:00:00+02:00", "custom_metrics": None}
        result["evaluations"] = [old, again]

    code, output, junit = gate.run({"Empathy": "mean >= 7"}, rewrite)
    assert code == 3, output
    assert "1 of 5 conversations did not complete" in output
    assert "1 COMPLETED without metrics" in output
    assert "COMPLETED without metrics" in junit


def test_evaluations_that_cannot_be_ordered_are_no_verdict(gate: Gate) -> None:
    """One dated and one undated evaluation: the newest cannot be told; no verdict naming
    the result, never whichever the list puts last."""

    def rewrite(result: dict[str, Any]) -> None:
        if first_result(result):
            old = newest(result)
            result["evaluations"] = [old, {**old, "created_at": None}]

    code, output, junit = gate.run({"Empathy": "mean >= 7"}, rewrite)
    assert code == 3, output
    assert "1 unreadable value of 'Empathy' (result " in output
    assert "1 of its 2 evaluations have no readable created_at" in output
    assert "the newest evaluation cannot be told" in junit


# --- 2. conflicts -------------------------------------------------------------------------


def test_metric_given_twice_with_different_values_is_no_verdict(gate: Gate) -> None:
    """'Empathy' twice in one evaluation, 9 and 1: whichever comes first, no verdict naming
    the result, the metric and both values. (Before: the later one silently won.)"""

    def rewrite(result: dict[str, Any]) -> None:
        entries = newest(result)["custom_metrics"]
        metric(result, "Empathy")["response_value"] = "9"
        if first_result(result):
            entries.insert(0, {**metric(result, "Empathy"), "response_value": "1"})

    code, output, junit = gate.run({"Empathy": "mean >= 7"}, rewrite)
    assert code == 3, output
    line = next(x for x in output.splitlines() if "given twice" in x)
    assert re.search(r"result \d+: 'Empathy' is given twice in one evaluation", line), line
    assert "('1' and '9')" in line
    assert "is given twice in one evaluation with different values" in junit


# --- 3. exact names -----------------------------------------------------------------------


def test_name_with_a_trailing_space_is_not_the_threshold_metric(gate: Gate) -> None:
    """Bluejay sends 'Empathy ' (a trailing space): it is not 'Empathy'; no verdict with the
    exact name quoted. (Before: the name was stripped and judged as 'Empathy'.)"""

    def rewrite(result: dict[str, Any]) -> None:
        metric(result, "Empathy")["name"] = "Empathy "

    code, output, junit = gate.run({"Empathy": "mean >= 7"}, rewrite)
    assert code == 3, output
    assert "metric 'Empathy' is in none of the 5 conversations" in output
    assert "did you mean 'Empathy '?" in output
    assert "did you mean 'Empathy '?" in junit


# --- 4. declared domains ------------------------------------------------------------------


def test_value_outside_the_declared_range_is_no_verdict(gate: Gate) -> None:
    """Empathy 95 on its declared 0..10 scale (a 0-100 score sent by mistake): it would
    lift the mean over the threshold; no verdict naming value and range."""

    def rewrite(result: dict[str, Any]) -> None:
        metric(result, "Empathy")["response_value"] = "95" if first_result(result) else "5"

    code, output, junit = gate.run({"Empathy": "mean >= 7"}, rewrite)
    assert code == 3, output
    assert "'95' is outside the declared range 0..10 (min_value..max_value)" in output
    assert "outside the declared range 0..10" in junit


def test_enum_value_outside_its_options_and_unknown_share_are_no_verdict(gate: Gate) -> None:
    """An enum value not among enum_options is malformed; share() of a value that is no
    option and that no conversation has (a typo) is no verdict with a suggestion, never
    0% and a pass."""
    code, output, _ = gate.run({"Resolution": "share(resolvd) <= 10%"})
    assert code == 3, output
    assert "share(resolvd): 'resolvd' is not one of the declared options of 'Resolution'" in output
    assert "did you mean 'resolved', 'unresolved'?" in output

    def rewrite(result: dict[str, Any]) -> None:
        if first_result(result):
            metric(result, "Resolution")["response_value"] = "solved-ish"

    code, output, junit = gate.run({"Resolution": "share(escalated) <= 90%"}, rewrite)
    assert code == 3, output
    assert "'solved-ish' is not one of the declared enum_options" in output
    assert "'resolved', 'escalated', 'unresolved'" in junit


def test_na_is_not_applicable_on_a_number(gate: Gate) -> None:
    """'NA' on a quantitative metric is not applicable (it leaves the denominator)."""

    def rewrite(result: dict[str, Any]) -> None:
        metric(result, "Empathy")["response_value"] = "na" if first_result(result) else "8"

    code, output, _ = gate.run({"Empathy": "mean >= 7"}, rewrite)
    assert code == 0, output
    assert "observed 8 over 4 conversations (1 not applicable), needs >= 7" in output


# --- 5. % on a declared scale -------------------------------------------------------------


def test_percent_on_a_declared_ten_point_scale_is_no_verdict(gate: Gate) -> None:
    """Every Empathy score 1 of 10 (the bottom of the scale) and 'mean >= 70%': the
    values never go past 1, so the old observed-values rule read 70% as 0.7 and passed.
    The declared max_value 10 decides: no verdict, suggesting 'mean >= 7'."""

    def rewrite(result: dict[str, Any]) -> None:
        metric(result, "Empathy")["response_value"] = "1"

    code, output, junit = gate.run({"Empathy": "mean >= 70%"}, rewrite)
    assert code == 3, output
    assert "'Empathy' is declared on a scale up to 10 (max_value)" in output
    assert "e.g. 'mean >= 7'" in output
    assert "e.g. 'mean >= 7'" in junit


# --- 6. exact at the boundary -------------------------------------------------------------


def test_score_of_exactly_58_passes_value_58(gate: Gate) -> None:
    """29 of 50 tests passed is a score of 58: 'score: value >= 58' passes and
    'value > 58' fails. (Before: 57.99999999999999, a false fail.) Ten conversations per
    digital human make the run's 50."""

    def counters(run: dict[str, Any]) -> None:
        run["total_tests"], run["tests_passed"], run["tests_failed"] = 50, 29, 21

    code, output, junit = gate.run({"score": "value >= 58"}, run_body=counters, repeat=10)
    assert code == 0, output
    assert "observed 58 (29/50 tests passed), needs >= 58" in output
    code, output, junit = gate.run({"score": "value > 58"}, run_body=counters, repeat=10)
    assert code == 1, output
    assert "observed 58 (29/50 tests passed), needs > 58" in junit


def test_mean_of_exactly_the_threshold_passes(gate: Gate) -> None:
    """Empathy 0.01 four times and 0.25 average exactly 0.058 ('mean >= 0.058' passes);
    in floats the mean is 0.057999999999999996. (Before: a false fail.)"""
    values = iter(("0.01", "0.01", "0.01", "0.01", "0.25") * 10)
    seen: dict[str, str] = {}

    def rewrite(result: dict[str, Any]) -> None:
        value = seen.setdefault(str(result["id"]), next(values))
        metric(result, "Empathy")["response_value"] = value

    code, output, _ = gate.run({"Empathy": "mean >= 0.058"}, rewrite)
    assert code == 0, output
    assert "observed 0.058 over 5 conversations, needs >= 0.058" in output


# --- 7. huge finite values ----------------------------------------------------------------


def test_huge_latencies_fail_cleanly_and_reports_are_written(gate: Gate) -> None:
    """Every latency 1e308: the latency check fails (exit 1) with readable numbers and
    both reports are written; the mean of +-1e308 with confidence is no verdict."""

    def rewrite(result: dict[str, Any]) -> None:
        evaluation = newest(result)
        sign = -1 if first_result(result) or int(result["id"]) % 5 == 2 else 1
        evaluation["latency"] = dict.fromkeys(evaluation["latency"], 1e308)
        evaluation["avg_agent_latency"] = sign * 1e308

    thresholds: dict[str, Any] = {
        "latency.p95_agent_latency": ["max <= 1500", "mean <= 1500", "median <= 1500"],
    }
    code, output, junit = gate.run(thresholds, rewrite)
    assert code == 1, output
    assert "observed 1e+308 over 5 conversations, needs <= 1500" in output
    assert "<failure" in junit
    thresholds = {"avg_agent_latency": {"check": "mean <= 1500", "confidence": 0.95}}
    code, output, junit = gate.run(thresholds, rewrite)
    assert code == 3, output
    assert "beyond what floating point can hold" in output or "too large to compute" in output
    report = json.loads((gate.world.out / "r.json").read_text())
    (check,) = report["simulations"][0]["checks"]
    assert check["outcome"] == "no_verdict"


def test_huge_custom_metric_value_is_out_of_range(gate: Gate) -> None:
    """Empathy 1e308 on its 0..10 scale: no verdict, not an overflow."""

    def rewrite(result: dict[str, Any]) -> None:
        metric(result, "Empathy")["response_value"] = "1e308"

    code, output, _ = gate.run({"Empathy": ["mean >= 7", "p90 <= 10"]}, rewrite)
    assert code == 3, output
    assert "'1e308' is outside the declared range 0..10" in output
