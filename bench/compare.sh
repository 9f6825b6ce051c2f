#!/usr/bin/env bash
# Replays botocore-signed STS requests with wrk against stsd and, in the same
# run, against moto's server; prints requests/s, p50/p99 and the ratio (each
# the median of --repeat rounds that alternate the servers). The
# GetCallerIdentity request also goes to a bare Boost.Beast "hello" server
# (bench/hello, built into build/bench-hello) to show how close stsd comes to
# the HTTP stack's own ceiling.
#   bench/compare.sh [--duration 6s] [--repeat 3] [--connections 32] [--threads 2] [--actions "A B"] [--no-hello] [--pin]
#                    [--web-tokens N] [--console]
# --pin gives each side a core of its own: the server under test (stsd with
# one thread, moto, hello) on CPU 1 and wrk (one thread) on CPU 0, so the
# load generator never preempts the server and the tail latency is the
# server's own. Without it all processes share every core.
# --web-tokens N: AssumeRoleWithWebIdentity sends N different tokens in turn
# (default 1, one token replayed as an SDK re-reads its token file). stsd
# remembers the last 16 parsed and 32 verified tokens per thread, so N = 64
# makes every request a first sight: parse and RSA check each time.
# --console: a console is open on stsd all along (curl -N on its live stream,
# /_stsd/console/events, beside wrk), to measure what watching costs.
# Needs: a release build (make build), wrk, python3 with botocore and moto.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

duration=6s
connections=32
# shellcheck disable=SC2034  # read by bench_wrk (lib.sh)
wrk_threads=2
actions="GetCallerIdentity AssumeRole GetSessionToken AssumeRoleWithWebIdentity"
hello=1
pin=0
repeat=3
web_tokens=1
console=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) wrk_threads=$2; shift 2 ;;
    --actions) actions=$2; shift 2 ;;
    --no-hello) hello=0; shift ;;
    --pin) pin=1; shift ;;
    --repeat) repeat=$2; shift 2 ;;
    --web-tokens) web_tokens=$2; shift 2 ;;
    --console) console=1; shift ;;
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
# Its log (the start-up line is always written) stays out of the table.
"${server[@]}" "$stsd_bin" --listen "127.0.0.1:$stsd_port" --threads "$stsd_threads" --log-level warn \
  >"$bench_work/stsd.log" 2>&1 &
pids+=($!)
moto_port=$(bench_free_port)
"${server[@]}" python3 -m moto.server -H 127.0.0.1 -p "$moto_port" >"$bench_work/moto.log" 2>&1 &
pids+=($!)
bench_wait_http "http://127.0.0.1:$stsd_port/_stsd/health" "$bench_work/stsd.log"
bench_wait_http "http://127.0.0.1:$moto_port/" "$bench_work/moto.log"
if [ "$console" -eq 1 ]; then
  # The subscriber runs where wrk runs (CPU 0 when pinned): it is a client.
  client=()
  [ "$pin" -eq 1 ] && client=(taskset -c 0)
  "${client[@]}" curl -sN "http://127.0.0.1:$stsd_port/_stsd/console/events" >"$bench_work/events.txt" &
  pids+=($!)
fi

