"""The reports as a person sees them, rendered by the tools people use: the JUnit by
junit2html, the Markdown summary by Python-Markdown (as GitLab-like renderers do) and by
markdown-it-py with GitHub's tables (GitHub-flavoured). For a failing run of 100
conversations through the real CLI and emulator, what a person sees first — the first
screen, ``tests.helpers.renders.SCREEN_LINES`` lines of visible text — holds the first
failure: its check, its message and its worst conversation by the digital human's name,
with what the judge said. Escaping renders the same in both Markdown renderers.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from tests.helpers.gate import KEY, junit_agrees
from tests.helpers.renders import first_screen, junit_html, markdown_html
from tests.helpers.renders import visible_lines as visible

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CONVERSATIONS = 100
LOW = range(40, 100, 3)  # 20 curt conversations: Empathy 2-3 with these callers
pytestmark = pytest.mark.needs_shared


def _scenario() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "failing" / "emulator.yml").read_text())
    sim = data["simulations"][0]
    sim["digital_humans"] = [
        {"id": 100 + i, "name": f"Caller {i:03d} <VIP> | *priority*"} for i in range(CONVERSATIONS)
    ]
    sim["digital_human_scores"] = {100 + i: {"Empathy": {"mean": 2.5, "spread": 0.3}} for i in LOW}
    data["custom_metrics"].append({"name": "Resolution", "response_type": "pass_fail"})
    sim["scores"]["Resolution"] = {"pass_rate": 0.5}
    return data


def _spec(tmp_path: Path) -> Path:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "failing" / "bluejay-gate.yml").read_text())
    data["run"]["poll_interval"] = "0.05s"
    data["thresholds"] = {
        "Greeting compliance": "pass_rate >= 90%",
        "Resolution": [{"check": "pass_rate >= 90%", "severity": "warn"}],
        "Empathy": "mean >= 7",
    }
    path = tmp_path / "bluejay-gate.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One failing 100-conversation run through the real CLI; its reports, rendered."""
    tmp = tmp_path_factory.mktemp("renders")
    emu = Emulator(_scenario(), api_key=KEY, speed=20.0).start()
    argv = ["run", "--spec", str(_spec(tmp)), "--base-url", emu.base_url]
    argv += ["--junit", str(tmp / "junit.xml"), "--report", str(tmp / "report.json")]
    argv += ["--summary", str(tmp / "summary.md")]
    out = io.StringIO()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("BLUEJAY_API_KEY", KEY)
            with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as info:
                main(argv)
    finally:
        emu.stop()
    assert info.value.code == 1, out.getvalue()
    junit_agrees(tmp, 1)
    summary = (tmp / "summary.md").read_text()
    return {
        "console": out.getvalue(),
        "junit": junit_html(tmp / "junit.xml"),
        "xml": (tmp / "junit.xml").read_text(),
        "summary": summary,
        "python-markdown": markdown_html(summary, "python-markdown"),
        "gfm": markdown_html(summary, "gfm"),
    }


def _first_failure_on_screen(screen: list[str]) -> None:
    text = "\n".join(screen)
    assert "Empathy: mean >= 7" in text, text
    assert re.search(r"observed [0-9.]+ over 100 conversations, needs >= 7", text), text
    assert re.search(r"Caller 0\d\d <VIP> \| \*priority\* \(digital human 1\d\d\)", text), text
    assert re.search(r"Empathy [23] \(low\): ", text), (
        text
    )  # the judge's reasoning, agreeing with the score


def test_junit2html_shows_the_first_failure_on_the_first_screen(reports: dict[str, str]) -> None:
    """junit2html: the failing check, its message and its worst conversation (by name,
    with the judge's reasoning) within the first screen; the warning shows as skipped,
    never as passed; every conversation is not listed."""
    screen = first_screen(reports["junit"])
    _first_failure_on_screen(screen)
    lines = visible(reports["junit"])
    resolution = lines.index("Test case:Resolution: pass_rate >= 90%")
    assert lines[resolution + 1] == "Outcome:Skipped"
    assert any(line.startswith("SkippedWARNING: observed") for line in lines)
    assert reports["xml"].count("judge: ") <= 10  # the worst few, not all 100


@pytest.mark.parametrize("flavour", ["python-markdown", "gfm"])
def test_summary_shows_the_first_failure_on_the_first_screen(
    reports: dict[str, str], flavour: str
) -> None:
    """Both Markdown renderers: the heading says failed, and the first failure with its
    worst conversation by name is on the first screen."""
    screen = first_screen(reports[flavour])
    assert screen[0] == "❌ bluejay-gate: failed"
    _first_failure_on_screen(screen)
    assert screen.index("❌ Billing regressions: Empathy: mean >= 7") < 5  # right below the top


def test_escaping_renders_the_same_in_both_renderers(reports: dict[str, str]) -> None:
    """The same visible text from Python-Markdown and GitHub-flavoured rendering, no
    backslash shown before < or |, and the name's <VIP> shown as text, not a tag."""
    python_markdown = visible(reports["python-markdown"])
    gfm = visible(reports["gfm"])
    assert python_markdown == gfm
    for line in gfm:
        for shown in ("\\<", "\\|", "\\~"):
            assert shown not in line, line
    assert "<VIP>" not in reports["gfm"].replace("&lt;VIP&gt;", "")
    assert any("<VIP> | *priority*" in line for line in gfm)


def test_console_names_the_worst_conversations(reports: dict[str, str]) -> None:
    """The console's verdict block names the worst conversations' digital humans."""
    assert re.search(
        r"worst: Caller 0\d\d <VIP> \| \*priority\* \(digital human 1\d\d\) [23]",
        reports["console"],
    ), reports["console"]


def test_every_suite_and_case_has_the_simulations_time(reports: dict[str, str]) -> None:
    """A real run's suite and every case carry the simulation's wall time, not 0."""
    import xml.etree.ElementTree as ET

    (suite,) = ET.fromstring(reports["xml"]).findall("testsuite")
    took = float(suite.get("time", "0"))
    assert took > 0
    assert {case.get("time") for case in suite.iter("testcase")} == {suite.get("time")}
