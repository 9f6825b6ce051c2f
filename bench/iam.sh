#!/usr/bin/env bash
# IAM on stsd next to moto's server, in the same run (each figure the median
# of --repeat rounds that alternate the servers):
#   getrole  GetRole req/s and p50/p99, one botocore-signed request replayed
#            by wrk (the role created through boto3 on each server first);
#            stsd runs with --auth strict (the default) and verifies it.
#   create   CreateRole req/s, a distinct RoleName per request
#            (bench/iam_create_role.lua): stsd --auth off in memory and with
#            --state (SQLite, every write committed before the answer), moto.
#            A window of --duration; the store grows by what is created.
#   scaling  stsd CreateRole rate with 10,000 roles stored vs 100 (seeded
#            from a generated config), a fresh server per measurement and a
#            fixed number of creates (--creates) so the store stays near its
#            size; in memory and with --state.
#   assume   stsd AssumeRole p50/p99 and RSS (VmRSS) with 10,000 users and
#            10,000 roles stored vs one of each.
#   bench/iam.sh [--duration 5s] [--repeat 3] [--connections 32] [--threads 2] [--pin]
#                [--parts "getrole create scaling assume"] [--creates 2000]
# --pin: the server under test (stsd --threads 1, moto) on CPU 1, wrk (one
# thread) on CPU 0, as in bench/compare.sh. Without it all processes share
# every core (stsd --threads 2).
# Needs: a release build (make build), wrk, python3 with boto3 and moto.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh

duration=5s
connections=32
# shellcheck disable=SC2034  # read by bench_wrk (lib.sh)
wrk_threads=2
repeat=3
pinned=0
parts="getrole create scaling assume"
creates=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) wrk_threads=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --pin) pinned=1; shift ;;
    --parts) parts=$2; shift 2 ;;
    --creates) creates=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

stsd_bin=${STSD_BINARY:-build/release/stsd}
stsd_threads=${STSD_THREADS:-2}
server=()  # prefix for the servers' command lines
if [ "$pinned" -eq 1 ]; then
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
python3 -c 'import moto.server, boto3' 2>/dev/null || { echo "moto/boto3 missing: the peer run needs python3 -m moto.server (pip install 'moto[server]' boto3)" >&2; exit 2; }

bench_work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$bench_work"
}
trap cleanup EXIT

# start_stsd ARGS...: sets started_port and started_pid.
start_stsd() {
  started_port=$(bench_free_port)
  "${server[@]}" "$stsd_bin" --listen "127.0.0.1:$started_port" --threads "$stsd_threads" --log-level warn "$@" \
    >>"$bench_work/stsd.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
  bench_wait_http "http://127.0.0.1:$started_port/_stsd/health" "$bench_work/stsd.log"
}
start_moto() {
  started_port=$(bench_free_port)
  "${server[@]}" python3 -m moto.server -H 127.0.0.1 -p "$started_port" >>"$bench_work/moto.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
  bench_wait_http "http://127.0.0.1:$started_port/"
}
stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# median FILE: each column's median over FILE's lines, "%.0f" each.
median() {
  awk '{ for (i = 1; i <= NF; i++) v[i, NR] = $i; if (NF > nf) nf = NF }
       END { for (i = 1; i <= nf; i++) {
               n = 0; for (r = 1; r <= NR; r++) a[++n] = v[i, r] + 0
               for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
               m = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
               printf "%s%.0f", (i > 1 ? " " : ""), m } print "" }' "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.0fx" : "-"), a / b }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.0f%%", 100 * (a - b) / b }'; }

trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
create_bench_role() {  # PORT: role "bench" through boto3
  python3 - "$1" "$trust" <<'EOF'
import sys, boto3
iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
iam.create_role(RoleName="bench", AssumeRolePolicyDocument=sys.argv[2])
assert iam.get_role(RoleName="bench")["Role"]["RoleName"] == "bench"
EOF
}

