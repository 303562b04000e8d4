-- CloseWindow. KEYS[1] is the citizen; ARGV[1] is now (ms). Ends the
-- window at now, never later than it already ends; an unknown citizen has
-- no window to close.
local u = redis.call('HGET', KEYS[1], 'u')
if u and tonumber(u) > tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'u', ARGV[1]) end
return 0
