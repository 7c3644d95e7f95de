#!/usr/bin/env bash
# Sets up and builds nninv, then runs the whole test suite (unit, regression
# corpus, differential, command line). This is exactly what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd build
ctest --output-on-failure -j2
