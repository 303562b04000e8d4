-- TakeNonce. KEYS[1] is the nonce's key; ARGV[1] the body's digest,
-- ARGV[2] now and ARGV[3] until (ms, the caller's clock). The value is
-- "<digest> <until>": a key whose until is at or before now is free, as
-- in the SQLite store, even if the server, on its own clock, still holds
-- it. Returns 1 for a replay (held with another digest), else 0.
local v = redis.call('GET', KEYS[1])
if v then
  local digest, untl = string.match(v, '^(%S+) (%-?%d+)$')
  if untl and tonumber(untl) > tonumber(ARGV[2]) then
    if digest == ARGV[1] then return 0 end
    return 1
  end
end
local ttl = tonumber(ARGV[3]) - tonumber(ARGV[2])
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[3], 'PX', ttl)
end
return 0
