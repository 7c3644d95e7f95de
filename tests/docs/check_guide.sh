#!/usr/bin/env bash
# Runs every "$ nninv ..." command shown in a guide and checks that the first
# "verdict:" word nninv prints equals the one the guide shows after it.
# usage: check_guide.sh NNINV_BINARY REPO_ROOT GUIDE.md
set -u
nninv=$1 root=$2 guide=$3
cd "$root" || exit 2
passed=0 failed=0 command=""
while IFS= read -r line; do
  if [[ $line == '$ nninv '* ]]; then
    command=${line#'$ nninv '}
  elif [[ -n $command && $line =~ ^verdict:\ +([a-z]+) ]]; then
    shown=${BASH_REMATCH[1]}
    # shellcheck disable=SC2086  # the command's words are meant to split
    got=$("$nninv" $command --quiet 2>&1 | sed -n 's/^verdict: *\([a-z]*\).*/\1/p' | head -n 1)
    if [[ $got == "$shown" ]]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      echo "FAIL: nninv $command: the guide shows '$shown', nninv says '${got:-nothing}'"
    fi
    command=""
  fi
done < "$guide"
echo "guide: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
