#!/usr/bin/env bash
# nninv-check shares no decision code with the producer (issue 13,
# docs/certificates.md "What nninv-check trusts"). Fails when
#   - a file of the checker or of what it trusts (src/check, src/cert and
#     their headers) includes a header of analysis, decide, smt or report,
#     or a solver header;
#   - the nninv-check binary defines a symbol of those namespaces or of Z3.
# Negative cases: a probe include in a copy of the tree must be caught, and
# the symbol test must find producer symbols in the nninv binary.
# Usage: checker_confinement.sh SOURCE_DIR NNINV_CHECK NNINV
set -euo pipefail
source=$1 checker=$2 producer=$3
include_pattern='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]*/)?(nninv/(analysis|decide|smt|report)/|z3|cvc5)'
symbol_pattern='nninv::(analysis|decide|smt|report)::|(^| )z3::|Z3_'

includes() {  # the offending include lines of the trusted files under $1
  find "$1/src/check" "$1/src/cert" "$1/include/nninv/check" "$1/include/nninv/cert" -type f \
    \( -name '*.cpp' -o -name '*.hpp' \) -print0 | xargs -0 grep -HnE "$include_pattern" || true
}

found=$(includes "$source")
if [ -n "$found" ]; then
  echo "FAIL: the checker's trusted files include producer or solver headers:" >&2
  echo "$found" >&2
  exit 1
fi
count=$(find "$source/src/check" "$source/src/cert" -name '*.cpp' | wc -l)
[ "$count" -ge 5 ] || { echo "FAIL: only $count checker sources under $source: wrong SOURCE_DIR?" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tree" && cp -r "$source/src" "$source/include" "$work/tree/"
printf '#include "nninv/analysis/simplify.hpp"\n' >>"$work/tree/src/check/checker.cpp"
[ -n "$(includes "$work/tree")" ] || { echo "FAIL: a probe include of analysis/simplify.hpp was not caught" >&2; exit 1; }

symbols=$(nm -C --defined-only "$checker" | grep -E "$symbol_pattern" || true)
if [ -n "$symbols" ]; then
  echo "FAIL: nninv-check links producer or solver code:" >&2
  echo "$symbols" | head -20 >&2
  exit 1
fi
producer_symbols=$(nm -C --defined-only "$producer" | grep -cE "$symbol_pattern" || true)
[ "$producer_symbols" -gt 0 ] || { echo "FAIL: the symbol test finds no producer symbol even in nninv" >&2; exit 1; }
echo "nninv-check: $count trusted sources include no producer or solver header; the binary defines no producer or Z3 symbol"
