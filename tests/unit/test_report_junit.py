"""JUnit XML: structure, agreement with the exit code, XSD validity, hostile text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import junitparser
import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluejay_gate.model.values import MetricValue
from bluejay_gate.report import render_junit
from bluejay_gate.report.formatting import one_line
from bluejay_gate.report.junit import iter_junit
from bluejay_gate.report.xmltext import clean
from bluejay_gate.spec.thresholds import Severity
from bluejay_gate.verdict.model import CheckResult, Outcome, SimulationVerdict, Verdict
from tests.helpers.shared import junit_schemas
from tests.helpers.verdicts import (
    EMPATHY,
    SCENARIOS,
    conversations,
    failing_verdict,
    gate_error_only_verdict,
    make_check,
    make_conversation,
    make_result,
    make_simulation,
    mixed_verdict,
    no_verdict_check_verdict,
    run_info,
    simulation_error_verdict,
    warn_verdict,
    zero_simulations_verdict,
)


class _Both:
    """Validates against both schemas (Jenkins xUnit and the strict Ant one)."""

    def __init__(self, schemas: tuple[xmlschema.XMLSchema, ...]) -> None:
        self.schemas = schemas

    def validate(self, text: str) -> None:
        for one in self.schemas:
            one.validate(text)


@pytest.fixture(scope="module")
def schema() -> _Both:
    return _Both(junit_schemas())


def parse(verdict: Verdict) -> ET.Element:
    return ET.fromstring(render_junit(verdict, run_info()).encode("utf-8"))


def problems(root: ET.Element) -> list[ET.Element]:
    return [*root.iter("failure"), *root.iter("error")]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_failure_or_error_exactly_when_exit_code_is_not_zero(name: str, schema: _Both) -> None:
    """The file holds a <failure> or <error> iff the verdict's exit code is not 0, and is valid."""
    build, code = SCENARIOS[name]
    text = render_junit(build(), run_info())
    root = ET.fromstring(text.encode("utf-8"))
    assert bool(problems(root)) == (code != 0)
    schema.validate(text)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_count_attributes_match_the_elements(name: str) -> None:
    """tests/failures/errors/skipped on every suite count the real elements; <testsuites>
    carries no attributes (the strict Ant schema allows none)."""
    root = parse(SCENARIOS[name][0]())
    assert root.tag == "testsuites"
    assert root.attrib == {}
    suites = root.findall("testsuite")
    for ident, suite in enumerate(suites):
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == sum(len(c.findall("failure")) for c in cases)
        assert int(suite.get("errors", "-1")) == sum(len(c.findall("error")) for c in cases)
        assert int(suite.get("skipped", "-1")) == sum(len(c.findall("skipped")) for c in cases)
        assert suite.get("id") == str(ident)
        assert suite.get("package") == "bluejay-gate"
        assert suite.get("hostname") == "api.getbluejay.ai"
        assert suite.get("timestamp") == "2026-04-01T12:00:00"


def test_one_suite_per_simulation_one_case_per_check() -> None:
    """Suite name is the simulation label; case name is the check label, classname prefixed."""
    root = parse(failing_verdict())
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "Billing regressions"
    assert [c.get("name") for c in suite.findall("testcase")] == [
        "Empathy: mean >= 7",
        "Greeting compliance: pass_rate >= 90%",
    ]
    assert {c.get("classname") for c in suite.findall("testcase")} == {
        "bluejay-gate.Billing regressions"
    }
    assert suite.get("time") == "185.250"  # the simulation's wall time
    assert {c.get("time") for c in suite.findall("testcase")} == {"185.250"}
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["simulation_id"] == "4821"
    assert props["run_ids"] == "77"
    assert props["dashboard_url"] == "https://app.getbluejay.ai/simulations/4821/runs/77"


def test_failure_text_repeats_message_and_gives_the_detail() -> None:
    """A failed check: type threshold; text = message, then observed, threshold, n, N/A, worst."""
    root = parse(failing_verdict())
    (failure,) = root.iter("failure")
    assert failure.get("type") == "threshold"
    message = failure.get("message")
    assert message == "observed 6 over 3 conversations (1 not applicable), needs >= 7"
    text = failure.text or ""
    assert text.startswith(message + "\n")
    assert "check: Empathy: mean >= 7 (bluejay-gate.yml line 14, severity error)" in text
    assert "observed: 6\n" in text
    assert "threshold: >= 7\n" in text
    assert "samples: 3 applicable, 1 not applicable" in text
    assert (
        "worst conversations:\n"
        "  1. Alex Rivera (digital human 12): value 4 (result 9000)\n"
        "     judge: Reasoning for result 9000.\n"
        "     transcript: https://cdn.example.test/transcripts/9000.txt\n"
        "     dashboard: https://app.getbluejay.ai/simulations/4821/runs/77?result=9000\n"
        "  2. Priya Nair (digital human 13): value 6 (result 9001)\n"
    ) in text
    assert text.rstrip().endswith(
        "run dashboard: https://app.getbluejay.ai/simulations/4821/runs/77"
    )


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_message_attribute_is_the_start_of_the_element_text(name: str) -> None:
    """GitLab shows only the text: every <failure>/<error> text starts with its message."""
    for element in problems(parse(SCENARIOS[name][0]())):
        message = element.get("message")
        assert message
        assert (element.text or "").startswith(message)


