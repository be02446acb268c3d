"""tests/helpers/pulled.py: two pulled folders compared apart from ids and comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.pulled import assert_same_pulled, pulled_differences

SPEC = """\
# Pulled from {url}
version: 1
agent:
  external_id: support-bot  # Bluejay agent {agent}
  name: Support Bot
  system_prompt: {{file: prompts/system_prompt.md}}
custom_metrics:
  - name: Resolution  # Bluejay metric {metric}
    response_type: pass_fail
    description: Solved?
"""


def folder(root: Path, name: str, *, agent: str, metric: str, prompt: str = "Hi.\n") -> Path:
    path = root / name
    (path / "prompts").mkdir(parents=True)
    (path / "bluejay-gate.yml").write_text(
        SPEC.format(url=f"https://{name}.example", agent=agent, metric=metric)
    )
    (path / "prompts" / "system_prompt.md").write_text(prompt)
    return path


def test_ids_and_comments_do_not_count(tmp_path: Path) -> None:
    a = folder(tmp_path, "a", agent="101", metric="uuid-1")
    b = folder(tmp_path, "b", agent="9001", metric="uuid-2")
    assert pulled_differences(a, b) == []
    assert_same_pulled(a, b)


def test_a_changed_value_a_text_and_a_missing_file_are_each_reported(tmp_path: Path) -> None:
    a = folder(tmp_path, "a", agent="101", metric="uuid-1")
    b = folder(tmp_path, "b", agent="101", metric="uuid-1", prompt="Hello.\n")
    spec = b / "bluejay-gate.yml"
    spec.write_text(spec.read_text().replace("Solved?", "Resolved?"))
    (a / "kb").mkdir()
    (a / "kb" / "knowledge_base.md").write_text("FAQ\n")
    assert pulled_differences(a, b) == [
        "spec.custom_metrics[0].description: 'Solved?' != 'Resolved?'",
        "kb/knowledge_base.md: only in the first folder",
        "prompts/system_prompt.md: the texts differ",
    ]
    with pytest.raises(AssertionError, match="pulled folders differ"):
        assert_same_pulled(a, b)


def test_an_agent_id_written_for_want_of_an_external_id_does_not_count(tmp_path: Path) -> None:
    a = folder(tmp_path, "a", agent="101", metric="m")
    b = folder(tmp_path, "b", agent="101", metric="m")
    for path, ident in ((a, "101"), (b, "9001")):
        spec = path / "bluejay-gate.yml"
        spec.write_text(spec.read_text().replace("external_id: support-bot", f"id: '{ident}'"))
    assert pulled_differences(a, b) == []
