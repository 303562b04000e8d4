-- audit(T, at, rec, user, case, action) appends an audit entry (rec, its
-- JSON) under the next id and puts it in the indexes: every entry, and
-- those of its user, case and action. The members are the id padded to
-- 19 digits, scored by the entry's time (ms), so entries of one instant
-- sort by id. Nothing ever removes or rewrites an entry.
local function audit(T, at, rec, user, case, action)
  local id = redis.call('INCR', T .. 'n:au')
  local m = string.format('%019d', id)
  redis.call('HSET', T .. 'au', id, rec)
  redis.call('ZADD', T .. 'aux', at, m)
  redis.call('ZADD', T .. 'aux:u:' .. user, at, m)
  if case ~= '' then redis.call('ZADD', T .. 'aux:c:' .. case, at, m) end
  redis.call('ZADD', T .. 'aux:a:' .. action, at, m)
  return id
end
