"""The one place that writes files: atomically, so a reader never sees half a report.

``write_atomic`` writes to a temporary file in the target's directory, flushes it to
disk, then renames it over the target with ``os.replace`` (atomic on POSIX and on
Windows within one volume). If anything fails — encoding, a full disk, a rename onto a
directory — the previous file is left as it was and the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

_DEFAULT_UMASK = 0o022


_CHUNK = 1 << 20  # characters gathered before one encode and write of a streamed report


def write_atomic(path: Path, data: str | bytes | Iterable[str]) -> None:
    """Write ``data`` to ``path`` atomically: ``bytes`` as they are, ``str`` as UTF-8, or an
    iterable of ``str`` parts streamed as UTF-8 (a large report is never held whole).

    Creates missing parent directories. A new file gets the usual permissions
    (0666 minus the umask, not the 0600 of a temporary file); an existing file keeps
    its mode. Raises ``OSError`` (or ``UnicodeEncodeError`` for text that is not
    valid Unicode, or whatever the iterable raises) and leaves no temporary file behind.
    """
    path = Path(path)
    parent = path.parent
    parent.mkdir(parents=True, exist_ok=True)
    mode = _target_mode(path)
    fd, tmp_name = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            _write_all(handle, data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_directory(parent)


def _write_all(handle: BinaryIO, data: str | bytes | Iterable[str]) -> None:
    if isinstance(data, bytes | bytearray):
        handle.write(data)
        return
    if isinstance(data, str):
        handle.write(data.encode("utf-8"))
        return
    batch: list[str] = []
    size = 0
    for part in data:
        batch.append(part)
        size += len(part)
        if size >= _CHUNK:
            handle.write("".join(batch).encode("utf-8"))
            batch.clear()
            size = 0
    handle.write("".join(batch).encode("utf-8"))


def _target_mode(path: Path) -> int:
    """The existing file's permission bits, else 0666 minus the process umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_current_umask()


def _current_umask() -> int:
    """Read the umask without changing it (``os.umask`` would race with other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return _DEFAULT_UMASK


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows it (best effort)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
