-- ClaimOutbound. KEYS[1] is the due set; ARGV: T, now, lease end (ms), max.
-- The due set holds each citizen with an item that may be claimed, scored
-- by when (due.lua), so the citizens due at now are one range query away.
-- For each, the candidate is a tried head if there is one (claimed only if
-- pending, due and its lease ran out), else the first untried item that is
-- due (due.lua has the order). A claimed untried item moves to the head:
-- tried now, it holds back the citizen's other items while in flight, and
-- afterwards if it is held or retried. A claim moves the citizen's score
-- to the lease end: if the worker dies, the item comes due again then, to
-- any instance, with Attempts counting the new try. All of it is one
-- script, which Redis runs without interleaving another: no two workers
-- can take the same item, nor two items of one citizen.
local T, now, lease = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local out = {}
for _, openid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))) do
  local open = T .. 'obo:' .. openid
  local pick, pos
  for i, id in ipairs(redis.call('LRANGE', open, 0, obscan - 1)) do
    local f = redis.call('HMGET', T .. 'ob:' .. id, 'state', 'att', 'nb', 'lease')
    if i == 1 and obtried(f) then
      if f[1] == 'pending' and tonumber(f[3]) <= now and tonumber(f[4]) <= now then pick = id end
      break
    end
    if tonumber(f[3]) <= now then
      pick, pos = id, i
      break
    end
  end
  if pick then
    if pos and pos > 1 then
      redis.call('LREM', open, 1, pick)
      redis.call('LPUSH', open, pick)
    end
    local k = T .. 'ob:' .. pick
    redis.call('HINCRBY', k, 'att', 1)
    redis.call('HSET', k, 'lease', lease)
    out[#out + 1] = item(T, pick)
  end
  due(T, openid)
end
return out
