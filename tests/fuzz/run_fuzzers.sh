#!/usr/bin/env bash
# Runs the libFuzzer targets and folds their finds into the saved corpora
# (docs/testing.md). One fuzzer at a time, one job: the machine has 2 cores.
#
#   tests/fuzz/run_fuzzers.sh BUILD_DIR loader SECONDS
#   tests/fuzz/run_fuzzers.sh BUILD_DIR decide SECONDS
#
# BUILD_DIR is configured with CMAKE_CXX_COMPILER=clang++ -DNNINV_FUZZ=ON.
# The working corpus lives in BUILD_DIR/fuzz-work/<target>/ (seeded from the
# regression networks, the examples and the bad-input cases for the loader);
# afterwards the saved corpus tests/fuzz/corpus/<target>/ is replaced by a
# minimisation of both (-set_cover_merge=1, libFuzzer's -merge=1 with a
# greedy set cover).
# Crash inputs are left in BUILD_DIR/fuzz-work/artifacts/ (libFuzzer prints
# the path); each one, minimised with -minimize_crash=1, is kept by hand in
# tests/fuzz/finds/<target>/ (replayed beside the corpus, never merged away).
set -euo pipefail
build=$(realpath "$1") target=$2 seconds=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$build/fuzz-work/$target
mkdir -p "$work" "$build/fuzz-work/artifacts" "$here/corpus/$target"
fuzzer=$build/tests/fuzz/fuzz_$target

if [[ $target == loader && -z $(ls -A "$work") ]]; then
  n=0
  while IFS= read -r -d '' f; do
    cp "$f" "$work/seed-$n-$(basename "$f")"
    n=$((n + 1))
  done < <(find "$root/tests/regress" "$root/examples" -name '*.json' -type f -print0
           find "$root/tests/bad_input" -maxdepth 1 -type f ! -name README.md -print0)
fi

options=(-max_total_time="$seconds" -jobs=1 -workers=1 -rss_limit_mb=4096 -print_final_stats=1
         -artifact_prefix="$build/fuzz-work/artifacts/$target-")
if [[ $target == loader ]]; then
  options+=(-dict="$here/json.dict" -max_len=8192 -timeout=10)
else
  options+=(-max_len=128 -len_control=0 -timeout=60)
fi
# -jobs=1 writes fuzz-0.log in the current folder; keep it with the work corpus.
cd "$build/fuzz-work"
"$fuzzer" "${options[@]}" "$work" "$here/corpus/$target" || true
tail -n 30 fuzz-0.log > "$target-last-run.log" 2>/dev/null || true

# Minimise: a small set of inputs that covers every code edge that the saved
# corpus and the working corpus cover together replaces the saved corpus
# (greedy set cover over edges, without hit counts: a few hundred files).
rm -rf "merged-$target" && mkdir "merged-$target"
"$fuzzer" -set_cover_merge=1 -use_counters=0 -use_value_profile=0 -rss_limit_mb=4096 -timeout=60 "merged-$target" "$here/corpus/$target" "$work" \
  > "$target-merge.log" 2>&1
rm -f "$here/corpus/$target"/*
cp "merged-$target"/* "$here/corpus/$target"/
echo "saved corpus: $(ls "$here/corpus/$target" | wc -l) files; final stats in $build/fuzz-work/$target-last-run.log"
