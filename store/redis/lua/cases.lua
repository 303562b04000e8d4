-- Cases. KEYS are case index zsets (score CreatedAt), all of which a case
-- must be in; ARGV: T, limit (0: none), updated since (ms; 0: any), checked
-- on the one field before the whole case is read. Walks the smallest index newest
-- first (ties: higher id first, as ZREVRANGE orders equal scores by member
-- descending), keeps the ids found in every other index, and returns each
-- case as {field, value, …}, stopping at the limit.
local T, limit, since = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local best, size = 1, nil
for i, k in ipairs(KEYS) do
  local c = redis.call('ZCARD', k)
  if size == nil or c < size then best, size = i, c end
end
local out = {}
local batch = 256
for start = 0, size - 1, batch do
  for _, id in ipairs(redis.call('ZREVRANGE', KEYS[best], start, start + batch - 1)) do
    local all = true
    for i, k in ipairs(KEYS) do
      if i ~= best and not redis.call('ZSCORE', k, id) then
        all = false
        break
      end
    end
    if all and since > 0 then
      all = tonumber(redis.call('HGET', T .. 'case:' .. id, 'updated')) >= since
    end
    if all then
      out[#out + 1] = redis.call('HGETALL', T .. 'case:' .. id)
      if limit > 0 and #out >= limit then return out end
    end
  end
end
return out
