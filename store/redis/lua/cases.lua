-- Cases. KEYS are case index zsets (score CreatedAt), all of which a case
-- must be in; ARGV: T, limit (0: none), updated since (ms; 0: any), checked
-- on the one field before the whole case is read; created from and before
-- (ms; 0: no bound); due by (ms; 0: any), a bound on the running deadline
-- (the zset T.."dl").
--
-- Walks the smallest index newest first within the created range (ties:
-- higher id first, as ZREVRANGE orders equal scores by member
-- descending), keeps the ids found in every other index, and returns each
-- case as {field, value, …}, stopping at the limit. With a due-by bound,
-- when fewer deadlines are due than that index holds in the range (the
-- overdue list: a few among thousands of open cases), it starts from the
-- due deadlines instead and puts them in the same order.
local T, limit, since = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local from, before, dueby = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local cmin, cmax = '-inf', '+inf'
if from > 0 then cmin = from end
if before > 0 then cmax = '(' .. before end
local best, size = 1, nil
for i, k in ipairs(KEYS) do
  local c = redis.call('ZCOUNT', k, cmin, cmax)
  if size == nil or c < size then best, size = i, c end
end
local dl = T .. 'dl'

-- keep reports whether id, found in KEYS[skip], passes every other test.
local function keep(id, skip)
  for i, k in ipairs(KEYS) do
    if i ~= skip and not redis.call('ZSCORE', k, id) then return false end
  end
  if since > 0 and tonumber(redis.call('HGET', T .. 'case:' .. id, 'updated')) < since then return false end
  if dueby > 0 and skip ~= 0 then
    local d = redis.call('ZSCORE', dl, id)
    if not d or tonumber(d) > dueby then return false end
  end
  return true
end

local out = {}
if dueby > 0 and redis.call('ZCOUNT', dl, '-inf', dueby) < size then
  -- From the due deadlines: each must be in every index (skip 0), within
  -- the created range (its score there), then in the walk's order.
  local function within(c)
    return (from == 0 or c >= from) and (before == 0 or c < before)
  end
  local found = {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', dl, '-inf', dueby)) do
    local c = redis.call('ZSCORE', KEYS[1], id)
    if c and within(tonumber(c)) and keep(id, 0) then found[#found + 1] = {id, tonumber(c)} end
  end
  table.sort(found, function(a, b)
    if a[2] ~= b[2] then return a[2] > b[2] end
    return a[1] > b[1]
  end)
  for _, f in ipairs(found) do
    out[#out + 1] = redis.call('HGETALL', T .. 'case:' .. f[1])
    if limit > 0 and #out >= limit then return out end
  end
  return out
end

-- The walk goes by rank (ZREVRANGE), which costs no skipping: the range's
-- first rank is the count of the cases made at or after before.
local top = 0
if before > 0 then top = redis.call('ZCOUNT', KEYS[best], before, '+inf') end
local batch = 256
for start = top, top + size - 1, batch do
  for _, id in ipairs(redis.call('ZREVRANGE', KEYS[best], start, math.min(start + batch, top + size) - 1)) do
    if keep(id, best) then
      out[#out + 1] = redis.call('HGETALL', T .. 'case:' .. id)
      if limit > 0 and #out >= limit then return out end
    end
  end
end
return out
