-- bench/visits.lua at a steady rate instead of as fast as possible: the fourth argument is
-- the pause in milliseconds between two requests of one connection (wrk's delay()), so 50
-- connections with 8 ms offer about 6,000 requests a second. Latency is then what a
-- visitor waits at that load, not the queueing of a saturated machine.
dofile("bench/visits.lua")
local visits_init = init

function init(args)
  visits_init(args)
  pause = tonumber(args[4])
end

function delay()
  return pause
end
