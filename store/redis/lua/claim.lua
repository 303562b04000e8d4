-- ClaimOutbound. KEYS[1] is the due set; ARGV: T, now, lease end (ms), max.
-- The due set holds each citizen whose oldest open item is pending, scored
-- by when it may be claimed, so the items due at now are one range query
-- away and a citizen's later items are never candidates. A claim moves the
-- citizen's score to the lease end: if the worker dies, the item comes due
-- again then, to any instance, with Attempts counting the new try.
local T, now, lease = ARGV[1], ARGV[2], ARGV[3]
local out = {}
for _, openid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))) do
  local id = redis.call('LINDEX', T .. 'obo:' .. openid, 0)
  local k = id and T .. 'ob:' .. id
  if id and redis.call('HGET', k, 'state') == 'pending' then
    redis.call('HINCRBY', k, 'att', 1)
    redis.call('HSET', k, 'lease', lease)
    redis.call('ZADD', KEYS[1], lease, openid)
    out[#out + 1] = item(T, id)
  else
    due(T, openid)
  end
end
return out
