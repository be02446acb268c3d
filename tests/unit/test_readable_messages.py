"""Help and messages a person reads: subcommand help, the demo's examples, a short key
kept in ordinary words, digital humans' names read once, reasoning cut at a word."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest

from bluejay_gate.bluejay.failures import FailureReader
from bluejay_gate.bluejay.models import DigitalHumanList, digital_human_names
from bluejay_gate.cli import build_parser, main
from bluejay_gate.report import formatting as fmt


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_subcommand_has_a_description() -> None:
    """Each subcommand's --help opens with a sentence of its own, not just the usage."""
    subs = _subparsers(build_parser())
    assert {"run", "validate", "schema", "demo", "emulator"} <= set(subs)
    for name, sub in subs.items():
        assert sub.description, name
        assert len(sub.description) > 40, name


def test_run_help_names_the_key(capsys: pytest.CaptureFixture[str]) -> None:
    """``run --help`` says the key comes from BLUEJAY_API_KEY, and lists the exit codes."""
    with pytest.raises(SystemExit) as info:
        main(["run", "--help"])
    assert info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Needs BLUEJAY_API_KEY in the environment" in out
    assert "Exit codes: 0 pass, 1 a check failed" in out


def test_demo_help_lists_the_real_examples(capsys: pytest.CaptureFixture[str]) -> None:
    """``demo --help`` lists the examples it can run (a spec and a scenario each) only."""
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "examples: calls, failing, managed, quickstart, repeats." in out
    assert "github" not in out


def test_unknown_example_suggests_a_real_one(capsys: pytest.CaptureFixture[str]) -> None:
    """A mistyped --example exits 2 with a did-you-mean among the real examples only."""
    with pytest.raises(SystemExit) as info:
        main(["demo", "--example", "fail"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        "bluejay-gate: error: unknown example 'fail': did you mean 'failing'? choose one of "
        "calls, failing, managed, quickstart, repeats (--example NAME)\n"
    )
    with pytest.raises(SystemExit):
        main(["demo", "--example", "github"])  # a folder, but not a runnable example
    assert "choose one of calls, failing, managed, quickstart, repeats" in capsys.readouterr().err


def _reader(secret: str) -> FailureReader:
    return FailureReader(secret=secret, host="h", timeout=1.0, now=lambda: datetime.now(UTC))


def test_a_short_key_is_scrubbed_only_as_a_word() -> None:
    """A short key ("any", the emulator's) leaves "Company" alone but not the key itself;
    a real-length key is scrubbed wherever it appears."""
    assert _reader("any").scrub("Company any: many-any any.") == "Company ***: many-any ***."
    canary = "canary-key-5f3e9a7c1d"
    assert _reader(canary).scrub(f"x{canary}y {canary}") == "x***y ***"


def test_digital_human_names_fall_back_to_the_id() -> None:
    """Names by id; a missing, blank or shared name is left out (the id is shown), and the
    list still counts them all."""
    listed = DigitalHumanList(
        digital_humans=[
            {"id": 12, "name": "Angry caller"},
            {"id": 13, "name": "  "},
            {"id": 14},
            {"id": 15, "name": "Twin"},
            {"id": 16, "name": "twin"},
            {"name": "No id"},
            {"id": "17", "name": " Spaced\n name "},
        ]
    )
    assert listed.names == {"12": "Angry caller", "17": "Spaced name"}
    assert listed.count == 7
    assert digital_human_names([]) == {}
    hostile = digital_human_names(
        [{"id": 1, "name": {"x": 1}}, {"id": True, "name": "Bool"}, {"id": 2, "name": "n" * 500}]
    )
    assert hostile == {"2": "n" * 79 + "…"}


def test_reasoning_is_cut_at_a_word() -> None:
    """One line, at most the limit, cut at a space with an ellipsis; short text unchanged."""
    text = "The agent cut the caller off twice and never acknowledged their frustration. " * 10
    cut = fmt.reasoning_text(text, 60)
    assert cut == "The agent cut the caller off twice and never acknowledged…"
    assert cut is not None
    assert len(cut) <= 60
    assert fmt.reasoning_text("Kind\nwords.") == "Kind words."
    assert fmt.reasoning_text("") is None
