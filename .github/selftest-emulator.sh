#!/usr/bin/env bash
# Start `bluejay-gate emulator` for the self-test workflow: https on the host's docker0
# address, so the Action's container can reach it; writes the CA the container trusts
# (SSL_CERT_FILE) to .selftest/ca.pem and the URL to the step output `base-url`.
# Usage: selftest-emulator.sh SCENARIO.yml
# SELFTEST_HOST, SELFTEST_PORT and SELFTEST_NO_INSTALL=1 let a test run it off a runner.
set -euo pipefail
scenario=$1
port=${SELFTEST_PORT:-8787}
if [ -z "${SELFTEST_NO_INSTALL:-}" ]; then
  python -m pip install --quiet . trustme
fi
host=${SELFTEST_HOST:-$(ip -4 -o addr show docker0 | awk '{print $4}' | cut -d/ -f1)}
test -n "$host"
mkdir -p .selftest
python - "$host" <<'PY'
import sys

import trustme

ca = trustme.CA()
cert = ca.issue_cert(sys.argv[1])
ca.cert_pem.write_to_path(".selftest/ca.pem")
cert.private_key_and_cert_chain_pem.write_to_path(".selftest/server.pem")
PY
nohup bluejay-gate emulator --host "$host" --allow-remote --port "$port" --speed 50 \
  --scenario "$scenario" --tls-cert .selftest/server.pem \
  > .selftest/emulator.log 2>&1 &
echo $! > .selftest/emulator.pid
for _ in $(seq 50); do
  if curl -sS -o /dev/null --cacert .selftest/ca.pem "https://$host:$port/" 2>/dev/null; then
    echo "base-url=https://$host:$port" >> "$GITHUB_OUTPUT"
    exit 0
  fi
  sleep 0.2
done
cat .selftest/emulator.log
exit 1
