-- wrk script for bench/redirect.py: each request follows a random tracked link (codes from
-- the file named in the first argument) as a visitor of its own (an address per request in
-- X-Forwarded-For, which the server trusts from loopback only), so every 302 is one visit
-- to count. During the last two seconds (second argument: the run's length) it asks for an
-- unknown code instead: the requests still in flight when wrk stops are then 404s, never
-- visits that the server counted and wrk did not see. done() prints the 302s received.
-- The third argument numbers the run: addresses never repeat from one run to the next.
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  codes = {}
  for line in io.lines(args[1]) do codes[#codes + 1] = line end
  tail_from = os.time() + tonumber(args[2]) - 2
  run = tonumber(args[3])
  math.randomseed(id * 7919 + os.time())
  counter = 0
  found = 0
end

request = function()
  counter = counter + 1
  local ip = string.format("%d.%d.%d.%d", run * 4 + id, math.floor(counter / 65536) % 256,
    math.floor(counter / 256) % 256, counter % 256)
  local path = "/r/" .. codes[math.random(#codes)]
  if os.time() >= tail_from then path = "/r/unknownzzz" end
  return wrk.format("GET", path, {["X-Forwarded-For"] = ip, ["User-Agent"] = "Mozilla/5.0 (bench)"})
end

response = function(status, headers, body)
  if status == 302 then found = found + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("found") end
  io.write(string.format("COUNTED302 %d\n", total))
end