def test_no_verdict_check_is_an_error_of_type_no_verdict() -> None:
    """An error-severity check without a verdict becomes <error type="no-verdict">."""
    root = parse(no_verdict_check_verdict())
    assert list(root.iter("failure")) == []
    (error,) = root.iter("error")
    assert error.get("type") == "no-verdict"
    assert error.get("message") == (
        "no applicable samples for 'Greeting compliance' (3 not applicable)"
    )
    assert "observed: —" in (error.text or "")
    assert "samples: 0 applicable, 3 not applicable" in (error.text or "")


def test_warning_is_a_skipped_case_with_the_warning_as_message() -> None:
    """A warn check that did not pass: no failure/error, a <skipped> whose message and text
    start with 'WARNING: ...' (viewers show it as neither passed nor failed)."""
    root = parse(warn_verdict())
    assert problems(root) == []
    case = next(c for c in root.iter("testcase") if c.get("name", "").startswith("Resolution"))
    skipped = case.find("skipped")
    assert skipped is not None
    message = skipped.get("message") or ""
    assert message.startswith("WARNING: observed 50% over 10 conversations, needs >= 75%")
    out = skipped.text or ""
    assert out.startswith(message + "\n")
    assert "severity warn" in out
    assert "digital human 14: value" in out  # no name known for 14: its id
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("skipped") == "1"


def test_simulation_error_gets_a_verdict_case() -> None:
    """A simulation with its own errors gets '<label>: verdict' with an <error>."""
    root = parse(simulation_error_verdict())
    suite = next(s for s in root.findall("testsuite") if s.get("name") == "Smoke test")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "Smoke test: verdict"
    error = case.find("error")
    assert error is not None
    assert error.get("message") == (
        "run 78 ended INSUFFICIENT_FUNDS: add credits to the organisation and re-run"
    )
    assert "runs: 78 (status INSUFFICIENT_FUNDS)" in (error.text or "")


def test_undecided_simulation_without_errors_still_gets_an_error() -> None:
    """A NO_VERDICT simulation whose checks do not explain it still produces an <error>."""
    sim = make_simulation("Silent", (), outcome=Outcome.NO_VERDICT, conversations=conversations(1))
    verdict = Verdict((sim,))
    assert verdict.exit_code == 3
    root = parse(verdict)
    (error,) = root.iter("error")
    assert "no verdict for simulation Silent" in (error.get("message") or "")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (gate_error_only_verdict, "POST /v1/queue-simulation-run: 401 key rejected"),
        (zero_simulations_verdict, "no simulations were evaluated, so there is nothing to decide"),
    ],
)
def test_gate_errors_get_a_bluejay_gate_suite(build: Callable[[], Verdict], message: str) -> None:
    """Gate-level errors, or no simulations at all (exit 3), give suite 'bluejay-gate' an error."""
    root = parse(build())
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "bluejay-gate"
    assert suite.get("errors") == "1"
    (error,) = suite.iter("error")
    assert error.get("message") == message
    assert "exit code 3: the gate could not reach a verdict" in (error.text or "")


def test_gate_error_suite_comes_first_next_to_simulations() -> None:
    """With simulations and a gate error (timeout), the gate suite is first and holds the error."""
    build, _ = SCENARIOS["gate_error"]
    root = parse(build())
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names == ["bluejay-gate", "Billing regressions"]
    (error,) = root.iter("error")
    assert error.get("message") == "timed out after 30m with 2 conversations still running"


def test_mixed_fail_and_no_verdict_carries_both() -> None:
    """Fail beats no verdict for the exit code, but the file shows both problems."""
    root = parse(mixed_verdict())
    assert len(list(root.iter("failure"))) == 1
    assert len(list(root.iter("error"))) == 1


