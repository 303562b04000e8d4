-- TouchToken. KEYS[1] is the tokens hash; ARGV: the token's hash, when it
-- was used (ms). Sets the record's "used" only when the token is still
-- there: a token revoked meanwhile is not written back.
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local r = cjson.decode(v)
r.used = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(r))
return 1
