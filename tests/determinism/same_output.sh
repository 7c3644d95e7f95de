#!/usr/bin/env bash
# Runs `nninv ARGS... --json` twice and requires the same exit code and
# byte-identical stdout once every "time_seconds" value is blanked out. The
# second run starts in another folder with malloc filling fresh memory
# (MALLOC_PERTURB_), and address randomisation differs between the runs, so
# output that depends on uninitialised memory or on pointer order shows up.
#
#   same_output.sh NNINV ARGS...
set -uo pipefail
nninv=$1
shift
[[ $nninv == */* && $nninv != /* ]] && nninv=$PWD/$nninv  # the second run starts elsewhere
first=$(mktemp) second=$(mktemp) elsewhere=$(mktemp -d)
trap 'rm -rf "$first" "$second" "$elsewhere"' EXIT

"$nninv" "$@" --json > "$first"
first_exit=$?
(cd "$elsewhere" && MALLOC_PERTURB_=165 "$nninv" "$@" --json) > "$second"
second_exit=$?

if (( first_exit != second_exit )); then
  echo "exit codes differ: $first_exit, then $second_exit"
  exit 1
fi
if (( first_exit > 2 )); then
  echo "nninv failed (exit $first_exit); a determinism test needs a verdict"
  exit 1
fi
blank='s/"time_seconds":[^,}]*/"time_seconds":_/g'
if ! diff <(sed -E "$blank" "$first") <(sed -E "$blank" "$second"); then
  echo "outputs differ (apart from time_seconds): see the diff above"
  exit 1
fi
if ! grep -q '"time_seconds"' "$first"; then
  echo "no time_seconds in the output: is this --json output?"
  exit 1
fi
echo "same output twice (exit $first_exit): $(sed -E "$blank" "$first" | head -c 300)"
