"""Comparing two folders written by ``bluejay-gate pull`` apart from ids and comments: the
spec files as data (YAML parsed, so comments, and with them every Bluejay id, are gone),
and every text file beside them byte for byte. The round trips use it: a pull from one
account and a pull from another that the spec was run against must agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SPEC = "bluejay-gate.yml"


def pulled_files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its path relative to it (``/`` separated)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def spec_data(folder: Path) -> Any:
    """The pulled spec as data: what the loader reads, without the comments."""
    return yaml.safe_load((folder / SPEC).read_text(encoding="utf-8"))


def _walk(a: Any, b: Any, where: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a:
                out.append(f"{where}.{key}: only in the second ({b[key]!r})")
            elif key not in b:
                out.append(f"{where}.{key}: only in the first ({a[key]!r})")
            else:
                _walk(a[key], b[key], f"{where}.{key}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _walk(x, y, f"{where}[{i}]", out)
    elif a != b or type(a) is not type(b):
        out.append(f"{where}: {a!r} != {b!r}")


def pulled_differences(first: Path, second: Path) -> list[str]:
    """What differs between two pulled folders apart from ids and comments, one line each
    (empty: the same setup). The agent's ``id`` (written only when Bluejay has no
    external id) differs between accounts and is left out."""
    out: list[str] = []
    a, b = spec_data(first), spec_data(second)
    for data in (a, b):
        if isinstance(data, dict) and isinstance(data.get("agent"), dict):
            data["agent"].pop("id", None)
    _walk(a, b, "spec", out)
    files_a = {k: v for k, v in pulled_files(first).items() if k != SPEC}
    files_b = {k: v for k, v in pulled_files(second).items() if k != SPEC}
    for name in sorted(set(files_a) | set(files_b)):
        if name not in files_b:
            out.append(f"{name}: only in the first folder")
        elif name not in files_a:
            out.append(f"{name}: only in the second folder")
        elif files_a[name] != files_b[name]:
            out.append(f"{name}: the texts differ")
    return out


def assert_same_pulled(first: Path, second: Path) -> None:
    """Fails listing every difference between the two pulled folders."""
    differences = pulled_differences(first, second)
    assert not differences, "pulled folders differ:\n" + "\n".join(differences)
