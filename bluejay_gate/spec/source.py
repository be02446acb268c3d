"""Read the spec file into YAML values with line numbers, or fail with one ``SpecError``.

Owns what can go wrong before any key is looked at: a missing, unreadable or non-UTF-8
file, bad YAML, an empty file, a top level that is not a mapping. Reads the one file;
never validates keys (``load`` does).
"""

from __future__ import annotations

from pathlib import Path

from bluejay_gate.errors import SpecError
from bluejay_gate.spec.yamlpos import Located, YamlError, load_located


def one_line(text: str) -> str:
    """``text`` with its line breaks turned into spaces: messages are one line."""
    return " ".join(text.splitlines())


def read_located(spec_path: Path, file: str) -> Located:
    """The YAML at ``spec_path`` as a located mapping; ``file`` names it in errors."""
    try:
        raw = spec_path.read_bytes()
    except FileNotFoundError:
        raise SpecError("spec file not found: create it or pass --spec PATH", file=file) from None
    except IsADirectoryError:
        raise SpecError(
            "is a folder, not a spec file: pass --spec PATH/bluejay-gate.yml", file=file
        ) from None
    except OSError as exc:
        raise SpecError(f"cannot read the spec: {exc.strerror}", file=file) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError(
            f"not UTF-8 text (byte {exc.start}): save the spec as UTF-8", file=file, line=line
        ) from None
    try:
        located = load_located(text)
    except YamlError as exc:
        raise SpecError(one_line(exc.message), file=file, line=exc.line) from None
    if located is None:
        raise SpecError(
            "the spec is empty: start with `version: 1`, then `agent:`, `simulations:` and "
            "`thresholds:`",
            file=file,
            line=1,
        )
    if not isinstance(located.value, dict):
        kind = "a list" if isinstance(located.value, list) else "a single value"
        raise SpecError(
            f"the spec must be a mapping with `version`, `agent`, `simulations` and "
            f"`thresholds`, found {kind}",
            file=file,
            line=1,
        )
    return located