# AssumeRoleWithWebIdentity needs a token from stsd's own issuer
# (POST /_stsd/oidc/token); moto accepts any token, so both get the same one.
web_tokens_got=()
web_identity_token() {
  local answer status token i
  web_tokens_got=()
  for i in $(seq 1 "$web_tokens"); do
    answer=$(curl -s -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' \
      -d '{"sub":"bench-'"$i"'","aud":"sts.amazonaws.com"}' "http://127.0.0.1:$stsd_port/_stsd/oidc/token")
    status=${answer##*$'\n'}
    if [ "$status" = 404 ]; then
      echo "skipping AssumeRoleWithWebIdentity: this stsd has no POST /_stsd/oidc/token (404)" >&2
      return 1
    fi
    token=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["token"])' "${answer%$'\n'*}" 2>/dev/null) || {
      echo "skipping AssumeRoleWithWebIdentity: /_stsd/oidc/token answered $status: ${answer%$'\n'*}" >&2
      return 1
    }
    web_tokens_got+=("$token")
  done
  local web_token=${web_tokens_got[0]}
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

run() {  # PORT ACTION ROUND: wrk results in $bench_work/<port>-<action>-<round>.txt
  local port=$1 action=$2 round=$3
  bench_sign "127.0.0.1:$port" "$action" "$bench_work/req.lua" "${web_tokens_got[@]}"
  bench_wrk "$port" "$bench_work/req.lua" "$duration" "$bench_work/$port-$action-$round.txt"
}

# median PORT ACTION: "requests/s p50_us p99_us", each the median over the rounds.
median() {
  local f
  for f in "$bench_work/$1-$2-"*.txt; do bench_wrk_summary "$f"; done |
    awk '{ r[NR] = $1; p[NR] = $2; q[NR] = $3 }
         function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
         END { printf "%.0f %.0f %.0f\n", med(r, NR), med(p, NR), med(q, NR) }'
}

hello_port=""
if [ -n "$hello_bin" ]; then
  hello_port=$(bench_free_port)
  "${server[@]}" "$hello_bin" --port "$hello_port" --threads "$stsd_threads" &
  pids+=($!)
  bench_wait_http "http://127.0.0.1:$hello_port/"
fi

printf "%-26s %12s %10s %10s %12s %10s %10s %8s\n" action stsd_rps p50_us p99_us moto_rps p50_us p99_us ratio
gci_rps=""
for action in $actions; do
  web_tokens_got=()
  if [ "$action" = AssumeRoleWithWebIdentity ]; then
    web_identity_token || continue
  fi
  # Rounds alternate the servers so that a noisy spell on a shared machine
  # hits both; the medians are reported.
  for round in $(seq 1 "$repeat"); do
    run "$stsd_port" "$action" "$round"
    run "$moto_port" "$action" "$round"
    # The bare server gets the very bytes stsd got for GetCallerIdentity.
    if [ "$action" = GetCallerIdentity ] && [ -n "$hello_port" ]; then run "$hello_port" "$action" "$round"; fi
  done
  read -r s_rps s_p50 s_p99 <<<"$(median "$stsd_port" "$action")"
  read -r m_rps m_p50 m_p99 <<<"$(median "$moto_port" "$action")"
  [ "$action" = GetCallerIdentity ] && gci_rps=$s_rps
  ratio=$(awk -v a="$s_rps" -v b="$m_rps" 'BEGIN { printf "%.0fx", a/b }')
  printf "%-26s %12s %10s %10s %12s %10s %10s %8s\n" "$action" "$s_rps" "$s_p50" "$s_p99" "$m_rps" "$m_p50" "$m_p99" "$ratio"
done
if [ -n "$hello_port" ] && [ -n "$gci_rps" ]; then
  read -r h_rps h_p50 h_p99 <<<"$(median "$hello_port" GetCallerIdentity)"
  printf "%-26s %12s %10s %10s   (bench/hello, --threads %s)\n" "bare Beast hello" "$h_rps" "$h_p50" "$h_p99" "$stsd_threads"
  awk -v a="$gci_rps" -v b="$h_rps" 'BEGIN { printf "stsd GetCallerIdentity = %.0f%% of bare Beast\n", 100 * a / b }'
fi
layout="stsd --threads $stsd_threads and moto share the $(nproc) cores with wrk"
[ "$pin" -eq 1 ] && layout="pinned: stsd --threads 1 / moto / hello on CPU 1, wrk -t1 on CPU 0"
tokens=""
[ "$web_tokens" -gt 1 ] && tokens="; AssumeRoleWithWebIdentity sends $web_tokens tokens in turn"
echo "($layout; $connections connections; median of $repeat rounds of $duration$tokens)"
if [ "$console" -eq 1 ]; then
  echo "(console open all along: its stream carried $(grep -c '^event: request' "$bench_work/events.txt" || true) request events and $(grep -c '^event: skipped' "$bench_work/events.txt" || true) skip notices)"
fi
