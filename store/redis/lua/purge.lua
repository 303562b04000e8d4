-- Purge. KEYS[1] is the dedup expiry zset; ARGV: T, now (ms), batch size,
-- the stale-dialog cutoff (ms: now - store.StaleDialog). Deletes up to a
-- batch of dedup keys whose time ran out at or before now, and up to a batch
-- of dialogs last saved at or before the cutoff, with their index entries;
-- returns the larger count, so the caller knows to go on.
local ks = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, k in ipairs(ks) do
  redis.call('DEL', ARGV[1] .. 'dd:' .. k)
  redis.call('ZREM', KEYS[1], k)
end
-- A dialog's own PEXPIRE counts from its save on the server's clock; the
-- index holds its time on the caller's, which is the one Purge's now is on.
-- Every save moves the entry, so an entry at or before the cutoff is the
-- dialog as it now stands (or one the server already dropped).
local ds = redis.call('ZRANGEBYSCORE', ARGV[1] .. 'dlgx', '-inf', ARGV[4], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ds) do
  redis.call('DEL', ARGV[1] .. 'dlg:' .. id)
  redis.call('ZREM', ARGV[1] .. 'dlgx', id)
end
return math.max(#ks, #ds)
