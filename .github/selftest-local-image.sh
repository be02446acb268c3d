#!/usr/bin/env bash
# The self-test tests the Action from the checkout: action.yml names the prebuilt image
# of its version (docker://ghcr.io/...), which is this commit's only once it is released,
# so this points runs.image at the Dockerfile instead and `uses: ./` builds it. Inputs,
# outputs and the rest of action.yml stay as they are.
#
#   bash .github/selftest-local-image.sh [action.yml]
set -euo pipefail
file=${1:-action.yml}
if ! grep -Eq '^  image: docker://ghcr\.io/[^ ]+$' "$file"; then
  echo "::error file=$file::runs.image is not a docker://ghcr.io/ image: nothing to point at the Dockerfile"
  exit 1
fi
sed -i -E 's|^  image: docker://ghcr\.io/[^ ]+$|  image: Dockerfile|' "$file"
echo "$file: runs.image is now the Dockerfile of this checkout"
