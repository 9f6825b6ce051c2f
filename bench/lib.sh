# shellcheck shell=bash
# Shared helpers for the bench scripts (sourced, not run): ports, waiting for
# a server, replaying a signed request with wrk, reading wrk's figures,
# resident memory, start-up timing and the bare Beast baseline build.
# Callers `cd` to the repository root first and set `bench_work` (a scratch
# directory) before calling bench_wrk / bench_sign.

bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# bench_wait_http URL: until URL answers (10 s at most).
# bench_wait_http URL [LOG]: waits for URL to answer; else shows LOG's end and exits.
bench_wait_http() {
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "server at $1 did not come up" >&2
  [ -n "${2:-}" ] && tail -n 20 "$2" >&2
  exit 1
}

# bench_rss_kb PID: resident memory in kB (VmRSS).
bench_rss_kb() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# bench_sign HOST:PORT ACTION OUT.lua [WEB_IDENTITY_TOKEN]: a wrk script that
# replays one botocore-signed request (valid for 15 minutes).
bench_sign() {
  python3 bench/sign_request.py "$@"
}

# bench_latency_us P FILE: wrk --latency prints "50%  123.00us"; in microseconds.
bench_latency_us() {
  awk -v p="$1" '$1==p { v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v);
    if (u=="us") print v; else if (u=="ms") print v*1000; else if (u=="s") print v*1000000; }' "$2"
}

# bench_wrk PORT LUA DURATION OUT: runs wrk (wrk_threads, connections and the
# optional client_cpu pinning from the caller's variables) and fails on any
# non-2xx answer.
bench_wrk() {
  local port=$1 lua=$2 duration=$3 out=$4
  local taskset_prefix=()
  [ -n "${client_cpu:-}" ] && taskset_prefix=(taskset -c "$client_cpu")
  "${taskset_prefix[@]}" wrk -t"${wrk_threads:-2}" -c"${connections:-32}" -d"$duration" --latency -s "$lua" "http://127.0.0.1:$port/" >"$out"
  if grep -q "Non-2xx" "$out"; then
    echo "non-2xx answers from port $port:" >&2
    cat "$out" >&2
    exit 1
  fi
}

# bench_wrk_summary OUT: "requests/s p50_us p99_us"
bench_wrk_summary() {
  echo "$(awk '/Requests\/sec/ {print $2}' "$1") $(bench_latency_us 50% "$1") $(bench_latency_us 99% "$1")"
}

# bench_wrk_requests OUT: how many requests wrk completed.
bench_wrk_requests() {
  awk '/requests in/ { print $1 }' "$1"
}

# bench_first_answer_ms RUNS BINARY ARGS...: starts BINARY (with --listen on a
# free port) RUNS times and prints "min median max" milliseconds from exec to
# the first answered GET /_stsd/health, polling with raw sockets (curl in a
# loop cannot resolve 50 ms). Each run is stopped with SIGTERM.
bench_first_answer_ms() {
  python3 - "$@" <<'EOF'
import os, signal, socket, subprocess, sys, time
runs, binary, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def answered(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /_stsd/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False

times = []
for _ in range(runs):
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([binary, "--listen", f"127.0.0.1:{port}"] + args,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not answered(port):
            if proc.poll() is not None:
                sys.exit(f"{binary} exited with {proc.returncode} during start-up")
            if time.perf_counter() - started > 10:
                sys.exit(f"{binary} did not answer within 10 s")
            time.sleep(0.0002)
        times.append((time.perf_counter() - started) * 1000)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
times.sort()
print(f"{times[0]:.1f} {times[len(times) // 2]:.1f} {times[-1]:.1f}")
EOF
}

# bench_build_hello: builds the bare Beast baseline (bench/hello) into
# build/bench-hello if needed and prints the binary's path.
bench_build_hello() {
  local dir=build/bench-hello
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S bench/hello -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$dir" >&2
  echo "$dir/hello"
}
