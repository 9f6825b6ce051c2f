#!/usr/bin/env bash
# Exercises the container recipe on the host (no Docker engine needed): runs
# docker/build-steps.sh into a temporary stage directory (the image's whole
# root filesystem), checks its size (the image's, give or take metadata),
# then starts the staged binary the way the image does (STSD_LISTEN /
# STSD_CONFIG pointing at the staged /etc/stsd/config.json); as root, inside
# the stage with chroot as uid 10001, which proves that the staged libraries
# are all it needs. Checks that it answers /_stsd/health, that `stsd
# healthcheck` succeeds against it (and fails against a closed port), that
# docker/test_image.py (boto3: STS, federation, IAM) passes against it, that
# SIGTERM stops it with exit 0, and that the docker-compose example
# (docker/example) works with the AWS CLI when one new enough for
# AWS_ENDPOINT_URL_STS is installed.
#
# usage: docker/check-recipe.sh [build-steps.sh options]
#   e.g. docker/check-recipe.sh                         full recipe (deps, build in build/docker)
#        docker/check-recipe.sh --binary build/release/stsd   stage an existing build only
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d -t stsd-recipe.XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check-recipe: FAIL: $*" >&2; [ -f "$work/stsd.log" ] && tail -n 20 "$work/stsd.log" >&2; exit 1; }

stage="$work/root"
bash "$repo/docker/build-steps.sh" "$@" "$stage"
stsd="$stage/usr/local/bin/stsd"

# The staged files come from these; each must name a real, installed package.
[ -s "$stage/usr/local/share/stsd/runtime-packages" ] || fail "empty runtime-packages list"
while read -r pkg; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
    || fail "runtime package '$pkg' is not an installed Debian package"
done <"$stage/usr/local/share/stsd/runtime-packages"
file_type=$(od -An -c -N4 "$stsd" | tr -d ' ')
[ "$file_type" = "177ELF" ] || fail "staged stsd is not an ELF binary"
if readelf -S "$stsd" | grep -q '\.symtab'; then fail "staged stsd is not stripped"; fi
# Issue 16: the image stays at or under 60 MB (Docker counts 10^6 bytes).
size=$(du -sb "$stage" | cut -f1)
[ "$size" -le 60000000 ] || fail "the runtime root is $((size / 1000000)) MB (limit 60 MB)"
echo "check-recipe: runtime root $((size / 1000000)) MB" >&2

# As root, run inside the stage as the image's user: nothing of the host's
# libraries can help. Elsewhere the staged binary runs on the host.
# Paths below are the image's; prefix makes them host paths where needed.
in_root=()
prefix=$stage
if [ "$(id -u)" -eq 0 ] && command -v chroot >/dev/null; then
  in_root=(chroot --userspec=10001:10001 "$stage")
  prefix=""
  "${in_root[@]}" /usr/local/bin/stsd --version >/dev/null || fail "stsd does not start inside the runtime root"
  echo "check-recipe: running the staged binary inside the runtime root (chroot, uid 10001)" >&2
else
  echo "check-recipe: not root: running the staged binary on the host (the runtime root's libraries are not checked)" >&2
fi
run_stsd() { "${in_root[@]}" "$prefix/usr/local/bin/stsd" "$@"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start CONFIG: starts the staged binary as the image would (CONFIG is a path
# inside the stage); sets pid and port.
start() {
  port=$(free_port)
  (
    unset STSD_THREADS STSD_AUTH STSD_STATE STSD_TLS_CERT STSD_TLS_KEY
    export STSD_LISTEN="127.0.0.1:$port" STSD_CONFIG="$prefix$1"
    exec "${in_root[@]}" "$prefix/usr/local/bin/stsd"
  ) >"$work/stsd.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || fail "stsd exited during start-up"
    if body=$(curl -sf --max-time 1 "http://127.0.0.1:$port/_stsd/health" 2>/dev/null); then
      case "$body" in *'"status":"ok"'*) return 0 ;; esac
      fail "/_stsd/health answered '$body'"
    fi
    sleep 0.05
  done
  fail "stsd did not answer /_stsd/health within 5 s"
}
stop() {
  kill -TERM "$pid"
  local code=0
  wait "$pid" || code=$?
  pid=""
  [ "$code" -eq 0 ] || fail "stsd exited with $code on SIGTERM (docker stop expects 0)"
}

start /etc/stsd/config.json
echo "check-recipe: staged stsd answers /_stsd/health on 127.0.0.1:$port" >&2
run_stsd healthcheck "http://127.0.0.1:$port/_stsd/health" || fail "stsd healthcheck failed against a healthy server"
if run_stsd healthcheck "http://127.0.0.1:$(free_port)/_stsd/health" 2>/dev/null; then
  fail "stsd healthcheck succeeded against a closed port"
fi
echo "check-recipe: healthcheck ok" >&2
# The clients' view: STS, federation (libxml2, xmlsec) and IAM through boto3.
python=""
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c 'import boto3' 2>/dev/null; then python=$candidate; break; fi
done
if [ -n "$python" ]; then
  STSD_URL="http://127.0.0.1:$port" "$python" "$repo/docker/test_image.py" 2>"$work/driver.log" \
    || { cat "$work/driver.log" >&2; fail "docker/test_image.py failed against the staged stsd"; }
  echo "check-recipe: docker/test_image.py: $(tail -n 1 "$work/driver.log")" >&2
else
  echo "check-recipe: skipping docker/test_image.py: no python3 with boto3" >&2
fi
stop
echo "check-recipe: SIGTERM exit 0" >&2

# The compose example: its config loads, and the app's profile (role_arn +
# source_profile) gets credentials from stsd through AWS_ENDPOINT_URL_STS.
install -m 0644 "$repo/docker/example/stsd-config.json" "$stage/etc/stsd/compose-example.json"
start /etc/stsd/compose-example.json
aws_ok=0
if command -v aws >/dev/null; then
  version=$(aws --version 2>&1 || true)
  # AWS_ENDPOINT_URL_STS: botocore >= 1.31 (CLI v1), CLI v2 >= 2.13.
  if python3 - "$version" <<'EOF'
import re, sys
v = sys.argv[1]
cli = tuple(map(int, re.search(r"aws-cli/(\d+)\.(\d+)\.(\d+)", v).groups()))
core = re.search(r"botocore/(\d+)\.(\d+)\.(\d+)", v)
ok = cli >= (2, 13, 0) if cli[0] >= 2 else bool(core) and tuple(map(int, core.groups())) >= (1, 31, 0)
sys.exit(0 if ok else 1)
EOF
  then aws_ok=1; else echo "check-recipe: skipping the compose example: $version predates AWS_ENDPOINT_URL_STS" >&2; fi
else
  echo "check-recipe: skipping the compose example: no aws CLI" >&2
fi
if [ "$aws_ok" -eq 1 ]; then
  touch "$work/credentials"
  identity=$(env -i PATH="$PATH" HOME="$work" \
      AWS_CONFIG_FILE="$repo/docker/example/aws-config" AWS_SHARED_CREDENTIALS_FILE="$work/credentials" \
      AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_STS="http://127.0.0.1:$port" \
      HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1 \
      aws sts get-caller-identity --profile app --output text --query Arn) \
    || fail "aws sts get-caller-identity --profile app failed"
  [ "$identity" = "arn:aws:sts::111122223333:assumed-role/app/compose-app" ] \
    || fail "compose example identity is '$identity'"
  echo "check-recipe: compose example profile -> $identity" >&2
fi
stop
echo "check-recipe: OK" >&2
