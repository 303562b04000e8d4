-- ReserveSend. KEYS[1] is the citizen; ARGV[1] is now (ms). Check and
-- count in one script, so concurrent senders cannot overshoot the quota.
-- A citizen never seen has no window, hence no room.
local f = redis.call('HMGET', KEYS[1], 'u', 'q', 's')
if not f[1] then return 0 end
if tonumber(f[1]) > tonumber(ARGV[1]) and tonumber(f[3]) < tonumber(f[2]) then
  redis.call('HINCRBY', KEYS[1], 's', 1)
  return 1
end
return 0
