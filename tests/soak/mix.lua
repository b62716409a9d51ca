-- mix.lua — wrk script: portal-shaped traffic, each request's kind drawn by weight
-- (70 % cached tiles, 15 % uncached tiles, 5 % PNG, 5 % items with filters, 5 % pages and
-- TileJSON) from the lists of tests/soak/make_urls.py, and every answer logged with its kind,
-- status and latency, so p50/p99 can be given per kind (wrk's own histogram mixes them).
--   wrk -tN -cN -dSECS -s tests/soak/mix.lua URL -- URL_DIR LOG_DIR RATE
-- RATE is the requests per second of each thread at most (a pause after each answer): a soak
-- holds a steady load for a long time, it does not look for the highest rate.
-- One connection per thread (-t equal to -c): a thread then has one request in flight, so the
-- answer wrk hands to response() is the one to the last request() of that thread.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } soak_timespec;
  int clock_gettime(int clk_id, soak_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("soak_timespec")
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local n_threads = 0
function setup(thread)
  thread:set("tid", n_threads)
  n_threads = n_threads + 1
end

-- cumulative weights in percent, in the order they are drawn
local KINDS = { { "cached", 70 }, { "uncached", 85 }, { "png", 90 }, { "items", 95 }, { "pages", 100 } }
local lists, next_i = {}, {}
local log, kind, started, pause_ms

function init(args)
  local url_dir, log_dir = args[1], args[2]
  for _, k in ipairs(KINDS) do
    local name, paths = k[1], {}
    for line in io.lines(url_dir .. "/" .. name .. ".txt") do
      if #line > 0 then paths[#paths + 1] = line end
    end
    lists[name] = paths
    -- each thread walks its own stretch of a list: the uncached tiles are not asked twice
    next_i[name] = (tid or 0) * math.floor(#paths / 16)
  end
  math.randomseed(1000 + (tid or 0))
  pause_ms = math.floor(1000 / tonumber(args[3] or 50))
  log = assert(io.open(string.format("%s/lat-%d.txt", log_dir, tid or 0), "w"))
end

function request()
  local r = math.random(100)
  for _, k in ipairs(KINDS) do
    if r <= k[2] then
      kind = k[1]
      break
    end
  end
  local paths = lists[kind]
  local i = next_i[kind]
  next_i[kind] = i + 1
  if kind == "cached" then i = math.random(#paths) - 1 end
  started = now_us()
  return wrk.format("GET", paths[(i % #paths) + 1])
end

function delay()
  return pause_ms
end

function response(status, headers, body)
  log:write(kind, " ", status, " ", math.floor(now_us() - started), "\n")
end
