-- cycle.lua — wrk script: GET the paths of a file (one per line) in order, round robin; each
-- thread starts at its own offset so the threads do not ask for the same tile at the same time.
--   wrk -t2 -c32 -d10s -s bench/tiles/cycle.lua http://127.0.0.1:PORT -- PATHS_FILE
local n_threads = 0

function setup(thread)
  thread:set("tid", n_threads)
  n_threads = n_threads + 1
end

local paths, i = {}, 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  i = (tid or 0) * math.floor(#paths / 2)
end

function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
