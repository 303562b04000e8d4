-- Helpers the referral scripts share (put in front of them by scripts.go).

-- rfitem returns a referral as {id, field, value, …}.
local function rfitem(T, id)
  local r = redis.call('HGETALL', T .. 'rf:' .. id)
  table.insert(r, 1, id)
  return r
end

-- rfmoved keeps the indexes in step after a referral's state went from
-- was to now: its state index, and the due set T.."rfq", which holds
-- every pending referral at the later of its NotBefore and its lease end.
local function rfmoved(T, id, was, now)
  if was ~= now then
    redis.call('ZREM', T .. 'rfx:s:' .. was, id)
    redis.call('ZADD', T .. 'rfx:s:' .. now, id, id)
  end
  if now == 'pending' then
    local f = redis.call('HMGET', T .. 'rf:' .. id, 'nb', 'lease')
    local at = f[1]
    if tonumber(f[2]) > tonumber(at) then at = f[2] end
    redis.call('ZADD', T .. 'rfq', at, id)
  else
    redis.call('ZREM', T .. 'rfq', id)
  end
end