# gen_config OUT USERS ROLES: account 000000000000, user test (the keys
# sign_request.py signs with), role bench that test may assume, and USERS
# users u00000.. and ROLES roles r00000.. besides.
gen_config() {
  python3 - "$@" <<'EOF'
import json, sys
out, users, roles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
acct = "000000000000"
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{acct}:user/test"}, "Action": "sts:AssumeRole"}]}
config = {
    "region": "us-east-1", "role_mode": "strict", "accounts": [{"id": acct}],
    "users": [{"account": acct, "name": "test", "access_keys": [
        {"id": "test", "secret": "test"},
        {"id": "AKIAIOSFODNN7EXAMPLE", "secret": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}]}]
    + [{"account": acct, "name": f"u{i:05d}", "path": "/bench/"} for i in range(users)],
    "roles": [{"account": acct, "name": "bench", "trust_policy": trust}]
    + [{"account": acct, "name": f"r{i:05d}", "path": "/bench/", "trust_policy": trust} for i in range(roles)],
}
with open(out, "w") as f:
    json.dump(config, f)
EOF
}

# create_run PORT PREFIX LIMIT OUT [tolerant]: CreateRole through wrk; OUT
# gets wrk's output and the script's "bench_rate" line. Any non-2xx answer
# fails the run, except with "tolerant" (moto, whose threaded server now and
# then fails a CreateRole under 32 connections): those are counted, shown
# (the first one's body) and left out of the rate.
create_run() {
  local port=$1 prefix=$2 limit=$3 out=$4 tolerant=${5:-}
  if [ -z "$tolerant" ]; then
    BENCH_PREFIX=$prefix BENCH_LIMIT=$limit bench_wrk "$port" bench/iam_create_role.lua "$duration" "$out"
    return
  fi
  local pin=()
  [ -n "${client_cpu:-}" ] && pin=(taskset -c "$client_cpu")
  BENCH_PREFIX=$prefix BENCH_LIMIT=$limit "${pin[@]}" wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency \
    -s bench/iam_create_role.lua "http://127.0.0.1:$port/" >"$out"
  if grep -q "^bench_error" "$out"; then
    echo "port $port: $(awk '/^bench_rate/ { print $5 }' "$out") non-2xx CreateRole answers of $(awk '/^bench_rate/ { print $2 }' "$out"), the first: $(grep "^bench_error" "$out" | cut -c13-300)" >&2
  fi
}
create_summary() {  # OUT: "rate p50_us p99_us" (2xx answers/s by the script's own clock)
  echo "$(awk '/^bench_rate/ { print ($3 > 0 ? ($2 - $5) / $3 : 0) }' "$1") $(bench_latency_us 50% "$1") $(bench_latency_us 99% "$1")"
}

layout="stsd --threads $stsd_threads and moto share the $(nproc) cores with wrk -t$wrk_threads"
[ "$pinned" -eq 1 ] && layout="pinned: stsd --threads 1 / moto on CPU 1, wrk -t1 on CPU 0"
echo "($layout; $connections connections; medians of $repeat rounds of $duration)"

