#!/usr/bin/env bash
# make docker-test: the image as a user runs it, with a real Docker engine.
#
#  1. installs Debian's docker.io (and docker-compose) when missing, and
#     starts dockerd if none answers (stopping, at the end, only that one);
#  2. uses debian:12 if present or pullable, else makes it with debootstrap
#     from this machine's Debian mirror (and says so);
#  3. builds docker/Dockerfile with BuildKit from a copy of the tree, then
#     rebuilds after a README change (the server must not be recompiled) and
#     after a source change (ccache must serve the untouched files);
#  4. checks the image: size <= 60 MB, user 10001, HEALTHCHECK, no shell;
#  5. runs it, waits for healthy, drives it from the host with boto3
#     (docker/test_image.py: GetCallerIdentity, AssumeRole, web identity,
#     SAML, IAM), checks `docker stop` exits 0;
#  6. runs it --read-only with all capabilities dropped and a --state volume,
#     which must keep an IAM role across a restart;
#  7. runs the compose example end to end (a local stand-in for
#     amazon/aws-cli when that image cannot be pulled: docker/offline-app).
#
# usage: docker/engine-test.sh [--jobs N] [--legacy]
#   --jobs N   compile jobs inside the build (default 2)
#   --legacy   also build with the legacy builder (no cache mount, a full
#              compile) and compare its stsd with BuildKit's
# Images (stsd:docker-test, stsd:local, debian:12, the stand-in) and the
# BuildKit compiler cache are kept in the engine for the next run.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

jobs=2
legacy=0
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) jobs=$2; shift 2 ;;
    --legacy) legacy=1; shift ;;
    *) echo "docker-test: unknown option $1 (see $0)" >&2; exit 2 ;;
  esac
done

log() { echo "docker-test: $*" >&2; }
die() { echo "docker-test: FAIL: $*" >&2; exit 1; }

work=$(mktemp -d -t stsd-docker-test.XXXXXX)
tag=stsd:docker-test
prefix=stsd-test-$$
dockerd_pid=""
containers=()
volumes=()
compose_project=""
compose=()
summary=()

