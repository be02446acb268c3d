"""Property tests: whatever the file holds, load_spec returns a Spec or raises one SpecError
line, never another exception."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluejay_gate.errors import SpecError
from bluejay_gate.spec.load import load_spec
from bluejay_gate.spec.resolved import Spec
from tests.conftest import ROOT
from tests.helpers.spec_documents import documents

VALID = [
    p.read_text(encoding="utf-8")
    for p in sorted((ROOT / "tests" / "fixtures" / "specs" / "pass").glob("*.yml"))
]
ENV = {"SUPPORT_BOT_PHONE": "+1555", "AGENT_WS_PASSWORD": "a", "AGENT_SIP_PASSWORD": "b"}
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    outcome: Spec | SpecError
    try:
        outcome = load_spec(path, env=ENV)
    except SpecError as error:
        outcome = error
    if isinstance(outcome, SpecError):
        assert len(str(outcome).splitlines()) == 1
        assert str(outcome).startswith(str(path))
    else:
        assert all(outcome.checks_for(sim) for sim in outcome.simulations)


@FUZZ
@given(document=documents)
def test_random_documents(tmp_path: Path, document: object) -> None:
    """Random YAML structures either load or raise a one-line SpecError."""
    _check(tmp_path, yaml.safe_dump(document, allow_unicode=True))


@FUZZ
@given(text=st.text(max_size=200))
def test_random_text(tmp_path: Path, text: str) -> None:
    """Arbitrary text either loads or raises a one-line SpecError."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        text = text.encode("utf-8", "replace").decode("utf-8")
    _check(tmp_path, text)


@FUZZ
@given(
    base=st.sampled_from(VALID),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["delete", "duplicate", "insert", "replace", "indent"]),
            st.integers(0, 80),
            st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!%$ \"'#1.>=\t")), max_size=8),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_valid_specs(tmp_path: Path, base: str, edits: list[tuple[str, int, str]]) -> None:
    """Valid specs with lines deleted, duplicated, re-indented or garbled: Spec or SpecError."""
    lines = base.splitlines()
    for action, position, junk in edits:
        if not lines:
            break
        index = position % len(lines)
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "insert":
            lines.insert(index, junk)
        elif action == "indent":
            lines[index] = "  " + lines[index]
        else:
            cut = position % (len(lines[index]) + 1)
            lines[index] = lines[index][:cut] + junk + lines[index][cut + len(junk) :]
    _check(tmp_path, "\n".join(lines) + "\n")
