#!/usr/bin/env bash
# Start-up and memory soak (issue 5 targets on the 2-core machine):
#   - start to first answered request below 50 ms (median of 5 fresh starts,
#     polled with raw sockets);
#   - resident memory below 30 MB idle;
#   - no growth after 1,000,000 signed AssumeRole calls: RSS at the end is
#     within 10% of RSS after warm-up (the first quarter of the calls).
# The calls are replayed with wrk (one botocore-signed request, re-signed
# every 10 minutes) in segments of a few seconds; RSS is sampled after each.
#   bench/soak.sh [--calls N] [--segment SECONDS] [--connections C] [--threads T] [BINARY]
# BINARY defaults to $STSD_BINARY, then build/release/stsd. Exit 0 when every
# target is met, 1 when one is missed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

calls=1000000
segment=3
connections=32
# shellcheck disable=SC2034  # read by bench_wrk (lib.sh)
wrk_threads=2
binary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --calls) calls=$2; shift 2 ;;
    --segment) segment=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) wrk_threads=$2; shift 2 ;;
    -*) echo "unknown argument $1" >&2; exit 2 ;;
    *) binary=$1; shift ;;
  esac
done
stsd_bin=${binary:-${STSD_BINARY:-build/release/stsd}}
stsd_threads=${STSD_THREADS:-2}
[ -x "$stsd_bin" ] || { echo "no $stsd_bin: run 'make build' first or pass a binary" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }

bench_work=$(mktemp -d)
pid=""
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$bench_work"
}
trap cleanup EXIT
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }

# 1. Start-up: fresh processes, exec to first answered GET /_stsd/health.
read -r start_min start_median start_max <<<"$(bench_first_answer_ms 5 "$stsd_bin" \
  --threads "$stsd_threads" --log-level warn)"
echo "start to first answer: median ${start_median} ms (min ${start_min}, max ${start_max}; 5 starts)"

# 2. Idle memory of the server that takes the load.
port=$(bench_free_port)
"$stsd_bin" --listen "127.0.0.1:$port" --threads "$stsd_threads" --log-level warn >"$bench_work/stsd.log" 2>&1 &
pid=$!
bench_wait_http "http://127.0.0.1:$port/_stsd/health"
sleep 1
idle_kb=$(bench_rss_kb "$pid")
echo "idle RSS: $(mb "$idle_kb")"

# 3. The soak: wrk segments until `calls` AssumeRole calls are answered.
counts=(0)
rss=("$idle_kb")
done_calls=0
signed_at=0
rate=0
echo "driving $calls AssumeRole calls ($connections connections, stsd --threads $stsd_threads):"
while [ "$done_calls" -lt "$calls" ]; do
  now=$(date +%s)
  if [ $((now - signed_at)) -gt 600 ]; then  # signatures are valid for 15 minutes
    bench_sign "127.0.0.1:$port" AssumeRole "$bench_work/req.lua"
    signed_at=$now
  fi
  seconds=$segment
  if [ "$rate" -gt 0 ]; then  # shorten the last segment to land near `calls`
    left=$(( (calls - done_calls + rate - 1) / rate ))
    [ "$left" -lt "$seconds" ] && seconds=$(( left > 0 ? left : 1 ))
  fi
  bench_wrk "$port" "$bench_work/req.lua" "${seconds}s" "$bench_work/segment.txt"
  n=$(bench_wrk_requests "$bench_work/segment.txt")
  rate=$(( n / seconds ))
  done_calls=$((done_calls + n))
  kill -0 "$pid" 2>/dev/null || { echo "stsd died:" >&2; tail -20 "$bench_work/stsd.log" >&2; exit 1; }
  counts+=("$done_calls")
  rss+=("$(bench_rss_kb "$pid")")
  printf "  %10d calls  RSS %s  (%d req/s)\n" "$done_calls" "$(mb "${rss[-1]}")" "$rate"
done

# RSS at 0, 25, 50, 75 and 100% of the calls: the first sample at or past each.
echo "RSS by calls answered:"
warm_kb=""
for quarter in 0 1 2 3 4; do
  target=$((calls * quarter / 4))
  for i in "${!counts[@]}"; do
    if [ "${counts[$i]}" -ge "$target" ]; then
      printf "  %10d  %s  (sampled at %d)\n" "$target" "$(mb "${rss[$i]}")" "${counts[$i]}"
      [ "$quarter" -eq 1 ] && warm_kb=${rss[$i]}
      break
    fi
  done
done
final_kb=${rss[-1]}

kill -TERM "$pid"
code=0
wait "$pid" || code=$?
pid=""

# Verdicts.
missed=0
verdict() {  # name ok(0|1) detail
  if [ "$2" -eq 1 ]; then echo "  ok      $1: $3"; else echo "  MISSED  $1: $3"; missed=1; fi
}
echo "targets:"
verdict "start to first answer < 50 ms" "$(awk -v t="$start_median" 'BEGIN { print (t < 50) }')" "median ${start_median} ms"
verdict "idle RSS < 30 MB" "$(( idle_kb < 30 * 1024 ))" "$(mb "$idle_kb")"
growth=$(awk -v w="$warm_kb" -v f="$final_kb" 'BEGIN { printf "%.1f", 100 * (f - w) / w }')
verdict "no RSS growth after warm-up (<= 10%)" "$(awk -v g="$growth" 'BEGIN { print (g <= 10) }')" \
  "$(mb "$warm_kb") after $((calls / 4)) calls -> $(mb "$final_kb") after $done_calls (${growth}%)"
verdict "SIGTERM exits 0" "$(( code == 0 ))" "exit code $code"
exit "$missed"
