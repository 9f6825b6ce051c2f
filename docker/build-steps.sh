#!/usr/bin/env bash
# The container's build recipe, runnable on the host too (docker/check-recipe.sh
# does, so CI exercises it without a Docker engine): install the build
# dependencies, configure and build the Release preset without tests, strip
# the binary and stage the run stage's whole root filesystem, which the image
# copies onto `scratch` (distroless-style: no shell, no package manager):
#
#   STAGE/usr/local/bin/stsd                       stripped binary
#   STAGE/etc/stsd/config.json                     the embedded default (a mount replaces it)
#   STAGE/usr/lib/..., STAGE/usr/lib64/...         exactly the shared libraries `ldd stsd`
#                                                  resolves, and the dynamic loader
#   STAGE/etc/ssl/certs/ca-certificates.crt        trust store for OIDC discovery over https
#   STAGE/etc/passwd, group, nsswitch.conf         root, nobody and stsd (10001)
#   STAGE/var/lib/stsd, STAGE/tmp                  state directory (owned by 10001), /tmp
#   STAGE/var/lib/dpkg/status.d/PKG                dpkg records of the packages these files
#   STAGE/usr/share/doc/PKG/copyright              come from, for scanners and licences
#   STAGE/usr/local/share/stsd/runtime-packages    the same package names, one a line
#
# usage: docker/build-steps.sh [--deps-only] [--skip-deps] [--build-dir DIR]
#                              [--jobs N] [--ccache] [--binary FILE] STAGE
#   --deps-only     install the build dependencies and stop (a cached image layer)
#   --skip-deps     do not run scripts/install-deps.sh
#   --build-dir DIR CMake build tree (default build/docker; never build/release,
#                   whose cache has the tests on)
#   --jobs N        parallel compile jobs (default: all cores)
#   --ccache        compile through ccache (the image keeps its cache in a
#                   BuildKit cache mount)
#   --binary FILE   stage this already-built stsd instead of building one
#                   (skips dependencies, configure and build)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

deps=1
deps_only=0
build_dir="$repo/build/docker"
jobs=$(nproc)
ccache=0
prebuilt=""
stage=""
while [ $# -gt 0 ]; do
  case "$1" in
    --deps-only) deps_only=1; shift ;;
    --skip-deps) deps=0; shift ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --ccache) ccache=1; shift ;;
    --binary) prebuilt=$2; deps=0; shift 2 ;;
    -*) echo "build-steps: unknown option $1" >&2; exit 2 ;;
    *) stage=$1; shift ;;
  esac
done

if [ "$deps" -eq 1 ]; then
  echo "build-steps: installing build dependencies" >&2
  bash "$repo/scripts/install-deps.sh" build
fi
[ "$deps_only" -eq 1 ] && exit 0
[ -n "$stage" ] || { echo "build-steps: missing STAGE directory (see the usage in $0)" >&2; exit 2; }

if [ -n "$prebuilt" ]; then
  binary=$prebuilt
else
  launcher=()
  if [ "$ccache" -eq 1 ]; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    ccache --zero-stats >/dev/null
  fi
  echo "build-steps: configuring $build_dir" >&2
  cmake --preset release -S "$repo" -B "$build_dir" -DSTSD_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
  echo "build-steps: building stsd with $jobs jobs" >&2
  cmake --build "$build_dir" --target stsd --parallel "$jobs"
  if [ "$ccache" -eq 1 ]; then
    echo "build-steps: ccache: $(ccache --print-stats | awk -F'\t' '$1 ~ /^(direct_cache_hit|preprocessed_cache_hit|cache_miss)$/ { printf "%s=%s ", $1, $2 }')" >&2
  fi
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

# ---- the runtime root: the binary's library closure and the few files a
# process expects, all taken from this (Debian) system's packages.

owner_of() {  # path -> Debian package (merged /usr: try both spellings)
  local path=$1 real candidates p out
  real=$(readlink -f "$path")
  candidates=("$path" "$real" "${path#/usr}" "${real#/usr}" "/usr${path#/usr}" "/usr${real#/usr}")
  for p in "${candidates[@]}"; do
    if out=$(dpkg-query -S "$p" 2>/dev/null); then
      # "libssl3:amd64: /usr/lib/..." (or "a, b: path" for diverted files)
      echo "${out%%: /*}" | tr ',' '\n' | sed 's/^ *//; s/:.*$//' | head -n 1
      return 0
    fi
  done
  echo "build-steps: no Debian package owns $path" >&2
  return 1
}

