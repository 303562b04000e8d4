-- ListReferrals. KEYS are referral index zsets (score = id), all of which
-- a referral must be in; ARGV: T, limit (0: none). Walks the smallest
-- index newest first, keeps the ids found in every other index, and
-- returns each referral as {id, field, value, …}, stopping at the limit.
local T, limit = ARGV[1], tonumber(ARGV[2])
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
    if all then
      out[#out + 1] = rfitem(T, id)
      if limit > 0 and #out >= limit then return out end
    end
  end
end
return out
