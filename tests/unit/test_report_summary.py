"""The Markdown summary: heading, tables, the complete failure list, escaping, the cut."""

from __future__ import annotations

import re

import pytest

from bluejay_gate.report import STEP_SUMMARY_LIMIT, render_summary
from bluejay_gate.report.summary import truncation_note
from bluejay_gate.verdict.model import CheckResult, Conversation, Outcome, Verdict
from tests.helpers.verdicts import (
    EMPATHY,
    GREETING,
    SCENARIOS,
    conversations,
    failing_verdict,
    make_check,
    make_conversation,
    make_result,
    make_simulation,
    mixed_verdict,
    passing_verdict,
    run_info,
    simulation_error_verdict,
    warn_verdict,
    zero_simulations_verdict,
)


def table_rows(text: str, header: str) -> list[list[str]]:
    """Rows (as cells) of the table whose header line starts with ``header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        rows.append([c.strip() for c in cells])
    return rows


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("pass", "# ✅ bluejay-gate: passed"),
        ("warn", "# ⚠️ bluejay-gate: passed with warnings"),
        ("fail", "# ❌ bluejay-gate: failed"),
        ("mixed", "# ❌ bluejay-gate: failed"),
        ("no_verdict_check", "# ⛔ bluejay-gate: no verdict"),
        ("zero_simulations", "# ⛔ bluejay-gate: no verdict"),
    ],
)
def test_heading_shows_the_overall_verdict(name: str, heading: str) -> None:
    """The first line carries the verdict emoji and word (fail, no verdict and warnings
    each their own); the next the exit code."""
    build, code = SCENARIOS[name]
    text = render_summary(build(), run_info())
    first, _, third = text.splitlines()[:3]
    assert first == heading
    assert third.startswith(f"**Exit code {code}**")


def test_agent_and_run_facts_line() -> None:
    """Agent name, id, action and changed fields, spec, runs, duration, version."""
    text = render_summary(passing_verdict(), run_info())
    assert (
        "**Agent:** Support Bot v2 (id 1234) · updated: goals, system\\_prompt · "
        "**Spec:** bluejay-gate.yml · **Runs:** 77 · **Duration:** 3m 12s · bluejay-gate 0.1.0"
    ) in text


def test_check_table_cells() -> None:
    """One row per check: icon, label, observed, expected, samples with N/A."""
    verdict = Verdict(
        (
            make_simulation(
                "Billing regressions",
                (
                    make_result(EMPATHY, Outcome.PASS, 8.25, samples=3),
                    make_result(GREETING, Outcome.FAIL, 0.85, samples=20, not_applicable=2),
                ),
            ),
        )
    )
    rows = table_rows(render_summary(verdict, run_info()), "| | Check |")
    assert rows == [
        ["✅", "Empathy: mean >= 7", "8.25", ">= 7", "3"],
        ["❌", "Greeting compliance: pass\\_rate >= 90%", "85%", ">= 90%", "20 (2 N/A)"],
    ]


def test_simulation_overview_row_links_the_run() -> None:
    """The overview table has one row per simulation with counts, score and a run link."""
    rows = table_rows(render_summary(simulation_error_verdict(), run_info()), "| | Simulation |")
    assert rows == [
        [
            "✅",
            "Billing regressions",
            "1/1 passed",
            "3/3 completed",
            "80",
            "[run 77](https://app.getbluejay.ai/simulations/4821/runs/77)",
        ],
        [
            "⛔",
            "Smoke test",
            "0/0 passed",
            "0/0 completed",
            "80",
            "[run 78](https://app.getbluejay.ai/simulations/5/runs/78)",
        ],
    ]


def test_cells_escape_pipes_and_newlines() -> None:
    """A '|' or a newline in a label cannot break the table."""
    check = make_check("A | B\nC", "mean >= 7")
    verdict = Verdict((make_simulation("Sim | one", (make_result(check, Outcome.PASS, 8.0),)),))
    text = render_summary(verdict, run_info())
    rows = table_rows(text, "| | Check |")
    assert rows == [["✅", "A &#124; B<br>C: mean >= 7", "8", ">= 7", "10"]]
    overview = table_rows(text, "| | Simulation |")
    assert overview[0][1] == "Sim &#124; one"


def test_failures_section_lists_every_failure_with_worst_conversations() -> None:
    """Every failed / no-verdict check is listed (not just 10), each with its links."""
    results = tuple(
        make_result(make_check(f"metric {i}", "mean >= 7"), Outcome.FAIL, 5.0, worst=("9000",))
        for i in range(25)
    )
    verdict = Verdict((make_simulation("Big", results, conversations=conversations()),))
    text = render_summary(verdict, run_info())
    failures = text.split("## ❌ Failures", 1)[1].split("## Simulations", 1)[0]
    assert failures.count("### ❌ Big: metric ") == 25
    assert (
        failures.count(
            "    - **Alex Rivera** (digital human 12): value **—** · "
            "[transcript](https://cdn.example.test/transcripts/9000.txt) · "
            "[result 9000](https://app.getbluejay.ai/simulations/4821/runs/77?result=9000)\n"
        )
        == 25
    )


def test_failure_entry_detail() -> None:
    """A failure entry: message with spec line, numbers, worst conversations, run link."""
    text = render_summary(failing_verdict(), run_info())
    entry = text.split("### ❌ Billing regressions: Empathy: mean >= 7", 1)[1]
    assert entry.startswith(
        "\n\nobserved 6 over 3 conversations (1 not applicable), needs >= 7 (spec line 14)\n\n"
        "- observed **6**, expected >= 7, samples 3 (1 N/A)\n"
        "- worst conversations:\n"
        "    - **Alex Rivera** (digital human 12): value **4** · "
        "[transcript](https://cdn.example.test/transcripts/9000.txt) · "
        "[result 9000](https://app.getbluejay.ai/simulations/4821/runs/77?result=9000)"
        " — judge: “Reasoning for result 9000.”\n"
        "    - **Priya Nair** (digital human 13): value **6** · "
        "[transcript](https://cdn.example.test/transcripts/9001.txt) · "
        "[result 9001](https://app.getbluejay.ai/simulations/4821/runs/77?result=9001)"
        " — judge: “Reasoning for result 9001.”\n"
        "- [run dashboard](https://app.getbluejay.ai/simulations/4821/runs/77)\n"
    )


def test_no_verdict_has_its_own_heading_after_failures() -> None:
    """Undecided checks and simulations with errors appear under "No verdict" with ⛔,
    not under Failures."""
    text = render_summary(mixed_verdict(), run_info())
    failures = text.split("## ❌ Failures", 1)[1].split("## ⛔ No verdict", 1)[0]
    undecided = text.split("## ⛔ No verdict", 1)[1].split("## Simulations", 1)[0]
    assert "### ❌ Billing regressions: Empathy: mean >= 7" in failures
    assert "⛔" not in failures
    assert "### ⛔ Onboarding: Greeting compliance: pass\\_rate >= 90%" in undecided
    errors = render_summary(simulation_error_verdict(), run_info())
    assert (
        "### ⛔ Smoke test: no verdict\n\n"
        "- run 78 ended INSUFFICIENT\\_FUNDS: add credits to the organisation and re-run"
    ) in errors


def test_warnings_have_their_own_section_and_no_failures() -> None:
    """A warn check is listed under Warnings with ⚠️; a passing run has no Failures section."""
    text = render_summary(warn_verdict(), run_info())
    assert "Failures" not in text
    assert "## ⚠️ Warnings" in text
    assert "### ⚠️ Billing regressions: Resolution: share(resolved) >= 75%" in text
    rows = table_rows(text, "| | Check |")
    assert [r[0] for r in rows] == ["✅", "⚠️"]


def test_gate_errors_and_zero_simulations() -> None:
    """Gate-level reasons are listed under Errors; zero simulations says so."""
    text = render_summary(zero_simulations_verdict(), run_info())
    assert "## ⛔ Errors\n\n- no simulations were evaluated, so there is nothing to decide" in text
    assert "## Simulations" not in text


def test_unsafe_links_are_not_links() -> None:
    """Only http(s) URLs become links; ')' and '|' in a URL are percent-encoded."""
    conv: Conversation = make_conversation("1")
    conv = Conversation(
        **{
            **{f: getattr(conv, f) for f in conv.__slots__},  # type: ignore[attr-defined]
            "dashboard_url": "javascript:alert(1)",
        }
    )
    sim = make_simulation(
        "S", (make_result(EMPATHY, Outcome.FAIL, 5.0, worst=("1",)),), conversations=(conv,)
    )
    sim = sim.__class__(
        **{
            **{f: getattr(sim, f) for f in sim.__slots__},  # type: ignore[attr-defined]
            "dashboard_url": "https://example.test/a (b)|c",
        }
    )
    text = render_summary(Verdict((sim,)), run_info())
    assert "javascript:" not in text
    assert (
        "    - **Alex Rivera** (digital human 12): value **—** · "
        "[transcript](https://cdn.example.test/transcripts/1.txt) · result 1\n"
    ) in text
    assert "[run dashboard](https://example.test/a%20%28b%29%7Cc)" in text


def test_markdown_in_names_is_escaped() -> None:
    """Markdown syntax from labels shows as text: emphasis, links, HTML, headings."""
    check = make_check("*bold* [x](y) <script>", "mean >= 7")
    sim = make_simulation("# Title", (make_result(check, Outcome.FAIL, 1.0),))
    text = render_summary(Verdict((sim,)), run_info())
    assert "\\*bold\\* \\[x\\](y) &lt;script>" in text
    assert "<script>" not in text
    assert "| # Title |" in text


def test_no_cut_when_it_fits() -> None:
    """Under the limit the summary is unchanged and has no truncation note."""
    full = render_summary(failing_verdict(), run_info())
    assert render_summary(failing_verdict(), run_info(), max_bytes=STEP_SUMMARY_LIMIT) == full
    assert "truncated" not in full


def _big_verdict(simulations: int = 40, checks: int = 20) -> Verdict:
    sims = []
    for s in range(simulations):
        results = tuple(
            make_result(
                make_check(f"Metric ünïcödé 😀 {i}", "mean >= 7"),
                Outcome.FAIL if i % 2 else Outcome.PASS,
                5.0,
                worst=tuple(str(9000 + k) for k in range(3)),
            )
            for i in range(checks)
        )
        sims.append(
            make_simulation(
                f"Simulation {s}", results, simulation_id=str(s), conversations=conversations()
            )
        )
    return Verdict(tuple(sims))


@pytest.mark.parametrize("limit", [4000, 20_000, 65_537])
def test_cut_fits_the_limit_with_a_note(limit: int) -> None:
    """Cut at a line to fit max_bytes (UTF-8), ending with the note; failures come first."""
    verdict = _big_verdict()
    full = render_summary(verdict, run_info())
    assert len(full.encode("utf-8")) > limit
    cut = render_summary(verdict, run_info(), max_bytes=limit)
    assert len(cut.encode("utf-8")) <= limit
    assert cut.endswith(truncation_note(limit))
    kept = cut.removesuffix(truncation_note(limit))
    assert full.startswith(kept)
    assert kept.endswith("\n")
    assert "## Checks" not in cut  # the per-simulation tables go first
    if limit > 10_000:
        assert "## ❌ Failures" in cut


def test_cut_at_one_mebibyte_says_so() -> None:
    """At the step summary limit the note names 1 MiB and points to the JSON report."""
    verdict = _big_verdict(simulations=400, checks=20)
    cut = render_summary(verdict, run_info(), max_bytes=STEP_SUMMARY_LIMIT)
    assert len(cut.encode("utf-8")) <= STEP_SUMMARY_LIMIT
    assert cut.endswith("\n> … summary truncated at 1 MiB; see the JSON report for everything\n")


def test_tiny_limit_still_fits() -> None:
    """A limit smaller than the note gives at most that many bytes, never an error."""
    cut = render_summary(_big_verdict(2, 2), run_info(), max_bytes=10)
    assert len(cut.encode("utf-8")) <= 10


def test_text_starting_a_line_cannot_open_a_quote_or_list() -> None:
    """An error that starts with '>' or '-' is escaped where it begins a list item."""
    verdict = Verdict((), errors=("> quoted", "- listed"))
    text = render_summary(verdict, run_info())
    assert "- \\> quoted\n- \\- listed\n" in text


def test_observed_shows_the_value_whenever_it_is_known() -> None:
    """A check without a verdict whose aggregate is known (too few samples) shows it in
    the table and its entry; one without any value shows the dash."""
    known = CheckResult(
        EMPATHY,
        Outcome.NO_VERDICT,
        None,
        3,
        message="too few samples: n = 3 < min_samples 5",
        measured=6.2,
    )
    unknown = CheckResult(GREETING, Outcome.NO_VERDICT, None, 0, message="no samples")
    text = render_summary(Verdict((make_simulation("S", (known, unknown)),)), run_info())
    rows = table_rows(text, "| | Check |")
    assert [row[2] for row in rows] == ["6.2", "—"]
    assert "- observed **6.2**, expected >= 7, samples 3" in text
    assert "## ⛔ No verdict" in text


def test_setup_section_lists_writes_then_drift() -> None:
    """Bluejay as code: what the setup wrote, then the drift (flagged), escaped."""
    info = run_info(
        setup_changes=({"text": "custom metric 'Resolution' (id m-1): created"},),
        drift=(
            {"text": "drift: custom metric '*Old*' (id m-2) is in Bluejay but not in the spec"},
        ),
    )
    text = render_summary(passing_verdict(), info)
    section = text[text.index("## Bluejay setup") : text.index("## Checks")]
    assert section.splitlines()[2:4] == [
        "- custom metric 'Resolution' (id m-1): created",
        "- ⚠️ drift: custom metric '\\*Old\\*' (id m-2) is in Bluejay but not in the spec",
    ]
    assert "## Bluejay setup" not in render_summary(passing_verdict(), run_info())
