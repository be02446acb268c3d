"""Where the tests find the quickstart example, and the quickstart spec prepared for a
fast test run. Writes only into the directory it is given."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "examples" / "quickstart"


def prepare(workdir: Path) -> Path:
    """The quickstart spec, polling every 0.05 s, in ``workdir``."""
    shutil.copytree(QUICKSTART, workdir, dirs_exist_ok=True)
    spec = workdir / "bluejay-gate.yml"
    data = yaml.safe_load(spec.read_text())
    data["run"]["poll_interval"] = "0.05s"
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    return spec
