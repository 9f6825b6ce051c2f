-- wrk script for bench/iam.sh: CreateRole with a distinct RoleName per
-- request (<BENCH_PREFIX>-<thread>-<n>). Signatures cover the body, so the
-- server runs with --auth off (moto verifies nothing anyway); the
-- Authorization header only carries the iam credential scope that routes
-- the request to IAM.
--   BENCH_PREFIX  role name prefix, unique per run (default "bench")
--   BENCH_LIMIT   CreateRole answers per wrk thread before the thread stops
--                 (0: none, run for wrk's -d). With a limit the store grows
--                 by a known amount, so a "N roles stored" run stays near N.
-- done() prints "bench_rate <answers> <seconds> <answers/s> <non-2xx>" and,
-- if any, "bench_error <status> <body>" for the first non-2xx one; timed from
-- each thread's first request to its last answer (CLOCK_MONOTONIC through
-- LuaJIT's ffi): wrk's own Requests/sec divides by the whole -d even when
-- the threads stopped early.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local prefix = os.getenv("BENCH_PREFIX") or "bench"
local limit = tonumber(os.getenv("BENCH_LIMIT") or "0")
local trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",' ..
    '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local trust_encoded = urlencode(trust)

-- main state: one entry per wrk thread
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

-- thread states
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
wrk.headers["X-Amz-Date"] = "20260101T000000Z"
wrk.headers["Authorization"] =
    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00"
sent, answered, errors, first_error, t0, t1 = 0, 0, 0, "", 0, 0

function request()
  if sent == 0 then t0 = now() end
  sent = sent + 1
  local body = "Action=CreateRole&Version=2010-05-08&RoleName=" .. prefix .. "-" .. id .. "-" .. sent ..
      "&AssumeRolePolicyDocument=" .. trust_encoded
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  answered = answered + 1
  t1 = now()
  if status < 200 or status > 299 then
    errors = errors + 1
    if first_error == "" then first_error = status .. " " .. body:sub(1, 400):gsub("%s+", " ") end
  end
  if limit > 0 and answered >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local first, last, total, errors, first_error = math.huge, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    local a = t:get("answered")
    if a > 0 then
      first = math.min(first, t:get("t0"))
      last = math.max(last, t:get("t1"))
      total = total + a
      errors = errors + t:get("errors")
      if first_error == "" then first_error = t:get("first_error") end
    end
  end
  local seconds = last > first and last - first or 0
  io.write(string.format("bench_rate %d %.6f %.1f %d\n", total, seconds, seconds > 0 and total / seconds or 0, errors))
  if first_error ~= "" then io.write("bench_error ", first_error, "\n") end
end
