#!/usr/bin/env bash
# Sets up and builds nninv, then runs the whole test suite (unit, regression
# corpus, differential, command line, docs, SMT-LIB cross-check with cvc5).
# This is exactly what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Test-only tools: cvc5 re-decides exported SMT-LIB queries; pdflatex
# compiles the LaTeX proof reports.
if ! command -v cvc5 >/dev/null || ! command -v pdflatex >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends cvc5 texlive-latex-base >/dev/null
fi
cd build
ctest --output-on-failure -j2
