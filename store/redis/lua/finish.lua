-- FinishOutbound. KEYS[1] is the item; ARGV: T, id, state, NotBefore ms
-- ('' keeps it), error ('' keeps it), via ('' keeps it). Ends the lease,
-- so a retry is due at its NotBefore, and keeps the citizen's open list
-- (pending and held items, in the order due.lua describes) in step with
-- the new state.
local T, id, state = ARGV[1], ARGV[2], ARGV[3]
local k = KEYS[1]
local f = redis.call('HMGET', k, 'openid', 'state')
if not f[1] then return 0 end
local openid, was = f[1], f[2]
redis.call('HSET', k, 'state', state, 'lease', 0)
if ARGV[4] ~= '' then redis.call('HSET', k, 'nb', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', k, 'err', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', k, 'via', ARGV[6]) end

local open = T .. 'obo:' .. openid
local isOpen = state == 'pending' or state == 'held'
local wasOpen = was == 'pending' or was == 'held'
-- A claimed item is its citizen's head (claim.lua), and a retried or held
-- one stays there, holding back the rest (due.lua has the order).
if wasOpen and not isOpen then
  redis.call('LREM', open, 1, id)
elseif isOpen and not wasOpen then
  -- A finished item made open again (its lease had run out and another
  -- worker finished it first) was tried: it goes back among the tried
  -- items at the head, by id, so the citizen's order still holds.
  local placed = false
  for _, x in ipairs(redis.call('LRANGE', open, 0, obscan - 1)) do
    local f = redis.call('HMGET', T .. 'ob:' .. x, 'state', 'att')
    if not obtried(f) or tonumber(x) > tonumber(id) then
      redis.call('LINSERT', open, 'BEFORE', x, id)
      placed = true
      break
    end
  end
  if not placed then redis.call('RPUSH', open, id) end
end
due(T, openid)
return 1
