-- AuditLog. KEYS are audit index zsets, all of which an entry must be in;
-- ARGV: T, lowest score ('-inf' or ms), highest ('+inf' or '(' .. ms),
-- the Before id (0: none), limit (0: none). Walks the smallest index
-- newest first (by time, then id) and returns {id, JSON, …}.
local T, lo, hi, before, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local bm, bs
if before ~= 0 then
  -- Only entries after the Before entry: at its time or earlier, and at
  -- its very time only those of smaller id.
  bm = string.format('%019d', before)
  bs = redis.call('ZSCORE', T .. 'aux', bm)
  if not bs then return {} end
  if hi == '+inf' or tonumber(bs) < tonumber(string.sub(hi, 2)) then hi = bs end
end
local best, size = 1, nil
for i, k in ipairs(KEYS) do
  local c = redis.call('ZCOUNT', k, lo, hi)
  if size == nil or c < size then best, size = i, c end
end
local out = {}
local batch = 256
-- The walk's cursor: the highest score still to read, and how many
-- entries of exactly that score were read already.
local top, off = hi, 0
while true do
  local page = redis.call('ZREVRANGEBYSCORE', KEYS[best], top, lo, 'WITHSCORES', 'LIMIT', off, batch)
  if #page == 0 then break end
  local last, same = nil, 0
  for i = 1, #page, 2 do
    local m, sc = page[i], page[i + 1]
    if sc == last then same = same + 1 else last, same = sc, 1 end
    local ok = not (bm and tonumber(sc) == tonumber(bs) and m >= bm)
    if ok then
      for j, k in ipairs(KEYS) do
        if j ~= best and not redis.call('ZSCORE', k, m) then
          ok = false
          break
        end
      end
    end
    if ok then
      local id = tonumber(m)
      out[#out + 1] = id
      out[#out + 1] = redis.call('HGET', T .. 'au', id)
      if limit > 0 and #out >= 2 * limit then return out end
    end
  end
  if #page < 2 * batch then break end
  if top == last then off = off + same else top, off = last, same end
end
return out
