#!/usr/bin/env bash
# Runs every "$ nninv ..." command shown in a guide and checks what the guide
# shows after it: the first "verdict:" word nninv prints, and for
# `nninv lipschitz` every "  upper:" / "  lower:" line, which nninv must
# print exactly as shown. A command's block ends at its verdict or at "```".
# usage: check_guide.sh NNINV_BINARY REPO_ROOT GUIDE.md
set -u
nninv=$1 root=$2 guide=$3
cd "$root" || exit 2
passed=0 failed=0 command="" output="" ran=0
run_once() {
  if [[ $ran -eq 0 ]]; then
    # shellcheck disable=SC2086  # the command's words are meant to split
    output=$("$nninv" $command --quiet 2>&1)
    ran=1
  fi
}
while IFS= read -r line; do
  if [[ $line == '$ nninv '* ]]; then
    command=${line#'$ nninv '} ran=0
  elif [[ -n $command && $line =~ ^verdict:\ +([a-z]+) ]]; then
    shown=${BASH_REMATCH[1]}
    run_once
    got=$(sed -n 's/^verdict: *\([a-z]*\).*/\1/p' <<< "$output" | head -n 1)
    if [[ $got == "$shown" ]]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      echo "FAIL: nninv $command: the guide shows '$shown', nninv says '${got:-nothing}'"
    fi
    command=""
  elif [[ -n $command && $line =~ ^\ \ (upper|lower):\  ]]; then
    run_once
    if grep -qxF -- "$line" <<< "$output"; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      echo "FAIL: nninv $command: the guide shows '$line', nninv prints:"
      echo "$output"
    fi
  elif [[ $line == '```' ]]; then
    command=""
  fi
done < "$guide"
echo "guide: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
