#!/usr/bin/env bash
# nninv-check builds from a copy of the tree without src/analysis,
# src/decide, src/smt, src/report, src/cli (and their headers), with
# -DNNINV_CHECKER_ONLY=ON, and then agrees with the full build's nninv-check
# on certificates the producer writes for the bundled examples; a tampered
# certificate is rejected (issue 13: the checker depends on no producer code).
# Usage: checker_alone.sh CMAKE SOURCE_DIR NNINV NNINV_CHECK
set -euo pipefail
cmake=$1 source=$2 nninv=$3 full_check=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tree/src" "$work/tree/include/nninv"
cp "$source/CMakeLists.txt" "$work/tree/"
cp -r "$source/cmake" "$work/tree/"
for d in arith net io cert check; do
  cp -r "$source/src/$d" "$work/tree/src/"
  [ -d "$source/include/nninv/$d" ] && cp -r "$source/include/nninv/$d" "$work/tree/include/nninv/"
done
cp "$source/include/nninv/errors.hpp" "$work/tree/include/nninv/"
"$cmake" -S "$work/tree" -B "$work/build" -DNNINV_CHECKER_ONLY=ON -DCMAKE_BUILD_TYPE=Debug >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; echo "FAIL: configuring the checker alone" >&2; exit 1; }
"$cmake" --build "$work/build" --target nninv-check -j 2 >"$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log"; echo "FAIL: building the checker alone" >&2; exit 1; }
alone=$work/build/nninv-check

checked=0 certified=0
for net in "$source"/examples/*.json; do
  for property in injective surjective bijective lipschitz; do
    cert=$work/$(basename "$net" .json).$property.cert
    "$nninv" "$property" "$net" --timeout 20 --certificate "$cert" >/dev/null 2>&1 || true
    [ -f "$cert" ] || continue
    set +e
    "$full_check" "$net" "$cert" >/dev/null 2>&1; full=$?
    "$alone" "$net" "$cert" >"$work/alone.log" 2>&1; own=$?
    set -e
    if [ "$full" != "$own" ]; then
      cat "$work/alone.log"
      echo "FAIL: $(basename "$net") $property: the full checker exits $full, the checker alone $own" >&2
      exit 1
    fi
    checked=$((checked + 1))
    [ "$own" = 0 ] && certified=$((certified + 1))
  done
done
[ "$certified" -ge 20 ] || { echo "FAIL: only $certified of $checked certificates certified" >&2; exit 1; }

# A tampered certificate: the claimed network hash changed.
cert=$work/split_identity.injective.cert
sed 's/"sha256": *"\([0-9a-f]\)/"sha256": "x/' "$cert" >"$work/tampered.cert"
! cmp -s "$cert" "$work/tampered.cert" || { echo "FAIL: the tampering changed nothing" >&2; exit 1; }
if "$alone" "$source/examples/split_identity.json" "$work/tampered.cert" >/dev/null 2>&1; then
  echo "FAIL: the checker alone accepted a tampered certificate" >&2; exit 1
fi
echo "the checker alone builds without analysis, decide, smt, report and cli, agrees with the full build on $checked certificates ($certified certified) and rejects a tampered one"
