-- wrk script of the HTTP load benchmark: POSTs the JSON bodies of $BODIES (one per line) in turn with the
-- function key in $KEY, and prints the summary as one `WRK {json}` line (latencies in ms; cpu: the CPU-seconds
-- wrk used, from os.clock).
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
local headers = { ["content-type"] = "application/json", ["x-functions-key"] = os.getenv("KEY") }
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", nil, headers, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format('WRK {"requests":%d,"seconds":%f,"non2xx":%d,"errors":%d,"p50":%f,"p90":%f,"p99":%f,"max":%f,"cpu":%f}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000, os.clock()))
end