def test_suite_system_out_is_short_and_conversations_are_in_the_failure() -> None:
    """The suite's <system-out> (shown above the cases) is the simulation's few facts; a
    conversation's detail is in the failing check's own text, not in the suite's."""
    root = parse(failing_verdict())
    suite = root.find("testsuite")
    assert suite is not None
    out = suite.findtext("system-out") or ""
    assert out.splitlines() == [
        "simulation: Billing regressions (id 4821)",
        "runs: 77 (status COMPLETED)",
        "3 conversations: 3 completed, 0 not completed",
        "run score: 80",
        "run dashboard: https://app.getbluejay.ai/simulations/4821/runs/77",
        "every conversation's metrics and reasoning: the JSON report (--report)",
    ]
    assert "9002" not in render_junit(failing_verdict(), run_info())  # not among the worst
    assert suite.findtext("system-err") == ""


def test_reasoning_is_cut_on_a_word_and_not_completed_are_listed() -> None:
    """The judge's reasoning is cut to 300 characters at a word, with an ellipsis; an
    undecided simulation lists the conversations that did not count."""
    long_reason = "word " * 400
    conv = make_conversation(
        "1",
        metrics={
            "Empathy": MetricValue("Empathy", "3", 3.0, "quantitative", reasoning=long_reason)
        },
    )
    silent = make_conversation("2", digital_human_id="13", never_spoke=True)
    result = make_result(EMPATHY, Outcome.FAIL, 3.0, worst=("1",))
    sim = make_simulation(
        "S", (result,), conversations=(conv, silent), errors=("1 of 2 not completed",)
    )
    root = parse(Verdict((sim,)))
    (failure,) = root.iter("failure")
    judge = next(line for line in (failure.text or "").splitlines() if "judge:" in line)
    reasoning = judge.split("judge: ", 1)[1]
    assert reasoning.endswith("word…")
    assert len(reasoning) <= 300
    (error,) = root.iter("error")
    assert (
        "not completed (1):\n  - result 2, Priya Nair (digital human 13): COMPLETED, agent "
        "never spoke — https://cdn.example.test/transcripts/2.txt"
    ) in (error.text or "")


def test_no_disabled_attribute_and_no_file_or_line_on_cases() -> None:
    """The attributes the Jenkins XSD rejects never appear."""
    text = render_junit(mixed_verdict(), run_info())
    root = ET.fromstring(text)
    for element in root.iter():
        assert "disabled" not in element.attrib
    for case in root.iter("testcase"):
        assert set(case.attrib) <= {"name", "classname", "time", "group"}


