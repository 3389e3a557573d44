-- wrk script for scripts/load-bench.sh: POSTs one body with the gateway's headers over
-- keep-alive connections, optionally paced to a fixed total rate, and prints one
-- machine-readable "BENCH ..." line at the end.
--
-- Environment:
--   BENCH_BODY     file with the request body (required)
--   BENCH_KEY      API key sent as "Authorization: Bearer KEY" (required)
--   BENCH_RATE     total requests/s over all threads; 0 or unset = as fast as possible
--   BENCH_THREADS  wrk's -t, needed to split BENCH_RATE between threads
--
-- Pacing (Debian's wrk has no wrk2 -R option): wrk calls delay() before every request
-- on a connection when the script defines it. Each thread keeps a schedule of send
-- slots BENCH_THREADS/BENCH_RATE seconds apart on the monotonic clock (LuaJIT ffi); a
-- connection that is ready takes the next slot and waits for it (millisecond timer
-- resolution). A thread that falls behind does not burst to catch up. Latency is wrk's:
-- from writing the request to the end of the response, so time a request spent waiting
-- for a free connection is not counted (no coordinated-omission correction as in wrk2).

local function readfile(path)
  local f = assert(io.open(path, "rb"), "cannot open BENCH_BODY " .. tostring(path))
  local s = f:read("*a")
  f:close()
  return s
end

local key = os.getenv("BENCH_KEY") or error("BENCH_KEY is not set")
wrk.method = "POST"
wrk.body = readfile(os.getenv("BENCH_BODY"))
wrk.headers["Content-Type"] = "application/fhir+json"
wrk.headers["Authorization"] = "Bearer " .. key

local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
local threads = tonumber(os.getenv("BENCH_THREADS") or "1") or 1

if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clk_id, bench_timespec *tp);
  ]]
  local ts = ffi.new("bench_timespec")
  local function now_us()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
  end
  local interval_us = 1e6 * threads / rate
  local next_us = nil

  function delay()
    local now = now_us()
    if next_us == nil then
      next_us = now
    end
    next_us = next_us + interval_us
    if next_us < now then
      next_us = now
    end
    return math.floor((next_us - now) / 1000 + 0.5)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d "
      .. "mean_us=%.0f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end
