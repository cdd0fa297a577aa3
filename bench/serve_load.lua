-- wrk script of bench/serve.sh: POSTs the JSON bodies of BODIES (one per line) in turn,
-- with `Authorization: Bearer KEY` when KEY is set, and prints a JSON summary at the end.
local bodies = {}
local next_body = 1
local key = os.getenv("KEY")

function init(args)
  for line in io.lines(os.getenv("BODIES")) do
    bodies[#bodies + 1] = line
  end
end

function request()
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  local headers = { ["Content-Type"] = "application/json" }
  if key and key ~= "" then
    headers["Authorization"] = "Bearer " .. key
  end
  return wrk.format("POST", "/v1/classify", headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
