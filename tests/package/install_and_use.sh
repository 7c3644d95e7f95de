#!/usr/bin/env bash
# Installs nninv from BUILD_DIR into a scratch prefix, builds docs/example
# against it with find_package(nninv), and checks its verdicts: fold.json is
# not injective (|x| collides), leaky_square.json is (a leaky layer between
# invertible dense layers). Also checks that the installed package names no
# path of the source or build tree, so the prefix can be moved or packaged.
# Usage: install_and_use.sh CMAKE BUILD_DIR SOURCE_DIR CXX_COMPILER [EXTRA_FLAGS]
set -euo pipefail
cmake=$1 build=$2 source=$3 cxx=$4 flags=${5:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$cmake" --install "$build" --prefix "$work/prefix" >"$work/install.log" || { cat "$work/install.log"; fail "install"; }
for f in bin/nninv bin/nninv-check include/nninv/decide/pipeline.hpp lib/cmake/nninv/nninvConfig.cmake; do
  [ -e "$work/prefix/$f" ] || fail "$f was not installed"
done
[ ! -e "$work/prefix/include/nninv/smt" ] || fail "the internal headers include/nninv/smt were installed"
if grep -rlE '#[[:space:]]*include[[:space:]]*[<"](z3|cvc5)' "$work/prefix/include" >/dev/null; then
  fail "an installed header includes a solver header: $(grep -rlE '#[[:space:]]*include[[:space:]]*[<"](z3|cvc5)' "$work/prefix/include")"
fi
if grep -rl -e "$source" -e "$build" "$work/prefix/lib/cmake/nninv" >/dev/null; then
  fail "the installed package refers to the source or build tree: $(grep -rl -e "$source" -e "$build" "$work/prefix/lib/cmake/nninv")"
fi

"$cmake" -S "$source/docs/example" -B "$work/example" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; fail "configuring docs/example with find_package(nninv)"; }
"$cmake" --build "$work/example" >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "building docs/example"; }

check() {  # network, expected exit code, expected verdict
  local rc=0 out
  out=$("$work/example/is_injective" "$source/examples/$1" 30) || rc=$?
  echo "$1: exit $rc"
  echo "$out"
  [ "$rc" -eq "$2" ] || fail "$1: exit code $rc, expected $2"
  grep -qx "injective: $3" <<<"$out" || fail "$1: expected the verdict $3"
}
check fold.json 1 violated
check leaky_square.json 0 holds
"$work/prefix/bin/nninv" --version >/dev/null || fail "the installed nninv does not run"
echo "package test passed"
