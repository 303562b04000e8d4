-- EndedBefore, one batch. KEYS[1] is an ended status's case index (score
-- CreatedAt); ARGV: T, before (ms), offset, batch. A case is changed no
-- earlier than it was made, so only cases made before `before` can
-- qualify. Returns {how many were looked at, id, …}: the ids of those
-- last changed before `before` and not anonymised.
local T, before = ARGV[1], ARGV[2]
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. before, 'LIMIT', tonumber(ARGV[3]), tonumber(ARGV[4]))
local out = {#ids}
for _, id in ipairs(ids) do
  local f = redis.call('HMGET', T .. 'case:' .. id, 'updated', 'anon')
  if f[1] and tonumber(f[1]) < tonumber(before) and (not f[2] or f[2] == '0') then out[#out + 1] = id end
end
return out
