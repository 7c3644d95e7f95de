#!/usr/bin/env bash
# Exports the exact query of every corpus network (nninv PROPERTY --smt2) and
# runs cvc5 on it: "sat" must go with a violated answer, "unsat" with holds.
# A second solver re-deciding the same exact formula guards against Z3 bugs
# and against export mistakes.
# usage: cvc5_agrees.sh NNINV_BINARY CORPUS_DIR [SECONDS_PER_QUERY]
set -u
nninv=$1 corpus=$2 limit=${3:-20}
if ! command -v cvc5 >/dev/null; then
  echo "cvc5 is not installed (Debian package cvc5)"
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 undecided=0
while IFS= read -r expect; do
  net=${expect%.expect}.json
  for property in injective surjective; do
    wanted=$(sed -n "s/.*\"$property\": *\"\([a-z]*\)\".*/\1/p" "$expect")
    [[ -n $wanted ]] || continue
    if ! "$nninv" "$property" "$net" --quiet --timeout 60 --smt2 "$work/q.smt2" >/dev/null 2>&1 && [[ ! -s $work/q.smt2 ]]; then
      failed=$((failed + 1)); echo "FAIL: $net $property: no query written"; continue
    fi
    answer=$(timeout "$limit" cvc5 "$work/q.smt2" 2>&1 | head -n 1)
    rm -f "$work/q.smt2"
    case "$answer" in
      sat) got=violated ;;
      unsat) got=holds ;;
      *) undecided=$((undecided + 1)); continue ;;
    esac
    if [[ $got == "$wanted" ]]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1)); echo "FAIL: $net $property: expected $wanted, cvc5 says $answer"
    fi
  done
done < <(find "$corpus" -name '*.expect' | sort)
echo "cvc5 undecided within ${limit} s: $undecided"
echo "cvc5: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
