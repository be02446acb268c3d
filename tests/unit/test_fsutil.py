"""write_atomic: all or nothing, never a half file, never a leftover temporary file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from bluejay_gate.report.files import write_atomic
from tests.conftest import ROOT


def leftovers(directory: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


def test_writes_text_as_utf8_and_bytes_as_is(tmp_path: Path) -> None:
    """A str is written as UTF-8; bytes are written unchanged."""
    text_path = tmp_path / "summary.md"
    write_atomic(text_path, "✅ passed — 😀\n")
    assert text_path.read_bytes() == "✅ passed — 😀\n".encode()
    bytes_path = tmp_path / "raw.bin"
    write_atomic(bytes_path, b"\x00\xff\x10")
    assert bytes_path.read_bytes() == b"\x00\xff\x10"
    assert leftovers(tmp_path, {"summary.md", "raw.bin"}) == []


def test_creates_parent_directories_and_replaces(tmp_path: Path) -> None:
    """Missing parents are created; an existing file is replaced whole."""
    path = tmp_path / "a" / "b" / "junit.xml"
    write_atomic(path, "first version, rather long\n")
    write_atomic(path, "second\n")
    assert path.read_text(encoding="utf-8") == "second\n"
    assert leftovers(path.parent, {"junit.xml"}) == []


def test_encoding_failure_keeps_the_old_file(tmp_path: Path) -> None:
    """Text that cannot be encoded (a lone surrogate) raises and changes nothing."""
    path = tmp_path / "report.json"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "new \ud800")
    assert path.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path, {"report.json"}) == []


def test_failed_rename_removes_the_temporary_file(tmp_path: Path) -> None:
    """When the final rename fails (target is a directory), the temp file is cleaned up."""
    target = tmp_path / "junit.xml"
    target.mkdir()
    (target / "inside").write_text("keep", encoding="utf-8")
    with pytest.raises(OSError, match=r"junit\.xml"):
        write_atomic(target, "<testsuites/>")
    assert target.is_dir()
    assert (target / "inside").read_text(encoding="utf-8") == "keep"
    assert leftovers(tmp_path, {"junit.xml"}) == []


def test_failure_mid_write_keeps_the_old_file(tmp_path: Path) -> None:
    """A write that fails half way (file size limit hit: EFBIG) leaves the old file intact."""
    path = tmp_path / "report.json"
    path.write_text("previous report", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from bluejay_gate.report.files import write_atomic
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
        try:
            write_atomic(Path({str(path)!r}), "x" * 100_000)
        except OSError as error:
            print(type(error).__name__, error.errno)
            sys.exit(0)
        sys.exit("write_atomic did not fail")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "OSError"
    assert path.read_text(encoding="utf-8") == "previous report"
    assert leftovers(tmp_path, {"report.json"}) == []


def test_new_file_gets_normal_permissions(tmp_path: Path) -> None:
    """A new file is 0666 minus the umask (not the temp file's 0600)."""
    path = tmp_path / "junit.xml"
    old = os.umask(0o022)
    try:
        write_atomic(path, "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    """Replacing a file keeps the permissions it had."""
    path = tmp_path / "junit.xml"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    write_atomic(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text(encoding="utf-8") == "new"


def _complete(data: bytes, size: int) -> bool:
    """A version written by the child below: ``BEGIN n``, filler, ``END n``, full length."""
    if len(data) != size or not data.startswith(b"BEGIN "):
        return False
    head = data.split(b"\n", 1)[0].removeprefix(b"BEGIN ")
    return data.endswith(b"END " + head + b"\n")


@pytest.mark.parametrize("delay", [0.05, 0.13, 0.31, 0.47])
def test_sigkill_mid_write_leaves_a_complete_file(tmp_path: Path, delay: float) -> None:
    """A process killed (SIGKILL, no clean-up) while rewriting a 4 MB report in a loop:
    every read while it runs, and the file it leaves, is one whole version, never a
    truncated one. (Its temporary file may stay behind: SIGKILL cannot be caught.)"""
    import signal
    import time

    path = tmp_path / "report.json"
    filler = 4 * 1024 * 1024
    size = len(b"BEGIN 0000000\n") + filler + len(b"END 0000000\n")
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from bluejay_gate.report.files import write_atomic
        n = 0
        while True:
            tag = b"%07d" % n
            write_atomic(Path({str(path)!r}),
                         b"BEGIN " + tag + b"\\n" + b"x" * {filler} + b"END " + tag + b"\\n")
            n += 1
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        reads = 0
        stop = time.monotonic() + delay
        while time.monotonic() < stop:
            assert _complete(path.read_bytes(), size), "a reader saw a partial file"
            reads += 1
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert reads >= 1
    assert _complete(path.read_bytes(), size)
    for stale in tmp_path.glob(".report.json.*.tmp"):
        assert stale.stat().st_size <= size  # a killed write's temp file, never the target


def test_streams_an_iterable_of_parts(tmp_path: Path) -> None:
    """Parts are written in order as UTF-8, across the 1 MiB batches, as one file."""
    parts = [f"part {i} ✅\n" * 5000 for i in range(60)]  # ~3.6 MB, several batches
    path = tmp_path / "report.json"
    write_atomic(path, iter(parts))
    assert path.read_text(encoding="utf-8") == "".join(parts)
    assert leftovers(tmp_path, {"report.json"}) == []


def test_a_stream_failing_midway_keeps_the_old_file(tmp_path: Path) -> None:
    """If the parts stop with an error after some were written, the old file stays whole
    and no temporary file is left: the half-written one is removed."""
    path = tmp_path / "junit.xml"
    path.write_text("old", encoding="utf-8")

    def parts() -> Iterator[str]:
        yield "x" * (3 << 20)  # past one batch: already on disk in the temporary file
        raise ValueError("renderer broke")

    with pytest.raises(ValueError, match="renderer broke"):
        write_atomic(path, parts())
    assert path.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path, {"junit.xml"}) == []
