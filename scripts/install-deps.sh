#!/usr/bin/env bash
# Installs the Debian packages stsd needs.
# Idempotent: only missing packages are installed; apt-get update runs only then.
#
# usage: scripts/install-deps.sh [all|build]
#   all    (default) the build, the tests, the fuzzers and the benchmarks
#   build  only what builds the stsd binary and stages the container's
#          runtime root (docker/build-steps.sh): the image's build stage
set -euo pipefail

# Keep this list to what `cmake --preset release -DSTSD_BUILD_TESTS=OFF` and
# docker/build-steps.sh use: the container's dependency layer is built from it.
build_packages=(
  g++ cmake ninja-build pkg-config ccache ca-certificates
  libboost-dev libboost-system-dev libssl-dev libpugixml-dev libmimalloc-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev libxmlsec1-dev libxml2-dev libsqlite3-dev
)
test_packages=(
  build-essential libgtest-dev libgmock-dev xmlsec1
  python3 python3-boto3 awscli wrk curl
  chromium chromium-driver python3-selenium
  clang-14 libclang-rt-14-dev llvm-14
)

case "${1:-all}" in
  all) packages=("${build_packages[@]}" "${test_packages[@]}") ;;
  build) packages=("${build_packages[@]}") ;;
  *) echo "install-deps: unknown package set '$1' (all, build)" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