def test_junitparser_reads_cases_and_failures(tmp_path: Path) -> None:
    """junitparser sees every case, the failure and the error with their messages."""
    path = tmp_path / "junit.xml"
    path.write_text(render_junit(mixed_verdict(), run_info()), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    cases = [case for suite in xml for case in suite]
    assert len(cases) == 4
    outcomes = {case.name: [type(r).__name__ for r in case.result] for case in cases if case.result}
    assert outcomes == {
        "Empathy: mean >= 7": ["Failure"],
        "Greeting compliance: pass_rate >= 90%": ["Error"],
    }
    failure = next(r for case in cases for r in case.result if isinstance(r, junitparser.Failure))
    assert failure.message == "observed 6 over 3 conversations (1 not applicable), needs >= 7"
    assert failure.type == "threshold"
    suites = list(xml)
    assert [s.name for s in suites] == ["Billing regressions", "Onboarding"]
    assert [s.failures for s in suites] == [1, 0]
    assert [s.errors for s in suites] == [0, 1]


HOSTILE = [
    "]]>",
    "\x00\x01\x08\x0b\x0c\x1f",
    "\ufffe\uffff",
    "\ud800 lone \udfff",
    '"quotes" & \'apostrophes\' <tag attr="x">',
    "emoji 😀🎉 and RTL \u202e\u200f",
    "line\nbreaks\r\nand\ttabs",
    "x" * 5000,
]


@pytest.mark.parametrize("nasty", HOSTILE)
def test_hostile_text_everywhere_stays_well_formed(nasty: str, schema: _Both) -> None:
    """Known troublemakers in every text field still give well-formed, schema-valid XML."""
    verdict = _verdict_with_text(nasty)
    text = render_junit(verdict, run_info(spec_path=nasty, agent_name=nasty))
    root = ET.fromstring(text.encode("utf-8"))
    schema.validate(text)
    failure = next(root.iter("failure"))
    assert failure.get("message") == clean(one_line(nasty))
    assert (failure.text or "").startswith(failure.get("message") or "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=80))
def test_any_text_stays_well_formed(nasty: str) -> None:
    """Hypothesis: arbitrary Unicode (surrogates and controls included) never breaks the XML."""
    text = render_junit(_verdict_with_text(nasty), run_info(spec_path=nasty))
    root = ET.fromstring(text.encode("utf-8"))
    failure = next(root.iter("failure"))
    message = one_line(nasty)
    expected = clean(message) if message else "observed 1 over 10 conversations, needs >= 7"
    assert failure.get("message") == expected
    gate, suite = root.findall("testsuite")
    assert gate.get("name") == "bluejay-gate"
    assert suite.get("name") == (clean(nasty) if clean(nasty).strip() else "(no name)")


def _verdict_with_text(nasty: str) -> Verdict:
    check = make_check(nasty or "m", "mean >= 7")
    conv = make_conversation(
        nasty or "1",
        digital_human_id=nasty,
        status=nasty,
        metrics={nasty: MetricValue(nasty, nasty, nasty, "enum", reasoning=nasty)},
    )
    sim = make_simulation(
        nasty,
        (make_result(check, Outcome.FAIL, 1.0, message=nasty, worst=(conv.result_id,)),),
        errors=(nasty,),
        conversations=(conv,),
    )
    return Verdict((sim,), errors=(nasty,))


def test_large_report_stays_small_and_streams_in_parts() -> None:
    """10 simulations × 100 conversations × 20 checks with 500-char reasoning: the JUnit
    names only the worst conversations of failing checks, so it stays small; ``iter_junit``
    gives it a suite at a time."""
    reason = ("The agent acknowledged the caller & offered a refund <quickly>. " * 10)[:500]
    checks = [make_check(f"metric {j}", "mean >= 7") for j in range(20)]
    sims = []
    for s in range(10):
        convs = tuple(
            make_conversation(
                str(s * 1000 + i),
                metrics={
                    f"metric {j}": MetricValue(
                        f"metric {j}", "8", 8.0, "quantitative", reasoning=reason
                    )
                    for j in range(20)
                },
            )
            for i in range(100)
        )
        worst = (str(s * 1000), str(s * 1000 + 1), str(s * 1000 + 2))
        results = tuple(
            make_result(c, Outcome.FAIL if j == 0 else Outcome.PASS, 8.0, samples=100, worst=worst)
            for j, c in enumerate(checks)
        )
        sims.append(make_simulation(f"sim {s}", results, conversations=convs))
    verdict = Verdict(tuple(sims))
    text = render_junit(verdict, run_info())
    assert text.count("<testcase ") == 200
    assert text.count("judge: The agent acknowledged") == 10 * 3
    assert len(text) < 200_000
    parts = list(iter_junit(verdict, run_info()))
    assert "".join(parts) == text


_results = st.builds(
    lambda outcome, severity, index: make_result(
        make_check(f"m{index}", "mean >= 7", severity=severity),
        outcome,
        None if outcome is Outcome.NO_VERDICT else 5.0,
    ),
    st.sampled_from(list(Outcome)),
    st.sampled_from(list(Severity)),
    st.integers(0, 5),
)
_simulations = st.builds(
    lambda results, errors, outcome, index: make_simulation(
        f"sim {index}", tuple(results), errors=tuple(errors), outcome=outcome
    ),
    st.lists(_results, max_size=4),
    st.lists(st.just("run 78 ended INCOMPLETED"), max_size=1),
    st.sampled_from([None, *Outcome]),
    st.integers(0, 9),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_simulations, max_size=3),
    st.lists(st.just("timed out after 30m"), max_size=1),
)
def test_any_verdict_shape_agrees_with_its_exit_code(
    simulations: list[SimulationVerdict], errors: list[str]
) -> None:
    """Hypothesis: for any mix of outcomes/severities/errors, <failure>/<error> iff exit != 0."""
    verdict = Verdict(tuple(simulations), errors=tuple(errors))
    root = parse(verdict)
    assert bool(problems(root)) == (verdict.exit_code != 0)
    assert bool(list(root.iter("failure"))) == (verdict.exit_code == 1)


def test_failure_text_shows_the_confidence_interval() -> None:
    """When the evaluator gives an interval, the failure text states it."""
    result = CheckResult(
        EMPATHY, Outcome.FAIL, 6.5, 30, message="observed 6.5, needs >= 7", interval=(6.1, 6.9)
    )
    root = parse(Verdict((make_simulation("S", (result,)),)))
    (failure,) = root.iter("failure")
    assert "\ninterval: 6.1 – 6.9\n" in (failure.text or "")
