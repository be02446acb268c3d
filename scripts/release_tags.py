#!/usr/bin/env python3
"""Release check: a git tag ``vX.Y.Z`` must name this checkout's version everywhere, and
the tags the release pushes follow from it.

    python3 scripts/release_tags.py v1.2.3 [--sha COMMIT]

The version has one source, ``bluejay_gate.__version__`` (pyproject.toml reads it as its
dynamic version; ``--version`` and the reports print it). Two files cannot import it and
repeat it, so this checks them: action.yml's ``runs.image`` (``docker://IMAGE:vX.Y.Z``) and
the GitLab component's ``image-version`` default. On success it prints ``key=value`` lines
(also appended to ``$GITHUB_OUTPUT`` when set): ``version``, ``image`` (the repository
action.yml names), ``tags`` (``vX.Y.Z vX.Y vX``, and ``sha-COMMIT`` with ``--sha``) and
``major``. Otherwise one line per mismatch, exit 1. Reads files; changes nothing; needs
only the standard library (the release jobs run it before installing anything).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAG = re.compile(r"v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
_VERSION = re.compile(r'^__version__ = "([^"]+)"$', re.MULTILINE)
_ACTION_IMAGE = re.compile(r"^  image: docker://(?P<image>[^\s:]+):(?P<tag>\S+)$", re.MULTILINE)
# The `image-version:` input of the component's spec header and its `default:`.
_COMPONENT_DEFAULT = re.compile(
    r"^    image-version:\n(?:      (?!default:).*\n)*      default: \"?(?P<tag>[^\"\s]+)\"?$",
    re.MULTILINE,
)
COMPONENT = "templates/bluejay-gate.yml"


def package_version(root: Path) -> str:
    found = _VERSION.search((root / "bluejay_gate" / "__init__.py").read_text())
    if found is None:
        raise SystemExit('bluejay_gate/__init__.py: no `__version__ = "X.Y.Z"` line')
    return found.group(1)


def check(tag: str, root: Path, sha: str | None = None) -> tuple[dict[str, str], list[str]]:
    """The outputs for ``tag``, and the problems (empty when the release may go on)."""
    problems: list[str] = []
    parts = TAG.fullmatch(tag)
    if parts is None:
        problems.append(f"tag {tag!r} is not vX.Y.Z: release tags are v1.2.3")
    version = package_version(root)
    if tag != f"v{version}":
        problems.append(
            f"tag {tag} but bluejay_gate/__init__.py says __version__ = {version!r}: "
            f"set it to {tag.removeprefix('v')!r} (and the lines below) and tag again"
        )
    action = _ACTION_IMAGE.search((root / "action.yml").read_text())
    image = ""
    if action is None:
        problems.append("action.yml: runs.image is not `docker://IMAGE:TAG`")
    else:
        image = action["image"]
        if action["tag"] != tag:
            problems.append(f"action.yml: runs.image is tagged {action['tag']}: make it {tag}")
    component = _COMPONENT_DEFAULT.search((root / COMPONENT).read_text())
    if component is None:
        problems.append(f"{COMPONENT}: no `image-version:` input with a `default:`")
    elif component["tag"] != tag:
        problems.append(f"{COMPONENT}: image-version defaults to {component['tag']}: make it {tag}")
    if parts is None:
        return {}, problems
    major, minor = f"v{parts[1]}", f"v{parts[1]}.{parts[2]}"
    tags = [tag, minor, major] + ([f"sha-{sha}"] if sha else [])
    outputs = {"version": version, "image": image, "tags": " ".join(tags), "major": major}
    return outputs, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag", help="the release tag, vX.Y.Z")
    parser.add_argument("--sha", default=None, help="the commit: adds the tag sha-COMMIT")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    outputs, problems = check(args.tag, args.root, args.sha)
    if problems:
        for problem in problems:
            print(f"::error title=release::{problem}")
        return 1
    lines = [f"{key}={value}" for key, value in outputs.items()]
    print("\n".join(lines))
    if target := os.environ.get("GITHUB_OUTPUT"):
        with open(target, "a", encoding="utf-8") as out:
            out.write("".join(f"{line}\n" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
