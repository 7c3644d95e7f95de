#!/usr/bin/env bash
# Sets up and builds nninv, then asks it about two bundled example networks.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
set +e
echo "\$ build/nninv injective examples/split_identity.json"
build/nninv injective examples/split_identity.json
echo
echo "\$ build/nninv injective examples/fold.json"
build/nninv injective examples/fold.json
exit 0
