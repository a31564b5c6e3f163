-- Cycles through the requests in $BENCH_REQUESTS (one a line: method, path, body,
-- then "Name: value" headers, separated by tabs) and writes the figures to
-- $BENCH_RESULT as JSON. Requests are formatted once, in init, so the load
-- generator spends its CPU on sending, not on building requests; only a body
-- with __N__ in it is formatted per request, with a number of its own there
-- (a comment that is new every time, not a repeat the service answers without
-- writing).
local requests = {}
local index = 0
-- Numbers start at the clock, so the comments of an earlier run are not repeated either.
local unique = os.time() % 100000 * 10000

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    if line ~= "" then
      local f = split(line)
      local headers = {}
      for i = 4, #f do
        local name, value = f[i]:match("^([^:]+): (.*)$")
        headers[name] = value
      end
      local body = nil
      if f[3] ~= "" then body = f[3] end
      if body and body:find("__N__", 1, true) then
        table.insert(requests, {method = f[1], path = f[2], headers = headers, body = body})
      else
        table.insert(requests, wrk.format(f[1], f[2], headers, body))
      end
    end
  end
  -- Start at a random place, so runs do not always begin with the same participant.
  index = math.random(#requests) - 1
end

function request()
  index = index % #requests + 1
  local r = requests[index]
  if type(r) == "string" then return r end
  unique = unique + 1
  local body = r.body:gsub("__N__", tostring(unique))
  return wrk.format(r.method, r.path, r.headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local out = io.open(os.getenv("BENCH_RESULT"), "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
  out:close()
end
