-- due(T, openid) puts the citizen in the due set T.."obd" with the time
-- its oldest open item may be claimed (the later of its NotBefore and its
-- lease), or takes the citizen out when that item is held or none is open:
-- a held item blocks the items behind it until it is released.
local function due(T, openid)
  local head = redis.call('LINDEX', T .. 'obo:' .. openid, 0)
  if head then
    local f = redis.call('HMGET', T .. 'ob:' .. head, 'state', 'nb', 'lease')
    if f[1] == 'pending' then
      local at = f[2]
      if tonumber(f[3]) > tonumber(at) then at = f[3] end
      redis.call('ZADD', T .. 'obd', at, openid)
      return
    end
  end
  redis.call('ZREM', T .. 'obd', openid)
end

-- item returns an outbound item as {id, field, value, …}.
local function item(T, id)
  local r = redis.call('HGETALL', T .. 'ob:' .. id)
  table.insert(r, 1, id)
  return r
end