# stage_file PATH [NAME]: the file's content at the same place in the stage,
# directories resolved (/lib/x86_64-linux-gnu is /usr/lib/... here) and the
# last component kept as NAME: the loader finds a library by its DT_NEEDED name.
stage_file() {
  local path=$1 name=${2:-$(basename "$1")} dir
  dir=$(readlink -f "$(dirname "$path")")
  mkdir -p "$stage$dir"
  cp -L --preserve=mode "$path" "$stage$dir/$name"
}

if ldd "$binary" | grep -q "not found"; then
  echo "build-steps: unresolved libraries:" >&2
  ldd "$binary" | grep "not found" >&2
  exit 1
fi
libs=$(ldd "$stage/usr/local/bin/stsd" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
interp=$(readelf -l "$stage/usr/local/bin/stsd" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
[ -n "$interp" ] || { echo "build-steps: stsd names no program interpreter" >&2; exit 1; }

for lib in $libs; do stage_file "$lib"; done
stage_file "$interp"
# Merged /usr: /lib and /lib64 are links into /usr here, and the loader is
# asked for by its /lib64 path.
for d in lib lib32 lib64 libx32; do
  if [ -L "/$d" ] && [ -d "$stage/usr/$d" ]; then ln -sfn "$(readlink "/$d")" "$stage/$d"; fi
done

# set_default_verify_paths() reads OPENSSLDIR (/usr/lib/ssl) cert.pem and certs/.
ca_bundle=/etc/ssl/certs/ca-certificates.crt
[ -s "$ca_bundle" ] || { echo "build-steps: no $ca_bundle (package ca-certificates)" >&2; exit 1; }
mkdir -p "$stage/etc/ssl/certs" "$stage/usr/lib/ssl"
cp -L "$ca_bundle" "$stage$ca_bundle"
chmod 0644 "$stage$ca_bundle"
ln -sfn /etc/ssl/certs "$stage/usr/lib/ssl/certs"
ln -sfn "$ca_bundle" "$stage/usr/lib/ssl/cert.pem"

# Scanners (Trivy, Grype) read the distribution from os-release.
cp -L /usr/lib/os-release "$stage/etc/os-release"
cp -L /etc/debian_version "$stage/etc/debian_version"

cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
stsd:x:10001:10001:stsd:/var/lib/stsd:/usr/sbin/nologin
EOF
cat >"$stage/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
stsd:x:10001:
EOF
# Without this file glibc asks DNS before /etc/hosts ("localhost" included).
cat >"$stage/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files dns
EOF
chmod 0644 "$stage/etc/passwd" "$stage/etc/group" "$stage/etc/nsswitch.conf"
install -d -m 1777 "$stage/tmp"
install -d -m 0750 "$stage/var/lib/stsd"
if [ "$(id -u)" -eq 0 ]; then chown 10001:10001 "$stage/var/lib/stsd"; fi

packages=$( { for lib in $libs; do owner_of "$lib"; done; owner_of "$interp"; owner_of "$ca_bundle" 2>/dev/null || echo ca-certificates; owner_of /usr/lib/os-release; } | sort -u)
echo "$packages" >"$stage/usr/local/share/stsd/runtime-packages"
mkdir -p "$stage/var/lib/dpkg/status.d"
for pkg in $packages; do
  dpkg-query -s "$pkg" >"$stage/var/lib/dpkg/status.d/$pkg"
  if [ -f "/usr/share/doc/$pkg/copyright" ]; then
    mkdir -p "$stage/usr/share/doc/$pkg"
    cp -L "/usr/share/doc/$pkg/copyright" "$stage/usr/share/doc/$pkg/copyright"
  fi
done

echo "build-steps: staged $(du -h "$stage/usr/local/bin/stsd" | cut -f1) binary and a" \
     "$(du -sh "$stage" | cut -f1) runtime root into $stage; packages: $(echo $packages)" >&2
