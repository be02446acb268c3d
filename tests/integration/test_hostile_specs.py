"""Hostile specs through the real CLI: hypothesis-made YAML, mutations of the example
specs and hand-made nasties (alias bombs, deep nesting, binary, python tags) either
validate or end with exit 2 and one located line (``file:line: ...``) on stderr; never a
traceback, and ``run`` sends no request (the emulator's log stays empty).

``tests/unit/test_spec_fuzz.py`` fuzzes ``load_spec`` itself; this goes through argv,
the environment check and the exit code.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluejay_gate.cli import main
from bluejay_gate.emulator import Emulator
from tests.conftest import ROOT
from tests.helpers.spec_documents import documents

KEY = "spec-canary-key-2f8d"
EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/bluejay-gate.yml"))
HOSTILE = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def emu(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    monkeypatch.setenv("BLUEJAY_API_KEY", KEY)
    monkeypatch.setenv("NO_COLOR", "1")
    scenario = yaml.safe_load((ROOT / "examples" / "quickstart" / "emulator.yml").read_text())
    emulator = Emulator(scenario, api_key=KEY, speed=20.0).start()
    yield emulator
    emulator.stop()


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert isinstance(info.value.code, int)
    return info.value.code, out, err


def check_spec(spec: Path, emu: Emulator, capsys: pytest.CaptureFixture[str]) -> int:
    """``validate`` it; when invalid, ``run`` it too: exit 2, one located line, no request."""
    code, out, err = _cli(["validate", "--spec", str(spec)], capsys)
    assert "Traceback" not in out + err
    assert KEY not in out + err
    if code == 0:
        assert "valid" in out
        return 0
    assert code == 2, out + err
    _assert_one_located_line(err, spec)
    before = len(emu.requests)
    junit = spec.parent / "junit.xml"
    argv = ["run", "--spec", str(spec), "--base-url", emu.base_url, "--junit", str(junit)]
    argv += ["--report", str(spec.parent / "report.json")]
    code, out, err = _cli(argv, capsys)
    assert code == 2, out + err
    _assert_one_located_line(err, spec)
    assert len(emu.requests) == before, "an invalid spec sent a request"
    assert not junit.exists()
    return 2


def _assert_one_located_line(err: str, spec: Path) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert re.match(rf"bluejay-gate: error: {re.escape(str(spec))}(:\d+)?: \S", lines[0]), err


def _copy_example(example: Path, target: Path) -> Path:
    shutil.copytree(example, target, dirs_exist_ok=True)
    return target / "bluejay-gate.yml"


@pytest.mark.slow
@HOSTILE
@given(document=documents)
def test_generated_yaml(emu: Emulator, capsys, tmp_path_factory, document: object) -> None:
    """Random YAML structures: valid, or exit 2 with one located line and no request."""
    spec = tmp_path_factory.mktemp("gen") / "bluejay-gate.yml"
    spec.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    check_spec(spec, emu, capsys)


@pytest.mark.slow
@HOSTILE
@given(
    example=st.sampled_from(EXAMPLES),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["delete", "duplicate", "swap", "replace", "indent", "dedent"]),
            st.integers(0, 200),
            st.sampled_from(
                ["", "~", "[]", "{}", "-1", "1e309", "0x1F", "'", "&a", "*a", "!!binary x", "%"]
            ),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_mutated_examples(
    emu: Emulator, capsys, tmp_path_factory, example: Path, edits: list[tuple[str, int, str]]
) -> None:
    """The shipped examples with lines deleted, duplicated, swapped, re-indented or a
    value replaced by junk: valid, or exit 2 with one located line and no request."""
    spec = _copy_example(example, tmp_path_factory.mktemp("mut"))
    lines = spec.read_text(encoding="utf-8").splitlines()
    for action, position, junk in edits:
        index = position % len(lines)
        line = lines[index]
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, line)
        elif action == "swap":
            other = (index + 1) % len(lines)
            lines[index], lines[other] = lines[other], line
        elif action == "indent":
            lines[index] = "   " + line
        elif action == "dedent":
            lines[index] = line.lstrip()
        elif ":" in line:
            lines[index] = line.split(":", 1)[0] + ": " + junk
        if not lines:
            lines = ["x"]
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    check_spec(spec, emu, capsys)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_validate(emu: Emulator, capsys, tmp_path: Path, example: Path) -> None:
    """The unmutated examples are valid (so the mutations start from valid specs)."""
    assert check_spec(_copy_example(example, tmp_path), emu, capsys) == 0


NASTY = {
    "alias-bomb": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    + "version: 1\n",
    "deep-nesting": "version: 1\nagent: " + "[" * 5000 + "]" * 5000 + "\n",
    "binary": "\x00\x01\x02\xff version: 1",
    "python-tag": "version: 1\nagent: !!python/object/apply:os.system ['echo pwned']\n",
    "two-documents": "version: 1\n---\nversion: 1\n",
    "empty": "",
    "only-comment": "# nothing here\n",
    "bom-and-tabs": "\ufeffversion: 1\n\tagent: x\n",
    "duplicate-keys": "version: 1\nversion: 2\n",
    "huge-line": "version: 1\nagent:\n  name: " + "n" * 2_000_000 + "\n",
    "merge-key": "base: &b {name: x}\nversion: 1\nagent:\n  <<: *b\n",
    "not-a-mapping": "- version: 1\n",
    "key-in-spec": f"version: 1\nagent:\n  name: x\n  api_key: {KEY}\n",
}


@pytest.mark.parametrize("name", list(NASTY))
def test_nasty_yaml(emu: Emulator, capsys, tmp_path: Path, name: str) -> None:
    """Hand-made hostile files: exit 2, one located line, no request, promptly."""
    spec = tmp_path / "bluejay-gate.yml"
    data = NASTY[name]
    if name == "binary":
        spec.write_bytes(data.encode("latin-1"))
    else:
        spec.write_text(data, encoding="utf-8")
    assert check_spec(spec, emu, capsys) == 2