cleanup() {
  set +e
  if [ -n "$compose_project" ]; then
    (cd "$work/ctx/docker" && "${compose[@]}" -p "$compose_project" "${compose_files[@]}" down -v --remove-orphans) >/dev/null 2>&1
  fi
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1; done
  for v in "${volumes[@]}"; do docker volume rm "$v" >/dev/null 2>&1; done
  if [ -n "$dockerd_pid" ]; then
    log "stopping the dockerd this test started (pid $dockerd_pid)"
    kill -TERM "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 150); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$dockerd_pid" 2>/dev/null; then kill -KILL "$dockerd_pid" 2>/dev/null; fi
    wait "$dockerd_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
seconds_since() { python3 -c "import time,sys; print(f'{time.time()-float(sys.argv[1]):.1f}')" "$1"; }
now() { python3 -c 'import time; print(time.time())'; }

# ---- 1. engine ----------------------------------------------------------

[ "$(id -u)" -eq 0 ] || die "run as root: it installs packages and may start dockerd"
apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq; apt_updated=1; fi
  log "installing Debian's $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v dockerd >/dev/null || apt_install docker.io

# A client that can build with BuildKit: one with the buildx plugin, or a
# client older than 23.0, whose own BuildKit support DOCKER_BUILDKIT=1 turns
# on (Debian 12's docker.io). A newer client without buildx has only the
# legacy builder.
client=""
for candidate in docker /usr/bin/docker; do
  command -v "$candidate" >/dev/null || continue
  if "$candidate" buildx version >/dev/null 2>&1; then client=$(command -v "$candidate"); break; fi
  major=$("$candidate" version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1 || true)
  if [ -n "$major" ] && [ "$major" -lt 23 ] 2>/dev/null; then client=$(command -v "$candidate"); break; fi
done
[ -n "$client" ] || die "no docker client here builds with BuildKit (install docker-buildx, or use Debian's docker.io client)"
# Compose runs `docker build` too: the same client first on PATH.
bindir="$work/bin"
mkdir -p "$bindir"
ln -s "$client" "$bindir/docker"
export PATH="$bindir:$PATH" DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
log "docker client: $client ($(docker version --format '{{.Client.Version}}' 2>/dev/null))"

if docker info >/dev/null 2>&1; then
  log "using the running Docker engine ($(docker version --format '{{.Server.Version}}'))"
else
  log "no Docker engine answers: starting dockerd (log in $work/dockerd.log)"
  # Niced: the build inherits it, and this machine is shared.
  nice -n 10 dockerd >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 300); do
    docker info >/dev/null 2>&1 && break
    if ! kill -0 "$dockerd_pid" 2>/dev/null; then
      wait "$dockerd_pid" 2>/dev/null || true
      dockerd_pid=""
      tail -n 15 "$work/dockerd.log" >&2
      die "dockerd exited during start-up: $(grep -E 'level=(fatal|error)' "$work/dockerd.log" | tail -n 1 | sed 's/.*msg="\([^"]*\)".*/\1/')"
    fi
    sleep 0.2
  done
  docker info >/dev/null 2>&1 || { tail -n 15 "$work/dockerd.log" >&2; die "dockerd did not answer within 60 s"; }
  log "dockerd $(docker version --format '{{.Server.Version}}') started (pid $dockerd_pid, storage $(docker info --format '{{.Driver}}'), cgroup v$(docker info --format '{{.CgroupVersion}}'))"
fi

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  command -v docker-compose >/dev/null || apt_install docker-compose
  compose=(docker-compose)
fi
log "compose: ${compose[*]} ($("${compose[@]}" version --short 2>/dev/null || true))"

# ---- 2. base image ------------------------------------------------------

debian_mirror() {  # the first Debian archive (not -security) this machine's apt uses
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '/^(deb|URIs:)[ \t]/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\// && $i !~ /-security/) { print $i; exit } }' || true
}
if docker image inspect debian:12 >/dev/null 2>&1; then
  origin=$(docker image inspect -f '{{index .Config.Labels "org.stsd.origin"}}' debian:12 2>/dev/null || true)
  log "using the local debian:12${origin:+ ($origin)}"
elif pull_error=$(docker pull -q debian:12 2>&1); then
  log "pulled debian:12"
else
  mirror=$(debian_mirror)
  [ -n "$mirror" ] || die "debian:12 cannot be pulled and no Debian mirror is configured for apt"
  log "debian:12 cannot be pulled (${pull_error##*: }): making it with debootstrap from $mirror"
  command -v debootstrap >/dev/null || apt_install debootstrap
  rootfs="$work/rootfs"
  started=$(now)
  nice -n 10 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 15 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  # The machine's own apt sources (updates and security included).
  rm -f "$rootfs/etc/apt/sources.list"
  [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$rootfs/etc/apt/sources.list"
  cp -r /etc/apt/sources.list.d/. "$rootfs/etc/apt/sources.list.d/" 2>/dev/null || true
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import \
      -c 'CMD ["bash"]' -c "LABEL org.stsd.origin=\"debootstrap minbase bookworm from $mirror by make docker-test\"" \
      - debian:12 >/dev/null
  rm -rf "$rootfs"
  log "made debian:12 with debootstrap in $(seconds_since "$started") s"
fi
docker run --rm --network none debian:12 true \
  || die "the engine cannot run a container (see the error above: cgroups, seccomp or storage driver)"

# ---- 3. build -----------------------------------------------------------

# A copy of the tree (as the build context sees it), so that the rebuild
# checks can change files without touching the checkout.
ctx="$work/ctx"
mkdir -p "$ctx"
tar -C "$repo" --exclude=./.git --exclude=./build --exclude=node_modules --exclude=__pycache__ -c . | tar -x -C "$ctx"

build() {  # build NAME [docker build args...]: logs to $work/NAME.log, sets build_s
  local name=$1 started
  shift
  started=$(now)
  if ! docker build --progress=plain --build-arg STSD_JOBS="$jobs" "$@" >"$work/$name.log" 2>&1; then
    tail -n 40 "$work/$name.log" >&2
    die "docker build ($name) failed"
  fi
  build_s=$(seconds_since "$started")
}

log "building the image (BuildKit, $jobs jobs; a first build compiles everything)"
build first -f "$ctx/docker/Dockerfile" -t "$tag" "$ctx"
summary+=("build: ${build_s} s ($(grep -o 'ccache: .*' "$work/first.log" | head -n 1 || echo 'server layer cached'))")
log "built in $build_s s"

# Unique changes: an earlier run's identical change would be cached.
change="$$-$(date +%s%N)"
echo "a README change $change" >>"$ctx/README.md"
echo "# a test change $change" >>"$ctx/tests/e2e/test_server.py"
build readme -f "$ctx/docker/Dockerfile" -t "$tag" "$ctx"
if grep -q 'build-steps: configuring' "$work/readme.log"; then die "a README/test change rebuilt the server"; fi
summary+=("rebuild after a README and test change: ${build_s} s, server layer reused")
log "README/test change: rebuilt in $build_s s without compiling"

echo "// a source change $change" >>"$ctx/src/main.cpp"
build source -f "$ctx/docker/Dockerfile" -t "$tag" "$ctx"
stats=$(grep -o 'ccache: .*' "$work/source.log" | head -n 1 || true)
grep -q 'build-steps: configuring' "$work/source.log" || die "a source change did not rebuild the server"
hits=$(echo "$stats" | grep -oE 'direct_cache_hit=[0-9]+' | cut -d= -f2 || true)
[ "${hits:-0}" -gt 0 ] || die "a source change recompiled without ccache hits ($stats): is the cache mount in use?"
summary+=("rebuild after a source change: ${build_s} s ($stats)")
log "source change: rebuilt in $build_s s ($stats)"

if [ "$legacy" -eq 1 ]; then
  log "building with the legacy builder (no cache mount: a full compile)"
  sed 's/^RUN --mount=[^ ]* /RUN /' "$ctx/docker/Dockerfile" >"$work/Dockerfile.legacy"
  started=$(now)
  DOCKER_BUILDKIT=0 docker build --build-arg STSD_JOBS="$jobs" -f "$work/Dockerfile.legacy" -t stsd:docker-test-legacy "$ctx" \
    >"$work/legacy.log" 2>&1 || { tail -n 40 "$work/legacy.log" >&2; die "the legacy builder failed"; }
  legacy_s=$(seconds_since "$started")
  sums=()
  for image in "$tag" stsd:docker-test-legacy; do
    c=$(docker create "$image")
    sums+=("$(docker cp "$c:/usr/local/bin/stsd" - | tar -xO | sha256sum | cut -c1-16)")
    docker rm "$c" >/dev/null
  done
  [ "${sums[0]}" = "${sums[1]}" ] || die "legacy and BuildKit stsd differ (${sums[*]})"
  summary+=("legacy builder: ${legacy_s} s, same stsd (sha256 ${sums[0]}…)")
fi

# ---- 4. the image -------------------------------------------------------

size=$(docker image inspect -f '{{.Size}}' "$tag")
user=$(docker image inspect -f '{{.Config.User}}' "$tag")
health=$(docker image inspect -f '{{json .Config.Healthcheck.Test}}' "$tag")
[ "$user" = "10001:10001" ] || die "image user is '$user'"
[ "$health" = '["CMD","stsd","healthcheck"]' ] || die "image HEALTHCHECK is $health"
if docker run --rm --entrypoint /bin/sh "$tag" -c true >/dev/null 2>&1; then die "the image has a shell"; fi
summary+=("image: $((size / 1000000)) MB ($size bytes), user $user, no shell")
log "image size $((size / 1000000)) MB"
[ "$size" -le 60000000 ] || die "image is $((size / 1000000)) MB (limit 60 MB)"

# ---- 5. run, health, clients, stop -----------------------------------------

python=""
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c 'import boto3' 2>/dev/null; then python=$candidate; break; fi
done
[ -n "$python" ] || apt_install python3-boto3
python=${python:-/usr/bin/python3}

wait_healthy() {  # wait_healthy NAME: sets healthy_s
  local name=$1 started status
  started=$(now)
  for _ in $(seq 1 300); do
    status=$(docker inspect -f '{{.State.Health.Status}}' "$name")
    case "$status" in
      healthy) healthy_s=$(seconds_since "$started"); return 0 ;;
      unhealthy) break ;;
    esac
    [ "$(docker inspect -f '{{.State.Running}}' "$name")" = true ] || break
    sleep 0.1
  done
  docker logs "$name" 2>&1 | tail -n 20 >&2
  die "$name did not turn healthy (status '$status')"
}
drive() {  # drive PORT [VAR=VALUE...]: docker/test_image.py against the container
  local port=$1
  shift
  env "$@" STSD_URL="http://127.0.0.1:$port" "$python" "$repo/docker/test_image.py" 2>"$work/driver.log" \
    || { cat "$work/driver.log" >&2; die "docker/test_image.py failed"; }
  tail -n 1 "$work/driver.log"
}
stop_zero() {  # stop_zero NAME: docker stop, which must end stsd with exit 0
  local name=$1 started code
  started=$(now)
  docker stop "$name" >/dev/null
  stop_s=$(seconds_since "$started")
  code=$(docker inspect -f '{{.State.ExitCode}}' "$name")
  [ "$code" = 0 ] || { docker logs "$name" 2>&1 | tail -n 20 >&2; die "docker stop: $name exited $code"; }
}

port=$(free_port)
containers+=("$prefix-run")
docker run -d --name "$prefix-run" -p "127.0.0.1:$port:8090" "$tag" >/dev/null
wait_healthy "$prefix-run"
log "healthy after $healthy_s s on 127.0.0.1:$port"
result=$(drive "$port")
log "boto3 from the host: $result"
stop_zero "$prefix-run"
summary+=("run: healthy after ${healthy_s} s; boto3 $result; docker stop ${stop_s} s, exit 0")

# ---- 6. read-only ------------------------------------------------------------

volumes+=("$prefix-state")
docker volume create "$prefix-state" >/dev/null
port=$(free_port)
containers+=("$prefix-ro")
docker run -d --name "$prefix-ro" --read-only --cap-drop ALL --security-opt no-new-privileges \
  -v "$prefix-state:/var/lib/stsd" -p "127.0.0.1:$port:8090" "$tag" --state /var/lib/stsd/state.db >/dev/null
wait_healthy "$prefix-ro"
drive "$port" STSD_STATE_ROLE=kept-across-restart STSD_STATE_PHASE=write >/dev/null
docker restart "$prefix-ro" >/dev/null
wait_healthy "$prefix-ro"
result=$(drive "$port" STSD_STATE_ROLE=kept-across-restart STSD_STATE_PHASE=read)
stop_zero "$prefix-ro"
summary+=("--read-only --cap-drop ALL with a --state volume: $result, role kept across a restart, stop exit 0")
log "--read-only: $result"

# ---- 7. compose example ----------------------------------------------------

compose_files=(-f docker-compose.yml)
app_image=$(sed -n 's/^ *image: *\(amazon\/aws-cli[^ ]*\).*/\1/p' "$ctx/docker/docker-compose.yml")
if docker image inspect "$app_image" >/dev/null 2>&1 || docker pull -q "$app_image" >/dev/null 2>&1; then
  log "compose: the example as written ($app_image)"
  app_note="$app_image"
else
  log "compose: $app_image cannot be pulled: the app runs as docker/offline-app (Debian's boto3, same profile)"
  compose_files+=(-f offline-app/compose.yml)
  app_note="stand-in for $app_image"
fi
compose_project="$prefix"
started=$(now)
set +e
(cd "$ctx/docker" && STSD_HOST_PORT=$(free_port) "${compose[@]}" -p "$compose_project" "${compose_files[@]}" \
   up --build --exit-code-from app) >"$work/compose.log" 2>&1
code=$?
set -e
compose_s=$(seconds_since "$started")
grep -q 'assumed-role/app/compose-app' "$work/compose.log" && [ "$code" -eq 0 ] \
  || { tail -n 40 "$work/compose.log" >&2; die "compose example: exit $code, no assumed-role identity"; }
summary+=("compose example ($app_note): assumed-role/app/compose-app in ${compose_s} s, exit 0")
log "compose example printed the assumed-role identity"

echo
echo "docker-test: engine $(docker version --format '{{.Server.Version}}'), client $(docker version --format '{{.Client.Version}}'), ${compose[*]}"
for line in "${summary[@]}"; do echo "  $line"; done
echo "docker-test: OK"
