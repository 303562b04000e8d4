-- Helpers the queue scripts share (put in front of them by scripts.go).
-- The layout is in keys.go: an item is the hash T.."q:"..id; an item with
-- an ordering key is, while open (pending or held), in its key's list
-- T.."qo:"..key; the due set of a lane, T.."qd:"..lane, holds what may be
-- claimed and when: "k:"..key for a key, "i:"..id for an item without one.
--
-- A key's open list is kept in the order its items may go out: first
-- those already tried and still open (att > 0, or held: in flight, held
-- until the citizen writes, or waiting out a retry's backoff), oldest
-- first; normally there is at most one, since nothing else of the key is
-- claimed while one is there. Then the untried ones, oldest (lowest id)
-- first. A tried item at the head holds back everything behind it;
-- otherwise the first untried item that is due goes, so one queued for
-- later (a video reminder a day ahead) does not hold back what was queued
-- after it and is due now. This is the rule store/sqlite's ClaimItems
-- applies to its table.
--
-- qscan bounds how far into a key's untried items the scripts look for
-- the earliest or the first due: a due item behind more than qscan items
-- queued for later waits until some of them go. A citizen has a handful
-- of items queued for later at most (a reminder per scheduled video, a
-- long reply's overflow for two seconds), so this never binds in
-- practice; it keeps every script's work bounded whatever piles up.
local qscan = 64

-- qtried tells a tried item from an untried one by its fields {state, att}.
local function qtried(f)
  return f[1] == 'held' or tonumber(f[2]) > 0
end

-- qkeydue puts the key in its lane's due set with the time its next item
-- may be claimed, or takes it out when none can be (nothing open, or a
-- held item at the head: it blocks the items behind it until released).
-- For a tried head that is the later of its NotBefore and its lease end;
-- for untried items, the earliest NotBefore.
local function qkeydue(T, lane, key)
  local at
  for i, id in ipairs(redis.call('LRANGE', T .. 'qo:' .. key, 0, qscan - 1)) do
    local f = redis.call('HMGET', T .. 'q:' .. id, 'state', 'att', 'nb', 'lease')
    if i == 1 and qtried(f) then
      if f[1] == 'pending' then
        at = f[3]
        if tonumber(f[4]) > tonumber(at) then at = f[4] end
      end
      break
    end
    if not at or tonumber(f[3]) < tonumber(at) then at = f[3] end
  end
  if at then
    redis.call('ZADD', T .. 'qd:' .. lane, at, 'k:' .. key)
  else
    redis.call('ZREM', T .. 'qd:' .. lane, 'k:' .. key)
  end
end

-- qplace puts an item that became open again (a retry of a failed item,
-- a finish after its lease ran out) into its key's open list where the
-- order above has it: among the tried ones by id if it was tried, among
-- the untried ones by id otherwise.
local function qplace(T, key, id)
  local open = T .. 'qo:' .. key
  local me = qtried(redis.call('HMGET', T .. 'q:' .. id, 'state', 'att'))
  for _, x in ipairs(redis.call('LRANGE', open, 0, qscan - 1)) do
    local t = qtried(redis.call('HMGET', T .. 'q:' .. x, 'state', 'att'))
    if (me and (not t or tonumber(x) > tonumber(id))) or (not me and not t and tonumber(x) > tonumber(id)) then
      redis.call('LINSERT', open, 'BEFORE', x, id)
      return
    end
  end
  redis.call('RPUSH', open, id)
end

-- qmoved keeps the indexes in step after an item's state went from was
-- to now (its NotBefore or lease may have changed too): its state index,
-- its key's open list, and its lane's due set.
local function qmoved(T, id, was, now)
  local f = redis.call('HMGET', T .. 'q:' .. id, 'lane', 'key', 'nb', 'lease')
  local lane, key = f[1], f[2]
  if was ~= now then
    redis.call('ZREM', T .. 'qx:s:' .. was, id)
    redis.call('ZADD', T .. 'qx:s:' .. now, id, id)
  end
  if key ~= '' then
    local isOpen = now == 'pending' or now == 'held'
    local wasOpen = was == 'pending' or was == 'held'
    if wasOpen and not isOpen then
      redis.call('LREM', T .. 'qo:' .. key, 1, id)
    elseif isOpen and not wasOpen then
      qplace(T, key, id)
    end
    qkeydue(T, lane, key)
  elseif now == 'pending' then
    local at = f[3]
    if tonumber(f[4]) > tonumber(at) then at = f[4] end
    redis.call('ZADD', T .. 'qd:' .. lane, at, 'i:' .. id)
  else
    redis.call('ZREM', T .. 'qd:' .. lane, 'i:' .. id)
  end
end

-- qitem returns an item as {id, field, value, …}.
local function qitem(T, id)
  local r = redis.call('HGETALL', T .. 'q:' .. id)
  table.insert(r, 1, id)
  return r
end
