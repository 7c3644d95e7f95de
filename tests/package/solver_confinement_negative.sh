#!/usr/bin/env bash
# The confinement check must fail on a copy of the tree where src/decide
# includes <z3++.h>, and on one where an installed header includes cvc5.
# Usage: solver_confinement_negative.sh CMAKE SCRIPT SOURCE_DIR
set -euo pipefail
cmake=$1 script=$2 source=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for probe in "src/decide/probe.cpp:#include <z3++.h>" "include/nninv/probe.hpp:  #include \"cvc5/cvc5.h\""; do
  rm -rf "$work/tree" && mkdir -p "$work/tree"
  cp -r "$source/src" "$source/include" "$source/tests" "$work/tree/"
  file=${probe%%:*} line=${probe#*:}
  printf '%s\n' "$line" >"$work/tree/$file"
  if "$cmake" -DSOURCE_DIR="$work/tree" -P "$script" >"$work/log" 2>&1; then
    cat "$work/log"; echo "FAIL: the check accepted $file with: $line" >&2; exit 1
  fi
  grep -q "$file" "$work/log" || { cat "$work/log"; echo "FAIL: the check did not name $file" >&2; exit 1; }
done
"$cmake" -DSOURCE_DIR="$source" -P "$script" >/dev/null
echo "the confinement check rejects both probes and accepts the tree"
