-- SaveAlert: the version check and every write of an alert in one script,
-- so that two instances evaluating one cluster at once cannot both open an
-- alert for it (the second finds the key taken and gets 'conflict'), and
-- a change made from a stale read is refused. KEYS[1] is the alert id
-- counter. ARGV: T, the notice channel, the save as JSON: id ('' for a
-- new alert), was (the version read, '0' for a new alert), key, status,
-- rec (store.EncodeAlert), cases (list), audit (list of {at, rec, user,
-- case, action}).
local T, channel = ARGV[1], ARGV[2]
local doc = cjson.decode(ARGV[3])
local id = doc.id
local was = tonumber(doc.was)
if was == 0 then
  if redis.call('HEXISTS', T .. 'alo', doc.key) == 1 then return {'conflict'} end
  id = tostring(redis.call('INCR', KEYS[1]))
  redis.call('ZADD', T .. 'alx', tonumber(id), id)
  redis.call('ZADD', T .. 'alk:' .. doc.key, tonumber(id), id)
else
  local v = redis.call('HGET', T .. 'al:' .. id, 'v')
  if not v then return {'notfound'} end
  if tonumber(v) ~= was then return {'conflict'} end
  local old = redis.call('HGET', T .. 'al:' .. id, 'key')
  if old ~= doc.key then
    -- A key never changes in practice; if it did, its indexes follow.
    redis.call('ZREM', T .. 'alk:' .. old, id)
    if redis.call('HGET', T .. 'alo', old) == id then redis.call('HDEL', T .. 'alo', old) end
    redis.call('ZADD', T .. 'alk:' .. doc.key, tonumber(id), id)
  end
end
local open = redis.call('HGET', T .. 'alo', doc.key)
if doc.status == 'open' then
  if open and open ~= id then return {'conflict'} end
  redis.call('HSET', T .. 'alo', doc.key, id)
elseif open == id then
  redis.call('HDEL', T .. 'alo', doc.key)
end
local v = was + 1
redis.call('HSET', T .. 'al:' .. id, 'v', v, 'key', doc.key, 'status', doc.status, 'rec', doc.rec)
for _, c in ipairs(doc.cases) do redis.call('SADD', T .. 'alc:' .. c, id) end
for _, e in ipairs(doc.audit) do audit(T, e.at, e.rec, e.user, e.case, e.action) end
redis.call('PUBLISH', channel, cjson.encode({alert = id}))
return {'ok', id, tostring(v)}
