-- wrk-report.lua: makes wrk print one machine-readable line at the end of a run, read by
-- bench/Biscuit.Bench/LinuxNginxBenchmark.cs. Latencies in ms, from wrk's own histogram.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "wrk-report requests=%d seconds=%.3f bytes=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d\n",
    summary.requests, seconds, summary.bytes, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
