-- wrk-report.lua: makes wrk print machine-readable lines, read by bench/Biscuit.Bench/HttpTools.cs.
--   wrk-second t=EPOCH_SECOND responses=N   once per wall-clock second in which a worker thread got
--                                           responses (printed when the next second starts, so the
--                                           last second of a run is never printed; a second with
--                                           no responses prints nothing)
--   wrk-report requests=... (the last line) the run's totals; latencies in ms, from wrk's histogram.
-- Defining response() makes wrk hand each response to Lua; that costs host CPU, the same for both
-- guests (the Linux guest and Biscuit are loaded with this same script).
local second, count = nil, 0

response = function(status, headers, body)
  local now = os.time()
  if now ~= second then
    if second ~= nil then io.write(string.format("wrk-second t=%d responses=%d\n", second, count)) end
    second, count = now, 0
  end
  count = count + 1
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "wrk-report requests=%d seconds=%.3f bytes=%d rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d\n",
    summary.requests, seconds, summary.bytes, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
