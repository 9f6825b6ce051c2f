#!/usr/bin/env bash
# Replays botocore-signed STS requests with wrk against stsd and, in the same
# run, against moto's server; prints requests/s, p50/p99 and the ratio. Then
# replays the GetCallerIdentity request against a bare Boost.Beast "hello"
# server (bench/hello, built into build/bench-hello) to show how close stsd
# comes to the HTTP stack's own ceiling.
#   bench/compare.sh [--duration 10s] [--connections 32] [--threads 2] [--actions "A B"] [--no-hello] [--pin]
# --pin gives each side a core of its own: the server under test (stsd with
# one thread, moto, hello) on CPU 1 and wrk (one thread) on CPU 0, so the
# load generator never preempts the server and the tail latency is the
# server's own. Without it all processes share every core.
# Needs: a release build (make build), wrk, python3 with botocore and moto.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

duration=10s
connections=32
# shellcheck disable=SC2034  # read by bench_wrk (lib.sh)
wrk_threads=2
actions="GetCallerIdentity AssumeRole GetSessionToken AssumeRoleWithWebIdentity"
hello=1
pin=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) wrk_threads=$2; shift 2 ;;
    --actions) actions=$2; shift 2 ;;
    --no-hello) hello=0; shift ;;
    --pin) pin=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

stsd_bin=${STSD_BINARY:-build/release/stsd}
stsd_threads=${STSD_THREADS:-2}
server=()  # prefix for the servers' command lines
if [ "$pin" -eq 1 ]; then
  [ "$(nproc)" -ge 2 ] || { echo "--pin needs two cores" >&2; exit 2; }
  command -v taskset >/dev/null || { echo "--pin needs taskset (util-linux)" >&2; exit 2; }
  stsd_threads=1
  wrk_threads=1
  # shellcheck disable=SC2034  # read by bench_wrk (lib.sh)
  client_cpu=0
  server=(taskset -c 1)
fi
[ -x "$stsd_bin" ] || { echo "no $stsd_bin: run 'make build' first" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
python3 -c 'import moto.server' 2>/dev/null || { echo "moto missing: the peer run needs python3 -m moto.server" >&2; exit 2; }
hello_bin=""
[ "$hello" -eq 1 ] && hello_bin=$(bench_build_hello)

bench_work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$bench_work"; }
trap cleanup EXIT

stsd_port=$(bench_free_port)
"${server[@]}" "$stsd_bin" --listen "127.0.0.1:$stsd_port" --threads "$stsd_threads" --log-level warn &
pids+=($!)
moto_port=$(bench_free_port)
"${server[@]}" python3 -m moto.server -H 127.0.0.1 -p "$moto_port" >"$bench_work/moto.log" 2>&1 &
pids+=($!)
bench_wait_http "http://127.0.0.1:$stsd_port/_stsd/health"
bench_wait_http "http://127.0.0.1:$moto_port/"

# AssumeRoleWithWebIdentity needs a token from stsd's own issuer
# (POST /_stsd/oidc/token); moto accepts any token, so both get the same one.
web_token=""
web_identity_token() {
  local answer status
  answer=$(curl -s -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d '{"sub":"bench","aud":"sts.amazonaws.com"}' "http://127.0.0.1:$stsd_port/_stsd/oidc/token")
  status=${answer##*$'\n'}
  if [ "$status" = 404 ]; then
    echo "skipping AssumeRoleWithWebIdentity: this stsd has no POST /_stsd/oidc/token (404)" >&2
    return 1
  fi
  web_token=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["token"])' "${answer%$'\n'*}" 2>/dev/null) || {
    echo "skipping AssumeRoleWithWebIdentity: /_stsd/oidc/token answered $status: ${answer%$'\n'*}" >&2
    return 1
  }
  # One call first: a role or trust problem is a message, not a failed run.
  status=$(curl -s -o "$bench_work/web.txt" -w '%{http_code}' \
    --data-urlencode Action=AssumeRoleWithWebIdentity --data-urlencode Version=2011-06-15 \
    --data-urlencode RoleArn=arn:aws:iam::000000000000:role/bench-web --data-urlencode RoleSessionName=bench \
    --data-urlencode "WebIdentityToken=$web_token" "http://127.0.0.1:$stsd_port/")
  if [ "$status" != 200 ]; then
    echo "skipping AssumeRoleWithWebIdentity: stsd answered $status: $(head -c 400 "$bench_work/web.txt")" >&2
    return 1
  fi
}

run() {  # target-port action: wrk results in $bench_work/<port>-<action>.txt
  local port=$1 action=$2
  bench_sign "127.0.0.1:$port" "$action" "$bench_work/req.lua" ${web_token:+"$web_token"}
  bench_wrk "$port" "$bench_work/req.lua" "$duration" "$bench_work/$port-$action.txt"
}

printf "%-26s %12s %10s %10s %12s %10s %10s %8s\n" action stsd_rps p50_us p99_us moto_rps p50_us p99_us ratio
gci_rps=""
for action in $actions; do
  web_token=""
  if [ "$action" = AssumeRoleWithWebIdentity ]; then
    web_identity_token || continue
  fi
  run "$stsd_port" "$action"
  run "$moto_port" "$action"
  read -r s_rps s_p50 s_p99 <<<"$(bench_wrk_summary "$bench_work/$stsd_port-$action.txt")"
  read -r m_rps m_p50 m_p99 <<<"$(bench_wrk_summary "$bench_work/$moto_port-$action.txt")"
  [ "$action" = GetCallerIdentity ] && gci_rps=$s_rps
  ratio=$(awk -v a="$s_rps" -v b="$m_rps" 'BEGIN { printf "%.0fx", a/b }')
  printf "%-26s %12s %10s %10s %12s %10s %10s %8s\n" "$action" "$s_rps" "$s_p50" "$s_p99" "$m_rps" "$m_p50" "$m_p99" "$ratio"
done
if [ "$pin" -eq 1 ]; then
  echo "(pinned: stsd --threads 1 / moto / hello on CPU 1, wrk -t1 on CPU 0; $connections connections, $duration per run)"
else
  echo "(stsd --threads $stsd_threads and moto share this machine with wrk: $(nproc) cores, $connections connections, $duration per run)"
fi

if [ -n "$hello_bin" ]; then
  # The bare server gets the very bytes stsd got for GetCallerIdentity.
  hello_port=$(bench_free_port)
  "${server[@]}" "$hello_bin" --port "$hello_port" --threads "$stsd_threads" &
  pids+=($!)
  bench_wait_http "http://127.0.0.1:$hello_port/"
  bench_sign "127.0.0.1:$hello_port" GetCallerIdentity "$bench_work/hello.lua"
  bench_wrk "$hello_port" "$bench_work/hello.lua" "$duration" "$bench_work/hello.txt"
  read -r h_rps h_p50 h_p99 <<<"$(bench_wrk_summary "$bench_work/hello.txt")"
  printf "%-26s %12s %10s %10s   (bench/hello, --threads %s)\n" "bare Beast hello" "$h_rps" "$h_p50" "$h_p99" "$stsd_threads"
  if [ -n "$gci_rps" ]; then
    awk -v a="$gci_rps" -v b="$h_rps" 'BEGIN { printf "stsd GCI = %.0f%% of bare Beast\n", 100 * a / b }'
  fi
fi
