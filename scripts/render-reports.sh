#!/usr/bin/env bash
# Render the gate's reports as a person sees them: run the failing demo (the real gate
# against the built-in emulator) into OUT, then render its JUnit with junit2html and its
# Markdown summary with Python-Markdown and GitHub-flavoured markdown-it-py, beside it.
#   scripts/render-reports.sh OUT [EXAMPLE]     (needs the `test` extra: pip install -e '.[test]')
# Opens nothing; prints the pages written. Exit 0 when rendered (the demo's own exit 1 is expected).
set -euo pipefail
out="${1:?usage: scripts/render-reports.sh OUT [EXAMPLE]}"
example="${2:-failing}"
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python}"
mkdir -p "$out"
cd "$root"
"$python" -m bluejay_gate demo --example "$example" --out "$out" >"$out/console.txt" || true
test -s "$out/bluejay-junit.xml" || { echo "render-reports: the demo wrote no JUnit in $out" >&2; exit 1; }
"$python" -m tests.helpers.renders "$out"
echo "$out/console.txt"
