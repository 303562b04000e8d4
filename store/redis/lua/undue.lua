-- CasesWithoutDue. KEYS[1] is the due-time zset, there to route the script
-- to the transaction slot; ARGV: T, limit (0: all), then the open
-- statuses. Returns, by id, up to limit open cases whose hash has no due
-- or no dl_at field (never set), each as {id, due} (due: the stored due
-- time, '0' when absent). It walks every open case: it is for the
-- watcher's first pass, not for every tick.
local T, limit = ARGV[1], tonumber(ARGV[2])
local out = {}
for i = 3, #ARGV do
  for _, id in ipairs(redis.call('ZRANGE', T .. 'cx:s:' .. ARGV[i], 0, -1)) do
    local f = redis.call('HMGET', T .. 'case:' .. id, 'due', 'dl_at')
    if not f[1] or not f[2] then out[#out + 1] = {id, f[1] or '0'} end
  end
end
table.sort(out, function(a, b) return a[1] < b[1] end)
if limit > 0 and #out > limit then
  local cut = {}
  for i = 1, limit do cut[i] = out[i] end
  out = cut
end
return out
