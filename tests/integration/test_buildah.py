"""The Action's image built by buildah on a debootstrap stand-in base, its own smoke test
(``bluejay-gate demo`` inside it), and its container run as the GitHub runner runs it
(``scripts/buildah-standin.sh``).

Opt-in (``BLUEJAY_BUILDAH=1``): it needs root, the Debian packages buildah and
debootstrap, network for the Debian mirror and PyPI, and a minute or two. It is not in
``.ci/run``; the README's development section says how to run it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    os.environ.get("BLUEJAY_BUILDAH") != "1"
    or not (shutil.which("buildah") and shutil.which("debootstrap"))
    or os.geteuid() != 0,
    reason="opt-in: BLUEJAY_BUILDAH=1, as root, with buildah and debootstrap installed",
)


def test_image_built_with_buildah_runs_the_gate(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "buildah-standin.sh")],
        env={**os.environ, "PYTHON": sys.executable, "BUILDAH_STANDIN_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "PASS: image built by buildah" in done.stdout
    assert "demo: quickstart passed, failing example exited 1" in done.stdout  # its smoke test
    assert "PASSED (exit 0)" in done.stdout
    outputs = (tmp_path / "workspace" / "out" / "github_output").read_text()
    assert "exit-code<<" in outputs
