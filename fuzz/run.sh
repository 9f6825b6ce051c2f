#!/usr/bin/env bash
# `make fuzz`: fuzzes every target (or FUZZ_TARGETS) for FUZZ_SECONDS each, one
# after the other, single process (no -jobs/-workers). New inputs accumulate in
# build/fuzz/corpus-<target>/ across runs (the committed seeds in
# fuzz/corpus/<target>/ are read, never written); crashes, leaks and timeouts
# are kept as build/fuzz/artifacts/<target>-crash-<sha1> (and leak-, timeout-,
# oom-). Exits non-zero if any target failed. See fuzz/README.md.
#   FUZZ_SECONDS=300 FUZZ_TARGETS="policy jwt" bash fuzz/run.sh [extra libFuzzer flags]
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build/fuzz}
seconds=${FUZZ_SECONDS:-300}
targets=${FUZZ_TARGETS:-form sigv4 policy jwt jwks saml_response saml_metadata config http_session}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
symbolizer=$(command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)
[ -n "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$symbolizer}

mkdir -p "$build/artifacts"
failed=()
for t in $targets; do
  bin=$build/fuzz/fuzz_$t
  if [ ! -x "$bin" ]; then
    echo "fuzz: $bin is missing (cmake --preset fuzz && cmake --build --preset fuzz)" >&2
    exit 2
  fi
  corpus=$build/corpus-$t
  mkdir -p "$corpus"
  dict=()
  [ -f "$root/fuzz/dict/$t.dict" ] && dict=("-dict=$root/fuzz/dict/$t.dict")
  echo "== fuzz_$t: ${seconds}s; corpus $corpus; artifacts $build/artifacts/$t-*"
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      "-artifact_prefix=$build/artifacts/$t-" "${dict[@]}" "$@" "$corpus" "$root/fuzz/corpus/$t"; then
    failed+=("$t")
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (reproducers in $build/artifacts/; see fuzz/README.md to minimise one" \
       "into fuzz/regressions/<target>/)" >&2
  exit 1
fi
echo "fuzz: no crash in ${targets// /, } (${seconds}s each)"
