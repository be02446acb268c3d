"""The demo's links work: ``demo --serve`` keeps the emulator serving the reports'
transcript and dashboard links (a page that says it is the emulator) until stopped; the
render script turns a demo's reports into the pages people see."""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from bluejay_gate.demo import run_demo

ROOT = Path(__file__).resolve().parents[2]


class _Lines(io.StringIO):
    """A console that can be read while the demo still writes to it."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()

    def write(self, text: str) -> int:
        with self.lock:
            return super().write(text)

    def text(self) -> str:
        with self.lock:
            return self.getvalue()


def test_demo_serve_keeps_the_links_working(tmp_path: Path) -> None:
    """With --serve the transcript and dashboard links of the failing demo's reports answer
    (the dashboard page says it is the emulator and shows the caller's name and the
    judge's reasoning) until the demo is stopped; then it returns the gate's exit code."""
    args = argparse.Namespace(
        example="failing", examples_dir=str(ROOT / "examples"), out=str(tmp_path), serve=True
    )
    out = _Lines()
    stop = threading.Event()
    codes: list[int] = []
    worker = threading.Thread(
        target=lambda: codes.append(run_demo(args, {"NO_COLOR": "1"}, out, stop=stop))
    )
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while "press Ctrl-C to stop" not in out.text():
            assert worker.is_alive(), out.text()
            assert time.monotonic() < deadline, out.text()
            time.sleep(0.05)
        xml = (tmp_path / "bluejay-junit.xml").read_text()
        dashboard = re.search(r"dashboard: (http://127\.0\.0\.1:\d+/dashboard/\S+)", xml)
        transcript = re.search(r"transcript: (http://127\.0\.0\.1:\d+/files/\S+)", xml)
        assert dashboard, xml
        assert transcript, xml
        page = httpx.get(dashboard.group(1), timeout=10)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "This is the bluejay-gate emulator, not Bluejay" in page.text
        assert "Angry caller" in page.text or "Furious caller" in page.text
        assert "(low): " in page.text  # the judge's reasoning agrees with the low score
        said = httpx.get(transcript.group(1), timeout=10).json()
        assert said["note"] == "served by the bluejay-gate emulator, not by Bluejay"
        assert said["transcript"][1] == {"speaker": "AGENT", "utterance": "Account number."}
    finally:
        stop.set()
        worker.join(30)
    assert codes == [1]
    assert not worker.is_alive()


def test_render_script_writes_the_pages(tmp_path: Path) -> None:
    """``scripts/render-reports.sh OUT`` runs the failing demo and writes the junit2html
    page and both Markdown renders beside its reports."""
    env = {**os.environ, "PYTHON": sys.executable, "NO_COLOR": "1"}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "render-reports.sh"), str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = tmp_path / "out"
    for name in (
        "bluejay-junit.junit2html.html",
        "bluejay-summary.python-markdown.html",
        "bluejay-summary.gfm.html",
    ):
        assert (out / name).stat().st_size > 1000, name
    assert "Angry caller (digital human 13)" in (out / "bluejay-junit.junit2html.html").read_text()
    assert "FAILED (exit 1)" in (out / "console.txt").read_text()
