"""Measure the Action's image with buildah: ``python bench/image.py [--image NAME] [--runs 5]``.

Needs root and buildah, and an image built by ``scripts/buildah-standin.sh`` (on its
debootstrap stand-in base, committed as ``python:3.12-slim``); not in ``.ci/run``. Prints:

1. size: the image's layers compressed (``buildah push --compression-format gzip`` to an
   OCI layout folder: the blob sizes of its manifest), and on disk (``du`` of the mounted
   root file system); each for the whole image and for what it adds to its base (the
   layers not in the base's manifest; ``/opt/venv`` plus ``/opt/bluejay-gate``);
2. start to first request: from just before ``buildah from`` (the container created, as
   ``docker run`` does) to the first request the emulator receives, when ``buildah run``
   starts the image's entrypoint with the runner's environment against the emulator
   (in-process here, on 127.0.0.1, timestamps from its request log on the same monotonic
   clock); beside it, buildah's own cost of the same start (``buildah from`` and
   ``buildah run -- true``), and the difference: the image's own process, from its start
   to its first request; also the whole gate's wall time; the median of ``--runs``;
3. with ``--build``: the wall time of ``buildah bud`` of the Dockerfile (what every job
   paid before, when action.yml named the Dockerfile), base already present.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bluejay_gate.emulator import Emulator  # noqa: E402

BASE = "docker.io/library/python:3.12-slim"
RUN = ["buildah", "run", "--isolation", "chroot"]
BUD = ["buildah", "bud", "--isolation", "chroot", "--pull-never", "--layers=false"]


def buildah(*args: str) -> str:
    done = subprocess.run(["buildah", *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def layer_sizes(image: str, folder: Path) -> dict[str, int]:
    """digest -> compressed size of each layer of ``image`` pushed gzip-compressed."""
    target = folder / image.replace("/", "_").replace(":", "_")
    buildah("push", "--quiet", "--compression-format", "gzip", image, f"oci:{target}:x")
    index = json.loads((target / "index.json").read_text())
    digest = index["manifests"][0]["digest"].split(":", 1)[1]
    manifest = json.loads((target / "blobs" / "sha256" / digest).read_text())
    return {layer["digest"]: int(layer["size"]) for layer in manifest["layers"]}


def disk_usage(image: str, *paths: str) -> int:
    ctr = buildah("from", image)
    try:
        root = Path(buildah("mount", ctr))
        targets = [str(root / p.lstrip("/")) for p in paths] if paths else [str(root)]
        out = subprocess.run(["du", "-sbc", *targets], capture_output=True, text=True, check=True)
        return int(out.stdout.strip().splitlines()[-1].split()[0])
    finally:
        buildah("rm", ctr)


def mb(size: float) -> str:
    return f"{size / 1e6:.1f} MB"


def start_to_first_request(image: str, runs: int) -> tuple[list[float], list[float], list[float]]:
    firsts: list[float] = []
    walls: list[float] = []
    floors: list[float] = []
    scenario = ROOT / "examples" / "quickstart" / "emulator.yml"
    config = json.loads(buildah("inspect", "--type", "image", image))["OCIv1"]["config"]
    entrypoint: list[str] = config["Entrypoint"]  # buildah run does not run it by itself
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp, Emulator(scenario=scenario, speed=50) as emu:
            ws = Path(tmp)
            shutil.copytree(ROOT / "examples" / "quickstart", ws / "gate")
            spec = ws / "gate" / "bluejay-gate.yml"
            spec.write_text(spec.read_text().replace("poll_interval: 10s", "poll_interval: 0.2s"))
            (ws / "out").mkdir()
            for name in ("github_output", "summary"):
                (ws / "out" / name).touch()
            env = {
                "GITHUB_ACTIONS": "true",
                "GITHUB_WORKSPACE": "/github/workspace",
                "GITHUB_OUTPUT": "/github/workspace/out/github_output",
                "GITHUB_STEP_SUMMARY": "/github/workspace/out/summary",
                "INPUT_API-KEY": "bench-key",
                "INPUT_SPEC": "bluejay-gate.yml",
                "INPUT_BASE-URL": emu.base_url,
                "INPUT_WORKING-DIRECTORY": "gate",
            }
            flags = [f"--env={k}={v}" for k, v in env.items()]
            started = time.monotonic()
            ctr = buildah("from", image)
            try:
                subprocess.run(
                    [*RUN, "-v", f"{ws}:/github/workspace", *flags, ctr, "--", *entrypoint],
                    capture_output=True,
                    check=True,
                    timeout=300,
                )
                walls.append(time.monotonic() - started)
            finally:
                buildah("rm", ctr)
            firsts.append(min(r.time for r in emu.requests) - started)
            floors.append(_container_floor(image))
    return firsts, walls, floors


def _container_floor(image: str) -> float:
    """buildah's own cost of the same start: ``buildah from`` + ``buildah run -- true``."""
    started = time.monotonic()
    ctr = buildah("from", image)
    try:
        subprocess.run([*RUN, ctr, "--", "true"], capture_output=True, check=True)
        return time.monotonic() - started
    finally:
        buildah("rm", ctr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="localhost/bluejay-gate:standin")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build", action="store_true", help="also time buildah bud")
    parser.add_argument(
        "--ours",
        nargs="+",
        default=["/opt/venv", "/opt/bluejay-gate"],
        help="what the image adds to its base, for the on-disk figure",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = layer_sizes(BASE, Path(tmp))
        image = layer_sizes(args.image, Path(tmp))
    added = {d: s for d, s in image.items() if d not in base}
    disk_all = disk_usage(args.image)
    disk_ours = disk_usage(args.image, *args.ours)
    print(f"image {args.image} on the stand-in base (buildah {buildah('--version').split()[2]})")
    print(
        f"compressed (gzip layers): {mb(sum(image.values()))} in all, "
        f"{mb(sum(added.values()))} in {len(added)} layer(s) over the base"
    )
    print(f"on disk: {mb(disk_all)} in all, {mb(disk_ours)} in {' + '.join(args.ours)}")
    firsts, walls, floors = start_to_first_request(args.image, args.runs)
    inside = [first - floor for first, floor in zip(firsts, floors, strict=True)]
    print(
        f"start (buildah from + run) to first request: median {statistics.median(firsts):.2f} s"
        f" (min {min(firsts):.2f}, max {max(firsts):.2f}, {args.runs} runs); "
        f"buildah's own from + run of `true`: median {statistics.median(floors):.2f} s; "
        f"the difference (the image's process to its first request): median "
        f"{statistics.median(inside):.2f} s (min {min(inside):.2f}); "
        f"whole quickstart gate: median {statistics.median(walls):.2f} s"
    )
    if args.build:
        started = time.monotonic()
        subprocess.run(
            [*BUD, "-q", "-t", "bluejay-gate:bench-build", str(ROOT)],
            capture_output=True,
            check=True,
        )
        print(f"buildah bud of the Dockerfile (base present): {time.monotonic() - started:.1f} s")
        buildah("rmi", "bluejay-gate:bench-build")
    return 0


if __name__ == "__main__":
    sys.exit(main())
