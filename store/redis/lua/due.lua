-- A citizen's open (pending or held) items, T.."obo:"..openid, are kept
-- in the order they may go out: first those already tried and still open
-- (att > 0, or held: in flight, held until the citizen writes, or waiting
-- out a retry's backoff), oldest first; normally there is at most one,
-- since nothing else of the citizen is claimed while one is there. Then
-- the untried ones, oldest (lowest id) first. A tried item at the head
-- holds back everything behind it; otherwise the first untried item that
-- is due goes, so one queued for later (a video reminder a day ahead)
-- does not hold back what was queued after it and is due now. This is
-- the rule store/sqlite's ClaimOutbound applies to its table.
--
-- obscan bounds how far into a citizen's untried items the scripts look
-- for the earliest or the first due: a due item behind more than obscan
-- items queued for later waits until some of them go. A citizen has a
-- handful of items queued for later at most (a reminder per scheduled
-- video, a long reply's overflow for two seconds), so this never binds in
-- practice; it keeps every script's work bounded whatever piles up.
local obscan = 64

-- obtried tells a tried item from an untried one by its fields {state, att}.
local function obtried(f)
  return f[1] == 'held' or tonumber(f[2]) > 0
end

-- due(T, openid) puts the citizen in the due set T.."obd" with the time
-- its next item may be claimed, or takes the citizen out when none can be
-- (nothing open, or a held item at the head: it blocks the items behind
-- it until released). For a tried head that is the later of its
-- NotBefore and its lease end; for untried items, the earliest NotBefore.
local function due(T, openid)
  local at
  for i, id in ipairs(redis.call('LRANGE', T .. 'obo:' .. openid, 0, obscan - 1)) do
    local f = redis.call('HMGET', T .. 'ob:' .. id, 'state', 'att', 'nb', 'lease')
    if i == 1 and obtried(f) then
      if f[1] == 'pending' then
        at = f[3]
        if tonumber(f[4]) > tonumber(at) then at = f[4] end
      end
      break
    end
    if not at or tonumber(f[3]) < tonumber(at) then at = f[3] end
  end
  if at then
    redis.call('ZADD', T .. 'obd', at, openid)
  else
    redis.call('ZREM', T .. 'obd', openid)
  end
end

-- item returns an outbound item as {id, field, value, …}.
local function item(T, id)
  local r = redis.call('HGETALL', T .. 'ob:' .. id)
  table.insert(r, 1, id)
  return r
end
