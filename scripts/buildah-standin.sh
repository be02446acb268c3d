#!/usr/bin/env bash
# Build the Action's image from the Dockerfile without a Docker engine, and run it the
# way the GitHub runner starts the container, against the emulator.
#
#   sudo apt-get install buildah debootstrap     # Debian packages
#   sudo PYTHON=.venv/bin/python bash scripts/buildah-standin.sh   # as root
#
# PYTHON is a Python with this package installed: it serves the emulator on the host.
#
# No registry is reached for the base image: debootstrap makes a stand-in for
# python:3.12-slim (Debian bookworm's python3 with pip, `python` on PATH, the host's CA
# bundle so pip works behind the host's TLS proxy), committed under that name in
# buildah's local vfs storage; `buildah bud --pull-never` then builds the Dockerfile on
# it. The image's own steps (both stages: the venv from requirements.lock and the
# package, then the runtime copy) run unchanged, with chroot isolation. Then the image's
# own smoke test, as the release workflow runs it: `bluejay-gate demo` inside the
# container (the gate against the emulator in the image: the quickstart passes, the
# failing example exits 1). Exit 0 when those did and the container's entrypoint gate
# passed and wrote its outputs and reports. IMAGE names the built image
# (default bluejay-gate:standin); bench/image.py measures it.
set -euo pipefail
cd "$(dirname "$0")/.."
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
WORK=${BUILDAH_STANDIN_DIR:-/tmp/bluejay-gate-buildah}
PORT=${BUILDAH_STANDIN_PORT:-8797}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$WORK"

if [ ! -x "$WORK/rootfs/usr/bin/python3" ]; then
  echo "== debootstrap: a stand-in base in $WORK/rootfs"
  rm -rf "$WORK/rootfs"
  debootstrap --variant=minbase --include=python3,python3-pip,python3-venv \
    bookworm "$WORK/rootfs" "$MIRROR" > "$WORK/debootstrap.log"
fi
rm -f "$WORK"/rootfs/usr/lib/python3*/EXTERNALLY-MANAGED
ln -sf /usr/bin/python3 "$WORK/rootfs/usr/local/bin/python"
cp /etc/ssl/certs/ca-certificates.crt "$WORK/rootfs/etc/ssl/certs/ca-certificates.crt"

echo "== stand-in committed as python:3.12-slim (local storage only)"
base=$(buildah from scratch)
cp -a "$WORK/rootfs/." "$(buildah mount "$base")/"
buildah config --env PATH=/usr/local/bin:/usr/bin:/bin "$base"
buildah commit -q "$base" docker.io/library/python:3.12-slim > /dev/null
buildah rm "$base" > /dev/null

echo "== buildah bud (the Dockerfile as it is)"
IMAGE=${IMAGE:-bluejay-gate:standin}
buildah bud --isolation chroot --pull-never --layers=false -t "$IMAGE" . > "$WORK/build.log"

echo "== the image's own smoke test: bluejay-gate demo inside the container"
smoke=$(buildah from "$IMAGE")
buildah run --isolation chroot "$smoke" -- bluejay-gate --version
buildah run --isolation chroot "$smoke" -- bluejay-gate demo --out /tmp/demo > "$WORK/demo.log" 2>&1
grep -q '^PASSED (exit 0)' "$WORK/demo.log"
failing=0
buildah run --isolation chroot "$smoke" -- bluejay-gate demo --example failing --out /tmp/demo \
  > "$WORK/demo-failing.log" 2>&1 || failing=$?
buildah rm "$smoke" > /dev/null
test "$failing" = 1
echo "demo: quickstart passed, failing example exited 1"

echo "== run entrypoint.py as the runner does, against the emulator on 127.0.0.1:$PORT"
ws="$WORK/workspace"
rm -rf "$ws" && mkdir -p "$ws/out"
cp -r examples/quickstart "$ws/gate"
sed -i 's/poll_interval: 10s/poll_interval: 0.2s/' "$ws/gate/bluejay-gate.yml"
touch "$ws/out/github_output" "$ws/out/summary"
"${PYTHON:-python3}" -m bluejay_gate emulator --port "$PORT" --speed 50 --quiet \
  --scenario examples/quickstart/emulator.yml > "$WORK/emulator.log" 2>&1 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true' EXIT
sleep 2
if ! kill -0 "$emulator" 2>/dev/null; then
  cat "$WORK/emulator.log"
  echo "the emulator did not start: set PYTHON to a Python with bluejay-gate installed"
  exit 1
fi
ctr=$(buildah from "$IMAGE")
status=0
buildah run --isolation chroot -v "$ws:/github/workspace" \
  --env GITHUB_ACTIONS=true --env GITHUB_WORKSPACE=/github/workspace \
  --env GITHUB_OUTPUT=/github/workspace/out/github_output \
  --env GITHUB_STEP_SUMMARY=/github/workspace/out/summary \
  --env INPUT_API-KEY=standin-key --env INPUT_SPEC=bluejay-gate.yml \
  --env "INPUT_BASE-URL=http://127.0.0.1:$PORT" --env INPUT_WORKING-DIRECTORY=gate \
  --env INPUT_JUNIT-PATH=bluejay-junit.xml --env INPUT_REPORT-PATH=bluejay-report.json \
  --env INPUT_TIMEOUT= --env INPUT_DRY-RUN=false \
  "$ctr" -- /opt/venv/bin/python /opt/bluejay-gate/entrypoint.py > "$WORK/run.log" 2>&1 || status=$?
buildah rm "$ctr" > /dev/null
tail -3 "$WORK/run.log"
test "$status" = 0
grep -A1 '^passed<<' "$ws/out/github_output" | grep -qx true
test -s "$ws/gate/bluejay-junit.xml"
test -s "$ws/gate/bluejay-report.json"
echo "PASS: image built by buildah on the stand-in base; the container's gate passed"
