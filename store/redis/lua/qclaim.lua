-- ClaimItems. KEYS[1] is the lane's due set; ARGV: T, now, lease end
-- (ms), max, lane. The due set holds each key with an item that may be
-- claimed, and each due item without a key, scored by when (queue.lua),
-- so what is due at now is one range query away, most overdue first.
-- For a key, the candidate is a tried head if there is one (claimed only
-- if pending, due and its lease ran out), else the first untried item
-- that is due. A claimed untried item moves to the head: tried now, it
-- holds back the key's other items while in flight, and afterwards if it
-- is held or retried. A claim moves the score to the lease end: if the
-- worker dies, the item comes due again then, to any instance, with
-- Attempts counting the new try. All of it is one script, which Redis
-- runs without interleaving another: no two workers can take the same
-- item, nor two items of one key.
local T, now, lease, lane = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[5]
local out = {}
local function take(id)
  local k = T .. 'q:' .. id
  redis.call('HINCRBY', k, 'att', 1)
  redis.call('HSET', k, 'lease', lease)
  out[#out + 1] = qitem(T, id)
end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))) do
  local tag, rest = string.sub(m, 1, 2), string.sub(m, 3)
  if tag == 'i:' then
    if redis.call('HGET', T .. 'q:' .. rest, 'state') == 'pending' then
      take(rest)
      redis.call('ZADD', KEYS[1], lease, m)
    else
      redis.call('ZREM', KEYS[1], m) -- cannot happen while the scripts keep the set in step
    end
  else
    local open = T .. 'qo:' .. rest
    local pick, pos
    for i, id in ipairs(redis.call('LRANGE', open, 0, qscan - 1)) do
      local f = redis.call('HMGET', T .. 'q:' .. id, 'state', 'att', 'nb', 'lease')
      if i == 1 and qtried(f) then
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
      take(pick)
    end
    qkeydue(T, lane, rest)
  end
end
return out
