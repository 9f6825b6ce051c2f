#!/usr/bin/env bash
# Replays botocore-signed STS requests with wrk against stsd and, in the same
# run, against moto's server; prints requests/s, p50/p99 and the ratio.
#   bench/compare.sh [--duration 10s] [--connections 32] [--threads 2]
# Needs: a release build (make build), wrk, python3 with botocore and moto.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=10s
connections=32
wrk_threads=2
actions="GetCallerIdentity AssumeRole GetSessionToken"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) wrk_threads=$2; shift 2 ;;
    --actions) actions=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

stsd_bin=${STSD_BINARY:-build/release/stsd}
[ -x "$stsd_bin" ] || { echo "no $stsd_bin: run 'make build' first" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
python3 -c 'import moto.server' 2>/dev/null || { echo "moto missing: the peer run needs python3 -m moto.server" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() {
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "server at $1 did not come up" >&2; exit 1
}

stsd_port=$(free_port)
"$stsd_bin" --listen "127.0.0.1:$stsd_port" --threads "${STSD_THREADS:-2}" --log-level warn &
pids+=($!)
moto_port=$(free_port)
python3 -m moto.server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$stsd_port/_stsd/health"
wait_http "http://127.0.0.1:$moto_port/"

# wrk --latency prints "50%  123.00us"; normalise to microseconds.
latency_us() {
  awk -v p="$1" '$1==p { v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v);
    if (u=="us") print v; else if (u=="ms") print v*1000; else if (u=="s") print v*1000000; }' "$2"
}
run() {  # target-port action -> "rps p50 p99"
  local port=$1 action=$2 out="$work/$1-$2.txt"
  python3 bench/sign_request.py "127.0.0.1:$port" "$action" "$work/req.lua"
  wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency -s "$work/req.lua" "http://127.0.0.1:$port/" >"$out"
  if grep -q "Non-2xx" "$out"; then echo "non-2xx answers from port $port for $action:" >&2; cat "$out" >&2; exit 1; fi
  echo "$(awk '/Requests\/sec/ {print $2}' "$out") $(latency_us 50% "$out") $(latency_us 99% "$out")"
}

printf "%-20s %12s %10s %10s %12s %10s %10s %8s\n" action stsd_rps p50_us p99_us moto_rps p50_us p99_us ratio
for action in $actions; do
  read -r s_rps s_p50 s_p99 <<<"$(run "$stsd_port" "$action")"
  read -r m_rps m_p50 m_p99 <<<"$(run "$moto_port" "$action")"
  ratio=$(awk -v a="$s_rps" -v b="$m_rps" 'BEGIN { printf "%.0fx", a/b }')
  printf "%-20s %12s %10s %10s %12s %10s %10s %8s\n" "$action" "$s_rps" "$s_p50" "$s_p99" "$m_rps" "$m_p50" "$m_p99" "$ratio"
done
echo "(stsd --threads ${STSD_THREADS:-2} and moto share this machine with wrk: $(nproc) cores, $connections connections, $duration per run)"
