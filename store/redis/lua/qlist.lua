-- Items. KEYS are item index zsets (score = id), all of which an item
-- must be in; ARGV: T, limit (0: none), '1' for newest first. Walks the
-- smallest index in order, keeps the ids found in every other index, and
-- returns each item as {id, field, value, …}, stopping at the limit.
local T, limit, newest = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1'
local best, size = 1, nil
for i, k in ipairs(KEYS) do
  local c = redis.call('ZCARD', k)
  if size == nil or c < size then best, size = i, c end
end
local out = {}
local batch = 256
for start = 0, size - 1, batch do
  local ids
  if newest then
    ids = redis.call('ZREVRANGE', KEYS[best], start, start + batch - 1)
  else
    ids = redis.call('ZRANGE', KEYS[best], start, start + batch - 1)
  end
  for _, id in ipairs(ids) do
    local all = true
    for i, k in ipairs(KEYS) do
      if i ~= best and not redis.call('ZSCORE', k, id) then
        all = false
        break
      end
    end
    if all then
      out[#out + 1] = qitem(T, id)
      if limit > 0 and #out >= limit then return out end
    end
  end
end
return out
