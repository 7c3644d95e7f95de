#!/usr/bin/env bash
# Sets up and builds nninv (gcc, -Wall -Wextra -Werror), runs the whole test
# suite (unit, regression corpus, differential, command line, certificates,
# docs, SMT-LIB cross-check with cvc5, fuzz corpus replay, ...), then
# scripts/ci-extra.sh: the suite again under AddressSanitizer +
# UndefinedBehaviorSanitizer, and a clang build with -Werror. This is exactly
# what CI runs (about 40 minutes from scratch on 2 cores; docs/testing.md).
#
#   scripts/test.sh            everything
#   NNINV_QUICK=1 scripts/test.sh   the main suite only (a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
NNINV_CMAKE_ARGS="-DNNINV_WERROR=ON" scripts/setup.sh
# Test-only tools: cvc5 re-decides exported SMT-LIB queries; pdflatex
# compiles the LaTeX proof reports; clang builds the -Werror check.
if ! command -v cvc5 >/dev/null || ! command -v pdflatex >/dev/null || ! command -v clang++ >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends cvc5 texlive-latex-base clang >/dev/null
fi
(cd build && ctest --output-on-failure -j2)
if [ "${NNINV_QUICK:-0}" != 1 ]; then
  scripts/ci-extra.sh --jobs 2
fi
