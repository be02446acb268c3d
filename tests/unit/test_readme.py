"""README.md documents every Action input and output and every CLI long option."""

from __future__ import annotations

import argparse
import re

import pytest
import yaml

from bluejay_gate.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def _long_options(parser: argparse.ArgumentParser) -> set[str]:
    found: set[str] = set()
    for action in parser._actions:
        found.update(o for o in action.option_strings if o.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _long_options(sub)
    return found - {"--help"}


def test_the_cli_has_options_to_document() -> None:
    options = _long_options(build_parser())
    assert {"--spec", "--junit", "--base-url", "--scenario"} <= options


@pytest.mark.parametrize("name", sorted(ACTION["inputs"]))
def test_action_input_is_in_the_readme(name: str) -> None:
    assert f"| `{name}` |" in README


@pytest.mark.parametrize("name", sorted(ACTION["outputs"]))
def test_action_output_is_in_the_readme(name: str) -> None:
    assert f"| `{name}` |" in README


@pytest.mark.parametrize("option", sorted(_long_options(build_parser())))
def test_cli_option_is_in_the_readme(option: str) -> None:
    assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", README), option
