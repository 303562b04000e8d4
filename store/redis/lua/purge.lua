-- Purge. KEYS[1] is the dedup expiry zset; ARGV: T, now (ms), batch size.
-- Deletes up to a batch of keys whose time ran out at or before now, with
-- their index entries; returns how many, so the caller knows to go on.
local ks = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, k in ipairs(ks) do
  redis.call('DEL', ARGV[1] .. 'dd:' .. k)
  redis.call('ZREM', KEYS[1], k)
end
return #ks