for part in $parts; do
  case "$part" in
  getrole)
    start_stsd; s_port=$started_port; s_pid=$started_pid
    start_moto; m_port=$started_port; m_pid=$started_pid
    create_bench_role "$s_port"
    create_bench_role "$m_port"
    # g: STS GetCallerIdentity on the same stsd, the cheapest signed
    # request, as the reference for what the machine allows right now.
    for round in $(seq 1 "$repeat"); do
      for side in s m g; do
        port=$s_port; action=GetRole
        [ "$side" = m ] && port=$m_port
        [ "$side" = g ] && action=GetCallerIdentity
        bench_sign "127.0.0.1:$port" "$action" "$bench_work/getrole.lua"
        bench_wrk "$port" "$bench_work/getrole.lua" "$duration" "$bench_work/getrole-$side-$round.txt"
        bench_wrk_summary "$bench_work/getrole-$side-$round.txt" >>"$bench_work/getrole-$side"
      done
    done
    read -r s_rps s_p50 s_p99 <<<"$(median "$bench_work/getrole-s")"
    read -r m_rps m_p50 m_p99 <<<"$(median "$bench_work/getrole-m")"
    read -r g_rps g_p50 g_p99 <<<"$(median "$bench_work/getrole-g")"
    echo
    echo "GetRole (signed, stsd --auth strict)"
    printf "%-30s %10s %10s %10s\n" server req/s p50 p99
    printf "%-30s %10s %10s %10s   %s\n" "stsd GetRole" "$s_rps" "$(ms "$s_p50")" "$(ms "$s_p99")" "$(ratio "$s_rps" "$m_rps") moto"
    printf "%-30s %10s %10s %10s\n" "moto GetRole" "$m_rps" "$(ms "$m_p50")" "$(ms "$m_p99")"
    printf "%-30s %10s %10s %10s   %s\n" "stsd GetCallerIdentity (ref.)" "$g_rps" "$(ms "$g_p50")" "$(ms "$g_p99")" \
      "GetRole = $(awk -v a="$s_rps" -v b="$g_rps" 'BEGIN { printf "%.0f%%", 100 * a / b }') of it"
    # per-round ratios: how far a single round can be trusted on this machine
    echo "stsd / moto per round: $(paste -d' ' "$bench_work/getrole-s" "$bench_work/getrole-m" |
      awk '{ printf "%s%.0fx", (NR > 1 ? " " : ""), $1 / $4 }')"
    stop_pid "$s_pid"; stop_pid "$m_pid"
    ;;
  create)
    start_stsd --auth off; c_mem=$started_port; c_mem_pid=$started_pid
    start_stsd --auth off --state "$bench_work/create.db"; c_db=$started_port; c_db_pid=$started_pid
    start_moto; c_moto=$started_port; c_moto_pid=$started_pid
    # one boto3 CreateRole each first: checks the setup and warms moto (its
    # first IAM call loads the backend)
    for port in "$c_mem" "$c_db" "$c_moto"; do create_bench_role "$port"; done
    for round in $(seq 1 "$repeat"); do
      for side in mem db moto; do
        port=$c_mem; [ "$side" = db ] && port=$c_db; [ "$side" = moto ] && port=$c_moto
        tolerant=""; [ "$side" = moto ] && tolerant=tolerant
        create_run "$port" "c$round" 0 "$bench_work/create-$side-$round.txt" $tolerant
        create_summary "$bench_work/create-$side-$round.txt" >>"$bench_work/create-$side"
        awk '/^bench_rate/ { print $2 - $5 }' "$bench_work/create-$side-$round.txt" >>"$bench_work/create-$side-n"
      done
    done
    echo
    echo "CreateRole (a new RoleName per request, --auth off; the store grows during the run)"
    printf "%-16s %10s %10s %10s %14s %10s\n" server req/s p50 p99 "roles at end" "RSS"
    read -r moto_rps _ _ <<<"$(median "$bench_work/create-moto")"
    for side in mem db moto; do
      read -r rps p50 p99 <<<"$(median "$bench_work/create-$side")"
      label="stsd (memory)"; pid=$c_mem_pid
      [ "$side" = db ] && { label="stsd --state"; pid=$c_db_pid; }
      [ "$side" = moto ] && { label=moto; pid=$c_moto_pid; }
      printf "%-16s %10s %10s %10s %14s %7.1f MB   %s\n" "$label" "$rps" "$(ms "$p50")" "$(ms "$p99")" \
        "$(awk '{ s += $1 } END { print s }' "$bench_work/create-$side-n")" \
        "$(awk -v k="$(bench_rss_kb "$pid")" 'BEGIN { print k / 1024 }')" "$(ratio "$rps" "$moto_rps") moto"
    done
    stop_pid "$c_mem_pid"; stop_pid "$c_db_pid"; stop_pid "$c_moto_pid"
    ;;
  scaling)
    gen_config "$bench_work/roles-100.json" 0 100
    gen_config "$bench_work/roles-10000.json" 0 10000
    per_thread=$(( (creates + wrk_threads - 1) / wrk_threads ))
    for round in $(seq 1 "$repeat"); do
      for mode in mem db; do
        for n in 100 10000; do
          state=(); [ "$mode" = db ] && state=(--state "$bench_work/scale-$mode-$n-$round.db")
          start_stsd --auth off --config "$bench_work/roles-$n.json" "${state[@]}"
          create_run "$started_port" "s$round" "$per_thread" "$bench_work/scale-$mode-$n-$round.txt"
          create_summary "$bench_work/scale-$mode-$n-$round.txt" >>"$bench_work/scale-$mode-$n"
          stop_pid "$started_pid"
        done
      done
    done
    echo
    echo "CreateRole scaling ($creates creates per measurement into a fresh stsd --auth off; the issue asks within 20%)"
    printf "%-14s %12s %10s %10s %12s %10s %10s %10s\n" store "100: req/s" p50 p99 "10k: req/s" p50 p99 change
    for mode in mem db; do
      read -r a_rps a_p50 a_p99 <<<"$(median "$bench_work/scale-$mode-100")"
      read -r b_rps b_p50 b_p99 <<<"$(median "$bench_work/scale-$mode-10000")"
      label="memory"; [ "$mode" = db ] && label="--state"
      printf "%-14s %12s %10s %10s %12s %10s %10s %10s\n" "$label" "$a_rps" "$(ms "$a_p50")" "$(ms "$a_p99")" \
        "$b_rps" "$(ms "$b_p50")" "$(ms "$b_p99")" "$(pct "$b_rps" "$a_rps")"
    done
    ;;
  assume)
    gen_config "$bench_work/small.json" 0 0
    gen_config "$bench_work/big.json" 10000 10000
    start_stsd --config "$bench_work/small.json"; a_small=$started_port; a_small_pid=$started_pid
    rss_small_idle=$(bench_rss_kb "$a_small_pid")
    start_stsd --config "$bench_work/big.json"; a_big=$started_port; a_big_pid=$started_pid
    rss_big_idle=$(bench_rss_kb "$a_big_pid")
    for round in $(seq 1 "$repeat"); do
      for side in small big; do
        port=$a_small; [ "$side" = big ] && port=$a_big
        bench_sign "127.0.0.1:$port" AssumeRole "$bench_work/assume.lua" RoleArn=arn:aws:iam::000000000000:role/bench
        bench_wrk "$port" "$bench_work/assume.lua" "$duration" "$bench_work/assume-$side-$round.txt"
        bench_wrk_summary "$bench_work/assume-$side-$round.txt" >>"$bench_work/assume-$side"
      done
    done
    rss_small=$(bench_rss_kb "$a_small_pid"); rss_big=$(bench_rss_kb "$a_big_pid")
    echo
    echo "AssumeRole (signed, --auth strict) and RSS, 10,000 users + 10,000 roles vs 1 + 1"
    printf "%-16s %10s %10s %10s %12s %14s\n" store req/s p50 p99 "RSS idle" "RSS after"
    for side in small big; do
      read -r rps p50 p99 <<<"$(median "$bench_work/assume-$side")"
      label="1 user, 1 role"; idle=$rss_small_idle; after=$rss_small
      [ "$side" = big ] && { label="10k + 10k"; idle=$rss_big_idle; after=$rss_big; }
      printf "%-16s %10s %10s %10s %9.1f MB %11.1f MB\n" "$label" "$rps" "$(ms "$p50")" "$(ms "$p99")" \
        "$(awk -v k="$idle" 'BEGIN { print k / 1024 }')" "$(awk -v k="$after" 'BEGIN { print k / 1024 }')"
    done
    stop_pid "$a_small_pid"; stop_pid "$a_big_pid"
    ;;
  *) echo "unknown part $part" >&2; exit 2 ;;
  esac
done
