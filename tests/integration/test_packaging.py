"""The PyPI release as the workflow makes it: `python -m build` (the sdist, then the wheel
built from it), `twine check --strict`, then the wheel installed in a fresh venv outside
the clone runs `bluejay-gate demo` (the `pipx run bluejay-gate demo` path).

Slow (about a minute): build isolation and the fresh venv's install reach PyPI."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from bluejay_gate import __version__
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = _run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], cwd=out)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_build_makes_one_sdist_and_one_wheel_of_this_version(dist: Path) -> None:
    names = sorted(p.name for p in dist.iterdir())
    assert names == [
        f"bluejay_gate-{__version__}-py3-none-any.whl",
        f"bluejay_gate-{__version__}.tar.gz",
    ]


def test_twine_check_passes(dist: Path) -> None:
    files = [str(p) for p in sorted(dist.iterdir())]
    done = _run([sys.executable, "-m", "twine", "check", "--strict", *files], cwd=dist)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_the_wheel_carries_the_demo_examples_and_the_emulator_scenario(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for example in ("quickstart", "failing", "repeats"):
        assert f"bluejay_gate/examples/{example}/bluejay-gate.yml" in names
        assert f"bluejay_gate/examples/{example}/emulator.yml" in names
    assert "bluejay_gate/examples/quickstart/kb/faq.md" in names  # the spec's {file:} reads
    assert "bluejay_gate/emulator/sample-scenario.yml" in names
    assert "bluejay_gate/py.typed" in names
    assert not [n for n in names if n.startswith(("tests/", "bench/")) or "__pycache__" in n]
    metadata = zipfile.ZipFile(wheel).read(f"bluejay_gate-{__version__}.dist-info/METADATA")
    assert f"\nVersion: {__version__}\n" in metadata.decode()
    assert "\nRequires-Dist: httpx" in metadata.decode()


def test_the_sdist_rebuilds_the_wheel(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
    top = f"bluejay_gate-{__version__}"
    for name in ("setup.py", "pyproject.toml", "README.md", "examples/quickstart/emulator.yml"):
        assert f"{top}/{name}" in names


def test_the_installed_wheel_runs_the_demo_outside_the_clone(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path).returncode == 0
    pip = _run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], cwd=tmp_path)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    gate = str(venv / "bin" / "bluejay-gate")
    assert _run([gate, "--version"], cwd=tmp_path).stdout.strip() == f"bluejay-gate {__version__}"
    passing = _run([gate, "demo", "--out", "reports"], cwd=tmp_path, timeout=120)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "PASSED (exit 0)" in passing.stdout
    assert str(venv) in passing.stdout  # the examples of the installed package
    assert (tmp_path / "reports" / "bluejay-junit.xml").stat().st_size > 0
    failing = _run([gate, "demo", "--example", "failing", "--out", "f"], cwd=tmp_path, timeout=120)
    assert failing.returncode == 1, failing.stdout + failing.stderr
