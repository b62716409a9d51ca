-- wrk script: requests the paths listed in the file named by WRK_PATHS (one a line) in turn, and
-- counts the answers that are not 2xx or 3xx across every thread; done() prints
-- "responses N failed M" for the test to read.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(os.getenv("WRK_PATHS")) do
    if #line > 0 then table.insert(paths, line) end
  end
  i = 0
  seen = 0
  failed = 0
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function response(status, headers, body)
  seen = seen + 1
  if status < 200 or status >= 400 then failed = failed + 1 end
end

function done(summary, latency, requests)
  local n, bad = 0, 0
  for _, t in ipairs(threads) do
    n = n + t:get("seen")
    bad = bad + t:get("failed")
  end
  local e = summary.errors
  io.write(string.format("responses %d failed %d socket_errors %d\n", n, bad,
                         e.connect + e.read + e.write + e.timeout))
end
