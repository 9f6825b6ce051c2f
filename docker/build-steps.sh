#!/usr/bin/env bash
# The container's build recipe, runnable on the host too (docker/check-recipe.sh
# does, so CI exercises it without a Docker engine): install the build
# dependencies, configure and build the Release preset without tests, strip
# the binary and stage a root-filesystem overlay for the run stage:
#
#   STAGE/usr/local/bin/stsd                       stripped binary
#   STAGE/etc/stsd/config.json                     the embedded default (a mount replaces it)
#   STAGE/usr/local/share/stsd/runtime-packages    Debian packages the binary links against
#
# usage: docker/build-steps.sh [--deps-only] [--skip-deps] [--build-dir DIR]
#                              [--jobs N] [--binary FILE] STAGE
#   --deps-only     install the build dependencies and stop (a cached image layer)
#   --skip-deps     do not run scripts/install-deps.sh
#   --build-dir DIR CMake build tree (default build/docker; never build/release,
#                   whose cache has the tests on)
#   --jobs N        parallel compile jobs (default: all cores)
#   --binary FILE   stage this already-built stsd instead of building one
#                   (skips dependencies, configure and build)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

deps=1
deps_only=0
build_dir="$repo/build/docker"
jobs=$(nproc)
prebuilt=""
stage=""
while [ $# -gt 0 ]; do
  case "$1" in
    --deps-only) deps_only=1; shift ;;
    --skip-deps) deps=0; shift ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --binary) prebuilt=$2; deps=0; shift 2 ;;
    -*) echo "build-steps: unknown option $1" >&2; exit 2 ;;
    *) stage=$1; shift ;;
  esac
done

if [ "$deps" -eq 1 ]; then
  echo "build-steps: installing build dependencies" >&2
  bash "$repo/scripts/install-deps.sh"
fi
[ "$deps_only" -eq 1 ] && exit 0
[ -n "$stage" ] || { echo "build-steps: missing STAGE directory (see the usage in $0)" >&2; exit 2; }

if [ -n "$prebuilt" ]; then
  binary=$prebuilt
else
  echo "build-steps: configuring $build_dir" >&2
  cmake --preset release -S "$repo" -B "$build_dir" -DSTSD_BUILD_TESTS=OFF >/dev/null
  echo "build-steps: building stsd with $jobs jobs" >&2
  cmake --build "$build_dir" --target stsd --parallel "$jobs"
  binary="$build_dir/stsd"
fi
[ -x "$binary" ] || { echo "build-steps: no executable at $binary" >&2; exit 1; }

mkdir -p "$stage/usr/local/bin" "$stage/etc/stsd" "$stage/usr/local/share/stsd"
strip --strip-unneeded -o "$stage/usr/local/bin/stsd" "$binary"
chmod 0755 "$stage/usr/local/bin/stsd"
# Baked in so that STSD_CONFIG can always name /etc/stsd/config.json: a
# mounted file replaces it, and without one the server behaves as plain `stsd`.
"$stage/usr/local/bin/stsd" --print-default-config >"$stage/etc/stsd/config.json"
chmod 0644 "$stage/etc/stsd/config.json"
[ -s "$stage/etc/stsd/config.json" ] || { echo "build-steps: --print-default-config printed nothing" >&2; exit 1; }
"$stage/usr/local/bin/stsd" --check-config "$stage/etc/stsd/config.json" >/dev/null

# The run stage installs exactly the packages owning the shared libraries the
# binary loads, so a new library dependency needs no Dockerfile edit.
owner_of() {  # library path -> Debian package (merged /usr: try both spellings)
  local lib=$1 real candidates p out
  real=$(readlink -f "$lib")
  candidates=("$lib" "$real" "${lib#/usr}" "${real#/usr}" "/usr${lib#/usr}" "/usr${real#/usr}")
  for p in "${candidates[@]}"; do
    if out=$(dpkg-query -S "$p" 2>/dev/null); then
      # "libssl3:amd64: /usr/lib/..." (or "a, b: path" for diverted files)
      echo "${out%%: /*}" | tr ',' '\n' | sed 's/^ *//; s/:.*$//' | head -n 1
      return 0
    fi
  done
  echo "build-steps: no Debian package owns $lib" >&2
  return 1
}
libs=$(ldd "$stage/usr/local/bin/stsd" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
if ldd "$stage/usr/local/bin/stsd" | grep -q "not found"; then
  echo "build-steps: unresolved libraries:" >&2
  ldd "$stage/usr/local/bin/stsd" | grep "not found" >&2
  exit 1
fi
for lib in $libs; do owner_of "$lib"; done | sort -u >"$stage/usr/local/share/stsd/runtime-packages"
echo "build-steps: staged $(du -h "$stage/usr/local/bin/stsd" | cut -f1) binary into $stage;" \
     "runtime packages: $(tr '\n' ' ' <"$stage/usr/local/share/stsd/runtime-packages")" >&2
